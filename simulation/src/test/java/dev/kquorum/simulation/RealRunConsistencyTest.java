package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kquorum.cli.KquorumProcesses;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LinearizabilityChecker;
import dev.kquorum.history.QuorumPromiseChecker;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkers over real runs: a real broker, three worker processes, two coordinators, four
 * concurrent clients, and workers SIGKILLed and restarted while they run. The recorded history
 * must pass the checker of its mode, and at the end no acknowledged write may be missing.
 */
@ExtendWith(KafkaExtension.class)
class RealRunConsistencyTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final List<String> KEYS = List.of("a", "b", "c");
    private static final int OPS_PER_CLIENT = 60;

    @TempDir
    Path dir;

    /**
     * Linearizable mode in the default suite; the quorum mode's history under faults is checked
     * there by FaultsInOneRunTest, BrokerFailoverTest and VerifyAgainstUpTest, and here in the long runs.
     */
    @Test
    void linearizableHistoryPassesItsCheckerWhileWorkersAreKilled(TestKafka kafka) throws Exception {
        historiesPassTheirCheckerWhileWorkersAreKilled(Mode.LINEARIZABLE, kafka);
    }

    @Test
    @Tag("long")
    void quorumHistoryPassesItsCheckerWhileWorkersAreKilled(TestKafka kafka) throws Exception {
        historiesPassTheirCheckerWhileWorkersAreKilled(Mode.QUORUM, kafka);
    }

    private void historiesPassTheirCheckerWhileWorkersAreKilled(Mode mode, TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("real-" + mode.wireName()));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        Map<String, ChildJvm> workers = new ConcurrentHashMap<>();
        // Side by side: each start is mostly waiting for the group and the topics.
        CompletableFuture.allOf(REPLICAS.stream().map(id -> CompletableFuture.runAsync(() -> workers.put(id, worker(id, kafka, topics))))
                .toArray(CompletableFuture[]::new)).join();
        List<HistoryOp> history = Collections.synchronizedList(new ArrayList<>());
        long origin = System.nanoTime();
        try (Coordinator c1 = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 1000, Limits.DEFAULT), new SimpleMeterRegistry());
             Coordinator c2 = Coordinator.start(new CoordinatorConfig("c2", REPLICAS, settings, topics, 1, 1000, Limits.DEFAULT), new SimpleMeterRegistry())) {
            AtomicInteger ids = new AtomicInteger();
            // Whatever ends a client thread early, an AssertionError included, fails the test.
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                Coordinator c = k % 2 == 0 ? c1 : c2;
                String name = "client" + k;
                Random random = new Random(k);
                Thread t = new Thread(() -> {
                    try {
                        for (int n = 0; n < OPS_PER_CLIENT; n++) {
                            history.addAll(one(c, name, n, random, mode, origin, ids));
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }, name);
                t.start();
                clients.add(t);
            }
            // Faults while the clients run: each worker is SIGKILLed once and brought back.
            for (String id : REPLICAS) {
                workers.remove(id).kill();
                workers.put(id, worker(id, kafka, topics));
            }
            for (Thread t : clients) {
                t.join(120_000);
                assertThat(t.isAlive()).as("%s finished within 120 s", t.getName()).isFalse();
            }
            if (failed.get() != null) {
                throw new AssertionError("a client failed: " + failed.get(), failed.get());
            }

            if (mode == Mode.LINEARIZABLE) {
                assertThat(LinearizabilityChecker.firstViolation(history)).as("linearizable: %s", history).isNull();
            } else {
                assertThat(QuorumPromiseChecker.violations(history)).isEmpty();
            }
            assertThat(history.stream().filter(HistoryOp::completed).count()).as("most operations completed").isGreaterThan(OPS_PER_CLIENT * 2L);

            // No acknowledged write is missing: every key holds at least its newest acknowledged version.
            for (String key : KEYS) {
                Version newestAcked = history.stream().filter(op -> op.write() && op.completed() && op.key().equals(key))
                        .map(HistoryOp::version).max(Version::compareTo).orElse(null);
                Outcome last = c1.execute(new ExternalRequest(Op.GET, key, null, null, Consistency.ALL, 10_000L, null)).get(30, TimeUnit.SECONDS);
                assertThat(last.status()).isIn(Status.OK, Status.NOT_FOUND);
                if (newestAcked != null) {
                    assertThat(last.version()).as("key %s", key).isGreaterThanOrEqualTo(newestAcked);
                }
            }
        } finally {
            workers.values().forEach(ChildJvm::kill);
        }
    }

    private List<HistoryOp> one(Coordinator c, String client, int n, Random random, Mode mode, long origin, AtomicInteger ids)
            throws Exception {
        String key = KEYS.get(random.nextInt(KEYS.size()));
        boolean write = random.nextInt(2) == 0;
        String value = write ? client + "-" + n : null;
        long invoked = (System.nanoTime() - origin) / 1000;
        Outcome o = c.execute(new ExternalRequest(write ? Op.PUT : Op.GET, key, write ? value.getBytes(UTF_8) : null,
                null, null, 3_000L, mode)).get(30, TimeUnit.SECONDS);
        long completed = (System.nanoTime() - origin) / 1000;
        int id = ids.getAndIncrement();
        if (o.status() == Status.QUORUM_NOT_REACHED) {
            return write ? List.of(new HistoryOp(id, client, key, true, value, null, invoked, HistoryOp.UNKNOWN)) : List.of();
        }
        assertThat(o.status()).isIn(Status.OK, Status.NOT_FOUND);
        String seen = write ? value : o.value() == null ? null : new String(o.value(), UTF_8);
        return List.of(new HistoryOp(id, client, key, write, seen, o.version(), invoked, completed));
    }

    private ChildJvm worker(String id, TestKafka kafka, TopicNames topics) {
        return KquorumProcesses.worker(id, kafka.bootstrapServers(), dir.resolve(id),
                List.of("--topic-prefix", topics.prefix(), "--http-port", "-1"), line -> { });
    }
}
