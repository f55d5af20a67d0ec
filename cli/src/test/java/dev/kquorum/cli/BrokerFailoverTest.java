package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
import dev.kquorum.localkafka.LocalKafkaCluster;
import dev.kquorum.testkafka.KafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kquorum on a cluster of three brokers, each a process, under a steady load through
 * {@code kq.requests}, while brokers are SIGKILLed: the one leading the request topic's partition
 * and a replica topic's, then a second while the first is down (two of three down at once), both
 * restarted, and the third (about a minute and a half, with worker processes: it runs with
 * {@code -Plong-runs}); the default suite's run kills one leader. A
 * black-box check of the whole history finds no acknowledged write lost and no read that missed
 * one; how long answers stopped after each step is logged (docs/benchmarks.md).
 */
@ExtendWith(KafkaExtension.class)
class BrokerFailoverTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerFailoverTest.class);
    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    /** Writes acknowledged after a step, before the next. */
    private static final int PROGRESS = 40;

    @TempDir
    Path dir;

    private final List<ChildJvm> workers = new ArrayList<>();
    private InJvmReplicas inJvmWorkers;
    private LocalKafkaCluster cluster;
    private KafkaSettings kafka;
    private final TopicNames topics = new TopicNames("kq");
    private Workload workload;
    private StepTimeline steps;

    @AfterEach
    void stopWorkers() throws InterruptedException {
        workers.forEach(ChildJvm::kill);
        if (inJvmWorkers != null) {
            inJvmWorkers.close();
        }
    }

    /**
     * The default suite's: one leader down, the workers in this JVM (what is killed is a broker,
     * and processes cost start-up time the suite does not have). The long run below does more.
     */
    @Test
    void theLeaderOfTheRequestAndReplicaTopicsKilledLosesNoAcknowledgedWrite(LocalKafkaCluster cluster) throws Exception {
        try (CoordinatorNode node = startKquorum(cluster, false)) {
            int leader = leaderOfRequestsAndAReplicaTopic();
            step("SIGKILL broker " + leader + ", leader of " + topics.requests() + "-0 and of replica topic partitions");
            cluster.kill(leader);
            progress();
            finish();
        }
    }

    @Test
    @Tag("long")
    void twoBrokersOfThreeDownStopWritesAndLoseNone(LocalKafkaCluster cluster) throws Exception {
        try (CoordinatorNode node = startKquorum(cluster, true)) {
            int first = leaderOfRequestsAndAReplicaTopic();
            step("SIGKILL broker " + first + ", leader of " + topics.requests() + "-0");
            cluster.kill(first);
            progress();
            int second = leaderOfRequestsAndAReplicaTopic();
            int third = cluster.brokerIds().stream().filter(b -> b != first && b != second).findFirst().orElseThrow();
            step("SIGKILL broker " + second + ", the new leader, while " + first + " is down: two of three down");
            cluster.kill(second);
            // One in-sync replica is fewer than min.insync.replicas: Kafka takes no write, and
            // neither does kquorum; what it acknowledged before must all still be there.
            int acknowledged = workload.writesAcknowledged();
            long settled = workload.elapsedNanos() + TimeUnit.SECONDS.toNanos(5);
            int unanswered = workload.operationsUnanswered();
            await().atMost(Duration.ofSeconds(90)).until(() -> workload.operationsUnanswered() >= unanswered + 4);
            log.info("with two brokers down, {} more writes were acknowledged", workload.writesAcknowledged() - acknowledged);
            long restarted = workload.elapsedNanos();
            assertThat(workload.history()).as("writes begun once two brokers were down, acknowledged before they came back")
                    .noneMatch(op -> op.write() && op.completed() && op.invokedAt() > settled && op.completedAt() < restarted);
            step("brokers " + first + " and " + second + " start again");
            cluster.startBroker(first);
            cluster.startBroker(second);
            progress();
            // Every partition, Kafka's own included, back on all three before the last one down
            // goes: else a partition whose only in-sync copy is on it would stop.
            awaitFullIsr();
            step("SIGKILL broker " + third + ", the one that never went down");
            cluster.kill(third);
            progress();
            finish();
        }
    }

    /** @param workerProcesses each worker a process of its own, or all in this JVM */
    private CoordinatorNode startKquorum(LocalKafkaCluster cluster, boolean workerProcesses) {
        this.cluster = cluster;
        kafka = KafkaSettings.of(cluster.bootstrapServers());
        if (workerProcesses) {
            // Side by side: each start is mostly waiting for its group and topics.
            workers.addAll(REPLICAS.parallelStream().map(r -> KquorumProcesses.worker(r, cluster.bootstrapServers(), dir.resolve(r),
                    List.of("--http-port", "-1"), line -> log.info("[{}] {}", r, line))).toList());
        } else {
            inJvmWorkers = new InJvmReplicas(REPLICAS, kafka, topics, dir);
        }
        CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", REPLICAS, kafka, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry());
        workload = new Workload(kafka, topics, new Workload.Plan(4, 30, "failover-k", Mode.QUORUM, Duration.ofSeconds(2)));
        steps = new StepTimeline(workload::elapsedNanos);
        workload.start();
        progress();
        return node;
    }

    /** The broker leading the request topic's first partition, which leads partitions of a replica topic too. */
    private int leaderOfRequestsAndAReplicaTopic() throws Exception {
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

    private void awaitFullIsr() {
        try (Admin admin = Admin.create(kafka.admin("failover-test"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
                return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                        .flatMap(t -> t.partitions().stream()).allMatch(p -> p.isr().size() == p.replicas().size());
            });
        }
    }

    private void step(String what) {
        steps.step(what);
    }

    private void progress() {
        int before = workload.writesAcknowledged();
        await().atMost(Duration.ofSeconds(60)).until(() -> workload.writesAcknowledged() >= before + PROGRESS);
    }

    private void finish() throws Exception {
        step("end");
        workload.stop();
        assertThat(workload.failure()).isEmpty();
        assertThat(workload.finalReads(Duration.ofSeconds(90))).as("keys that could not be read with R=ALL").isEmpty();
        List<HistoryOp> history = workload.history();
        HistoryCheck.Verdict verdict = HistoryCheck.check(history, Mode.QUORUM);
        assertThat(verdict.problems()).as("violations of the quorum promise or lost writes").isEmpty();
        log.info("answers stopped, per step (longest gap between two answers until the next step):\n{}", steps.report(history));
    }
}
