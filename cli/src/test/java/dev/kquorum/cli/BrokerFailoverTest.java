package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.kquorum.cli.verify.Workload;
import dev.kquorum.localkafka.LocalKafkaCluster;
import dev.kquorum.testkafka.KafkaExtension;
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
 * {@code -Plong-runs}); the default suite kills one leader (ClusterTest). A
 * black-box check of the whole history finds no acknowledged write lost and no read that missed
 * one; how long answers stopped after each step is logged (docs/benchmarks.md).
 */
@ExtendWith(KafkaExtension.class)
@Tag("long")
class BrokerFailoverTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerFailoverTest.class);

    @TempDir
    Path dir;

    @Test
    void twoBrokersOfThreeDownStopWritesAndLoseNone(LocalKafkaCluster cluster) throws Exception {
        try (FailoverLoad run = new FailoverLoad(cluster, dir, true)) {
            Workload workload = run.workload;
            int first = run.leaderOfRequestsAndAReplicaTopic();
            run.step("SIGKILL broker " + first + ", leader of " + run.topics.requests() + "-0");
            cluster.kill(first);
            run.progress();
            int second = run.leaderOfRequestsAndAReplicaTopic();
            int third = cluster.brokerIds().stream().filter(b -> b != first && b != second).findFirst().orElseThrow();
            run.step("SIGKILL broker " + second + ", the new leader, while " + first + " is down: two of three down");
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
            run.step("brokers " + first + " and " + second + " start again");
            cluster.startBroker(first);
            cluster.startBroker(second);
            run.progress();
            // Every partition, Kafka's own included, back on all three before the last one down
            // goes: else a partition whose only in-sync copy is on it would stop.
            run.awaitFullIsr();
            run.step("SIGKILL broker " + third + ", the one that never went down");
            cluster.kill(third);
            run.progress();
            run.finish();
        }
    }
}
