package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code kquorum demo}: a guided tour on a throwaway local broker. Each step says what it does and
 * what came of it; an outcome other than the one the tour expects ends it with exit code 1.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"A guided tour of kquorum on a throwaway local Kafka: quorum writes and reads, workers killed",
            "and restarted, QUORUM_NOT_REACHED, catch-up from Kafka, read repair. Ends by itself in under a minute."})
final class DemoCommand implements Callable<Integer> {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final List<String> KEYS = List.of("user:1", "user:2", "user:3");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption;

    private PrintWriter out;
    private final Map<String, ChildJvm> workers = new LinkedHashMap<>();
    private Path dir;
    private String bootstrap;
    private Coordinator coordinator;
    private int step;

    /** The tour met an outcome it did not expect. */
    private static final class Unexpected extends RuntimeException {
        Unexpected(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        dir = Files.createTempDirectory("kq-demo");
        LocalKafkaBroker broker = null;
        try {
            broker = waitFor("starting a local Kafka broker", () -> LocalKafkaBroker.start(BrokerSettings.inDirectory(dir.resolve("kafka"))));
            bootstrap = broker.bootstrapServers();
            tour();
            out.println();
            out.println("Demo complete: every step ended as expected.");
            return 0;
        } catch (Unexpected e) {
            out.println("UNEXPECTED: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            if (coordinator != null) {
                coordinator.close();
            }
            workers.values().forEach(ChildJvm::kill);
            if (broker != null) {
                broker.close();
            }
            Directories.deleteRecursively(dir);
        }
    }

    private void tour() throws Exception {
        TopicNames topics = TopicNames.DEFAULT;
        KafkaSettings kafka = KafkaSettings.of(bootstrap);
        title("Three replica workers, each its own process with its own RocksDB stores, and a coordinator (N=3, W=R=QUORUM=2)");
        startWorkers(REPLICAS);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        coordinator = Coordinator.start(new CoordinatorConfig("demo", REPLICAS, kafka, topics, 0, 1000, Limits.DEFAULT), registry);

        title("Writes and reads at QUORUM, all replicas up");
        for (String key : KEYS) {
            expect(put(key, "v1 of " + key), Status.OK);
        }
        expect(get("user:1", null), Status.OK);

        title("SIGKILL worker r3: with two of three left, writes still commit");
        kill("r3");
        expect(put("user:1", "v2 of user:1"), Status.OK);
        expect(get("user:1", null), Status.OK);

        title("SIGKILL worker r2 too: one of three cannot make a quorum of two, and the answer says who answered");
        kill("r2");
        Outcome lost = expect(run(new ExternalRequest(Op.PUT, "user:2", "v2 of user:2".getBytes(UTF_8), null, null, 2000L, null)),
                Status.QUORUM_NOT_REACHED);
        if (!lost.replicas().equals(List.of("r1"))) {
            throw new Unexpected("expected only r1 to answer, got " + lost.replicas());
        }
        out.println("    (this write is indeterminate: r1 holds it, and it may become visible later)");

        title("Restart r2 and r3: each catches up from its own Kafka topic, the hinted-handoff queue");
        startWorkers(List.of("r2", "r3"));
        try (ReplicaInspector inspector = new ReplicaInspector(kafka, topics)) {
            Outcome all = waitFor("waiting until all three answer a read at ALL", () -> {
                Outcome o = null;
                for (int i = 0; i < 20 && (o == null || !o.isOk()); i++) {
                    o = await(coordinator.execute(new ExternalRequest(Op.GET, "user:2", null, null, Consistency.ALL, 2000L, null)));
                }
                return o;
            });
            expect(all, Status.OK);
            out.print(ReplicaInspector.render(inspector.table(REPLICAS, KEYS, Duration.ofSeconds(10)), REPLICAS, KEYS));

            title("r3 loses its disk (state directory wiped): it restores its stores from their changelogs by itself");
            kill("r3");
            Directories.deleteRecursively(dir.resolve("r3"));
            startWorker("r3");
            Map<String, Map<String, String>> restored = inspector.table(REPLICAS, KEYS, Duration.ofSeconds(10));
            out.print(ReplicaInspector.render(restored, REPLICAS, KEYS));
            if (!restored.get("r3").equals(restored.get("r1"))) {
                throw new Unexpected("r3 did not restore what r1 holds: " + restored);
            }

            title("r3 is replaced by an empty replica (state, changelog, offsets and backlog all gone): it comes back empty");
            stop("r3");
            Directories.deleteRecursively(dir.resolve("r3"));
            replaceWithEmpty(kafka, topics, "r3");
            startWorker("r3");
            out.print(ReplicaInspector.render(inspector.table(REPLICAS, KEYS, Duration.ofSeconds(10)), REPLICAS, KEYS));

            title("Read every key at ALL: r3 answers with nothing, and read repair sends it the newest versions");
            for (String key : KEYS) {
                expect(get(key, Consistency.ALL), Status.OK);
            }
            double repairs = registry.get("kquorum.coordinator.read.repairs").counter().count();
            out.printf("    read repairs sent: %.0f%n", repairs);
            if (repairs < KEYS.size()) {
                throw new Unexpected("expected at least " + KEYS.size() + " read repairs, got " + repairs);
            }

            title("Each replica's own version of each key, asked of each replica directly");
            Map<String, Map<String, String>> table = waitFor("waiting for r3 to apply the repairs", () -> {
                Map<String, Map<String, String>> t = inspector.table(REPLICAS, KEYS, Duration.ofSeconds(10));
                for (int i = 0; i < 20 && !t.get("r3").equals(t.get("r1")); i++) {
                    t = inspector.table(REPLICAS, KEYS, Duration.ofSeconds(10));
                }
                return t;
            });
            out.print(ReplicaInspector.render(table, REPLICAS, KEYS));
            if (!table.get("r3").equals(table.get("r1"))) {
                throw new Unexpected("r3 did not converge with r1: " + table);
            }
        }
    }

    private void title(String text) {
        out.println();
        out.println("Step " + (++step) + ". " + text);
        out.flush();
    }

    private Outcome put(String key, String value) {
        return run(ExternalRequest.put(key, value.getBytes(UTF_8)));
    }

    private Outcome get(String key, Consistency r) {
        return run(new ExternalRequest(Op.GET, key, null, null, r, null, null));
    }

    private Outcome run(ExternalRequest request) {
        return waitFor(request.op().wireName() + " " + request.key(), () -> await(coordinator.execute(request)));
    }

    private static Outcome await(CompletableFuture<Outcome> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new Unexpected("no outcome within 30 s: " + e);
        }
    }

    private Outcome expect(Outcome o, Status expected) {
        String value = o.value() == null ? "" : " \"" + new String(o.value(), UTF_8) + "\"";
        out.printf("    %-7s %-8s -> %s%s%s [%d of %d needed: %s]%s%n", o.op() == null ? "" : o.op().wireName(), o.key(),
                o.status(), value, o.version() == null ? "" : " @" + o.version(), o.acks(), o.required(),
                String.join(",", o.replicas()), o.error() == null ? "" : "  (" + o.error() + ")");
        out.flush();
        if (o.status() != expected) {
            throw new Unexpected("expected " + expected + ", got " + o);
        }
        return o;
    }

    private void startWorker(String id) {
        startWorkers(List.of(id));
    }

    /** Starts workers side by side: a start is mostly waiting for Kafka. */
    private void startWorkers(List<String> ids) {
        List<ChildJvm> started = waitFor("starting worker" + (ids.size() == 1 ? " " : "s ") + String.join(", ", ids),
                () -> ids.parallelStream().map(id -> KquorumProcesses.worker(id, bootstrap, dir.resolve(id), List.of("--http-port", "-1"),
                        line -> { })).toList());
        for (int i = 0; i < ids.size(); i++) {
            workers.put(ids.get(i), started.get(i));
            out.println("    worker " + ids.get(i) + " running (pid " + started.get(i).pid() + ")");
        }
    }

    private void stop(String id) {
        ChildJvm w = workers.remove(id);
        int exit = w.terminate(Duration.ofSeconds(30));
        out.println("    worker " + id + " (pid " + w.pid() + ") stopped with SIGTERM, exit code " + exit);
    }

    private void kill(String id) {
        ChildJvm w = workers.remove(id);
        w.kill();
        out.println("    worker " + id + " (pid " + w.pid() + ") killed with SIGKILL");
    }

    /**
     * Forgets everything Kafka holds of a replica, as an operator replacing it with an empty one
     * would (its process stopped and its state directory gone): its Kafka Streams application's
     * offsets and store changelog, and its topic's backlog, as if retention had run past it.
     */
    static void replaceWithEmpty(KafkaSettings kafka, TopicNames topics, String replicaId) throws Exception {
        String topic = topics.replica(replicaId);
        String application = WorkerConfig.applicationId(topics, replicaId);
        try (Admin admin = Admin.create(kafka.admin("kq-demo"))) {
            deleteGroup(admin, application);
            admin.deleteTopics(List.of(WorkerConfig.changelogTopic(topics, replicaId))).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, RecordsToDelete> deletes = new LinkedHashMap<>();
            admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, end) -> deletes.put(tp, RecordsToDelete.beforeOffset(end.offset())));
            admin.deleteRecords(deletes).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Deletes the group once its last member is gone (a killed one stays until its session times out). */
    private static void deleteGroup(Admin admin, String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    /** Runs {@code work}, printing a progress line every second while it takes longer than one. */
    private <T> T waitFor(String what, Supplier<T> work) {
        CompletableFuture<T> result = CompletableFuture.supplyAsync(work);
        long started = System.nanoTime();
        while (true) {
            try {
                return result.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                out.printf("    ... %s (%d s)%n", what, (System.nanoTime() - started) / 1_000_000_000L);
                out.flush();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Unexpected u) {
                    throw u;
                }
                throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unexpected("interrupted while " + what);
            }
        }
    }
}
