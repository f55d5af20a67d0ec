package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.cli.verify.Workload;
import dev.kquorum.history.HistoryCheck;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each of three replicas spread over worker processes while clients run through {@code kq.requests}:
 * every replica goes from one process to two, then three; then, for every replica at once, one
 * process is SIGKILLed, one is stopped cleanly, and one loses its state directory and is started
 * again. A black-box check of the whole history finds no lost acknowledged write and no read that
 * missed one; how long answers stopped after each step is logged (docs/benchmarks.md).
 *
 * <p>About a minute of nine worker processes on two cores: tagged {@code long}, it runs with
 * {@code ./mvnw -Plong-runs verify}, not in the default suite.
 */
@Tag("long")
@ExtendWith(KafkaExtension.class)
class ReplicaScaleOutTest {

    private static final Logger log = LoggerFactory.getLogger(ReplicaScaleOutTest.class);
    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    /** Writes acknowledged between two steps: the load goes on after each. */
    private static final int PROGRESS = 40;

    @TempDir
    Path dir;

    private final Map<String, ChildJvm> processes = new ConcurrentHashMap<>();
    private StepTimeline steps;
    private TestKafka kafka;
    private TopicNames topics;
    private Workload workload;

    @AfterEach
    void stopEverything() {
        processes.values().forEach(ChildJvm::kill);
    }

    private ChildJvm start(String replica, int n) {
        String name = replica + "-" + n;
        return KquorumProcesses.worker(replica, kafka.bootstrapServers(), dir.resolve(name),
                List.of("--topic-prefix", topics.prefix(), "--http-port", "-1"), line -> log.info("[{}] {}", name, line));
    }

    /** Does {@code change} to every replica at once, as three operators on three hosts would. */
    private void everyReplica(ThrowingConsumer<String> change) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (String r : REPLICAS) {
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    change.accept(r);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    /** A step's change to one replica. */
    private interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    private void startProcess(String replica, int n) {
        processes.put(replica + "-" + n, start(replica, n));
    }

    private void step(String what) {
        steps.step(what);
    }

    private void progress() {
        int before = workload.writesAcknowledged();
        await().atMost(Duration.ofSeconds(60)).until(() -> workload.writesAcknowledged() >= before + PROGRESS);
    }

    @Test
    void scaleOutCrashCleanStopAndLostDiskLoseNothing(TestKafka kafka) throws Exception {
        this.kafka = kafka;
        topics = new TopicNames(kafka.uniqueName("scale"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        everyReplica(r -> startProcess(r, 1));
        try (CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry())) {
            workload = new Workload(settings, topics, new Workload.Plan(4, 30, "scale-k", Mode.QUORUM, Duration.ofSeconds(2)));
            steps = new StepTimeline(workload::elapsedNanos);
            workload.start();
            progress();

            step("a second process for every replica");
            everyReplica(r -> startProcess(r, 2));
            progress();
            step("a third process for every replica");
            everyReplica(r -> startProcess(r, 3));
            progress();
            step("SIGKILL one process of every replica");
            everyReplica(r -> processes.remove(r + "-2").kill());
            progress();
            step("stop one process of every replica cleanly");
            everyReplica(r -> assertThat(processes.remove(r + "-3").terminate(Duration.ofSeconds(30))).as("exit code of %s-3", r)
                    .isZero());
            progress();
            step("one process of every replica loses its state directory and starts again");
            everyReplica(r -> {
                processes.remove(r + "-1").kill();
                Directories.deleteRecursively(dir.resolve(r + "-1"));
                startProcess(r, 1);
            });
            progress();
            step("end");
            workload.stop();
            assertThat(workload.failure()).isEmpty();

            List<String> unread = workload.finalReads(Duration.ofSeconds(90));
            assertThat(unread).as("keys that could not be read with R=ALL").isEmpty();
            List<HistoryOp> history = workload.history();
            HistoryCheck.Verdict verdict = HistoryCheck.check(history, Mode.QUORUM);
            assertThat(verdict.problems()).as("violations of the quorum promise or lost writes").isEmpty();
            assertThat(workload.writesAcknowledged()).isGreaterThanOrEqualTo(6 * PROGRESS);
            log.info("answers stopped, per step (longest gap between two answers until the next step):\n{}", steps.report(history));
        }
    }
}
