package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.kquorum.cli.verify.Workload;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.history.HistoryCheck;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.localkafka.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kquorum (three replicas, a coordinator) on a local cluster under a steady load through
 * {@code kq.requests}, for tests that kill brokers: the steps they take, how long answers stopped
 * after each, and the check at the end (a clean history, every key read at R=ALL).
 */
final class FailoverLoad implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FailoverLoad.class);
    static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    /** Writes acknowledged after a step, before the next. */
    private static final int PROGRESS = 40;

    final LocalKafkaCluster cluster;
    final KafkaSettings kafka;
    final TopicNames topics = new TopicNames("kq");
    private final Map<String, ChildJvm> workerProcesses = new java.util.concurrent.ConcurrentHashMap<>();
    private final Path dir;
    private InJvmReplicas inJvmWorkers;
    private final CoordinatorNode node;
    final Workload workload;
    private final StepTimeline steps;

    /** @param workerProcesses each worker a process of its own, or all in this JVM */
    FailoverLoad(LocalKafkaCluster cluster, Path dir, boolean workerProcesses) {
        this.cluster = cluster;
        this.dir = dir;
        kafka = KafkaSettings.of(cluster.bootstrapServers());
        if (workerProcesses) {
            // Side by side: each start is mostly waiting for its group and topics.
            REPLICAS.parallelStream().forEach(this::startWorker);
        } else {
            inJvmWorkers = new InJvmReplicas(REPLICAS, kafka, topics, dir);
        }
        node = CoordinatorNode.start(new CoordinatorConfig("c1", REPLICAS, kafka, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry());
        workload = new Workload(kafka, topics, new Workload.Plan(4, 30, "failover-k", Mode.QUORUM, Duration.ofSeconds(2)));
        steps = new StepTimeline(workload::elapsedNanos);
        workload.start();
        progress();
    }

    private void startWorker(String r) {
        workerProcesses.put(r, KquorumProcesses.worker(r, cluster.bootstrapServers(), dir.resolve(r), List.of("--http-port", "-1"),
                line -> log.info("[{}] {}", r, line)));
    }

    /**
     * Starts again, as its supervisor would, a worker process that exited: a broker failover can
     * fail a worker's transaction for good (InvalidTxnStateException at commit), and the worker
     * then stops with a non-zero exit code (docs/operations.md, known limits).
     */
    private void restartExitedWorkers() {
        workerProcesses.forEach((r, process) -> {
            if (!process.isAlive()) {
                log.warn("worker {} exited with code {}; starting it again, as its supervisor would", r, process.exitCode());
                startWorker(r);
            }
        });
    }

    /** The broker leading the request topic's first partition, which leads partitions of a replica topic too. */
    int leaderOfRequestsAndAReplicaTopic() throws Exception {
        try (Admin admin = Admin.create(kafka.admin("failover-test"))) {
            List<String> names = new ArrayList<>(List.of(topics.requests()));
            REPLICAS.forEach(r -> names.add(topics.replica(r)));
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            int leader = described.get(topics.requests()).partitions().get(0).leader().id();
            long led = REPLICAS.stream().flatMap(r -> described.get(topics.replica(r)).partitions().stream())
                    .filter(p -> p.leader() != null && p.leader().id() == leader).count();
            assertThat(led).as("replica topic partitions broker %d leads", leader).isPositive();
            return leader;
        }
    }

    /** Until every partition, Kafka's own included, has all its replicas in sync. */
    void awaitFullIsr() {
        try (Admin admin = Admin.create(kafka.admin("failover-test"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
                return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                        .flatMap(t -> t.partitions().stream()).allMatch(p -> p.isr().size() == p.replicas().size());
            });
        }
    }

    void step(String what) {
        steps.step(what);
    }

    /** Until {@value #PROGRESS} more writes are acknowledged. */
    void progress() {
        int before = workload.writesAcknowledged();
        await().atMost(Duration.ofSeconds(60)).until(() -> workload.writesAcknowledged() >= before + PROGRESS);
    }

    /** Stops the load; its history must be clean, and every key readable at R=ALL. */
    void finish() throws Exception {
        step("end");
        workload.stop();
        assertThat(workload.failure()).isEmpty();
        restartExitedWorkers();
        assertThat(workload.finalReads(Duration.ofSeconds(90))).as("keys that could not be read with R=ALL").isEmpty();
        List<HistoryOp> history = workload.history();
        HistoryCheck.Verdict verdict = HistoryCheck.check(history, Mode.QUORUM);
        assertThat(verdict.problems()).as("violations of the quorum promise or lost writes").isEmpty();
        log.info("answers stopped, per step (longest gap between two answers until the next step):\n{}", steps.report(history));
    }

    @Override
    public void close() throws InterruptedException {
        node.close();
        workerProcesses.values().forEach(ChildJvm::kill);
        if (inJvmWorkers != null) {
            inJvmWorkers.close();
        }
    }
}
