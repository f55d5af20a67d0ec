package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.localkafka.LocalKafkaCluster;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import dev.kquorum.testkafka.KafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kquorum on a cluster of three brokers whose defaults are Kafka's own (replication factor 1, one
 * in-sync replica): it states the replication of every topic it makes, its workers' changelogs
 * included, and a component refuses at start a topic with fewer copies than it needs; then, last,
 * the broker leading the request topic and replica partitions is SIGKILLed under load, and no
 * acknowledged write is lost. One cluster for all: each costs the suite seconds to start. (More
 * brokers killed, and restarted, in BrokerFailoverTest's long run.)
 */
@ExtendWith(KafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

    private static LocalKafkaCluster cluster;
    private static KafkaSettings kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void cluster(LocalKafkaCluster threeBrokers) {
        cluster = threeBrokers;
        kafka = KafkaSettings.of(cluster.bootstrapServers());
    }

    @Test
    void everyTopicKquorumUsesHasThreeCopiesAndNeedsTwoInSync() throws Exception {
        TopicNames topics = new TopicNames("stated");
        try (ReplicaWorker worker = ReplicaWorker.start(new WorkerConfig("r1", kafka, topics, dir.resolve("r1"), Limits.DEFAULT,
                     TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()).requireRunning(Duration.ofSeconds(60));
             CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), kafka, topics, 0,
                     CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry());
             GatewayClient client = new GatewayClient(kafka, topics)) {
            Optional<Outcome> put = client.call(new ExternalRequest(Op.PUT, "k", "v".getBytes(StandardCharsets.UTF_8), null, null, 10_000L, null), Duration.ofSeconds(30));
            assertThat(put).map(Outcome::status).contains(Status.OK);
            List<String> used = List.of(topics.requests(), topics.responses(), topics.requestsDlq(), topics.replies(),
                    topics.replica("r1"), topics.replicaDlq("r1"), WorkerConfig.changelogTopic(topics, "r1"));
            try (Admin admin = Admin.create(kafka.admin("test"))) {
                Map<String, TopicDescription> described = admin.describeTopics(used).allTopicNames().get(30, TimeUnit.SECONDS);
                for (String topic : used) {
                    assertThat(described.get(topic).partitions()).as("partitions of %s", topic)
                            .allSatisfy(p -> assertThat(p.replicas()).as("replicas of %s-%d", topic, p.partition()).hasSize(3));
                    String minIsr = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all()
                            .get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value();
                    assertThat(minIsr).as("min.insync.replicas of %s", topic).isEqualTo("2");
                }
            }
        }
    }

    @Test
    void aReplicaTopicWithOneCopyIsRefusedByItsWorkerAndByCoordinatorsNamingWhatItNeeds() throws Exception {
        TopicNames topics = new TopicNames("onecopy");
        try (Admin admin = Admin.create(kafka.admin("test"))) {
            admin.createTopics(List.of(new NewTopic(topics.replica("r1"), TopicAdmin.REPLICA_PARTITIONS, (short) 1)
                    .configs(TopicAdmin.REPLICA_TOPIC_CONFIG))).all().get(30, TimeUnit.SECONDS);
        }
        String expected = "topic " + topics.replica("r1") + " has replication factor 1: kquorum needs 3 on this cluster";
        assertThatThrownBy(() -> ReplicaWorker.start(new WorkerConfig("r1", kafka, topics, dir.resolve("r1"), Limits.DEFAULT,
                TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith(expected);
        assertThatThrownBy(() -> CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), kafka, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith(expected);
    }

    @Test
    void aRequestTopicThatMayElectAnUncleanLeaderIsRefused() throws Exception {
        TopicNames topics = new TopicNames("unclean");
        try (Admin admin = Admin.create(kafka.admin("test"))) {
            admin.createTopics(List.of(new NewTopic(topics.requests(), 4, (short) 3).configs(Map.of("min.insync.replicas", "2",
                    "message.timestamp.type", "LogAppendTime", "unclean.leader.election.enable", "true"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), kafka, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("topic " + topics.requests() + " has unclean.leader.election.enable=true")
                .hasMessageContaining("--add-config unclean.leader.election.enable=false");
    }

    /**
     * Last, since a broker stays down. The workers run in this JVM: what is killed is a broker, and
     * worker processes cost start-up time the suite does not have.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void theLeaderOfTheRequestAndReplicaTopicsKilledLosesNoAcknowledgedWrite() throws Exception {
        try (FailoverLoad run = new FailoverLoad(cluster, dir, false)) {
            int leader = run.leaderOfRequestsAndAReplicaTopic();
            run.step("SIGKILL broker " + leader + ", leader of " + run.topics.requests() + "-0 and of replica topic partitions");
            cluster.kill(leader);
            run.progress();
            run.finish();
        }
    }
}
