package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica topic as an operator can change it under a worker: retention shorter than the
 * tombstone grace period, records deleted before the worker applied them, partitions added. Each
 * must be refused loudly, never skipped over.
 */
@ExtendWith(KafkaExtension.class)
class WorkerTopicGuardsTest {

    @TempDir
    Path dir;

    private static Versioned value(long ts, String text) {
        return new Versioned(new Version(ts, "c1"), text.getBytes(UTF_8));
    }

    @Test
    void createsItsTopicWithInfiniteRetention(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT);
             Admin admin = Admin.create(h.settings.admin("test"))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, h.config.topic());
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
        }
    }

    @Test
    void refusesToStartOnATopicWhoseRetentionIsShorterThanTheTombstoneGrace(TestKafka kafka) {
        assertThatThrownBy(() -> new WorkerHarness(kafka, dir, Limits.DEFAULT, Duration.ofDays(10), Map.of(), topics -> {
            try (Admin admin = Admin.create(dev.kquorum.common.kafka.KafkaSettings.of(kafka.bootstrapServers()).admin("test"))) {
                admin.createTopics(List.of(new NewTopic(topics.replica("r1"), 1, (short) 1)
                        .configs(Map.of("retention.ms", "604800000")))).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            TopicAdmin.ensure(dev.kquorum.common.kafka.KafkaSettings.of(kafka.bootstrapServers()), Map.of(topics.replies(), 1));
        }))
                .hasMessageContaining("retention.ms=604800000")
                .hasMessageContaining(".replica.r1")
                .hasMessageContaining("tombstone grace");
    }

    @Test
    void refusesToStartOnATopicThatAllowsUncleanLeaderElection(TestKafka kafka) {
        assertRefusesAReplicaTopicWith(kafka, "unclean.leader.election.enable", "true", "false");
    }

    @Test
    void refusesToStartOnATopicWhoseRecordsCarryTheirProducersTime(TestKafka kafka) {
        assertRefusesAReplicaTopicWith(kafka, "message.timestamp.type", "CreateTime", "LogAppendTime");
    }

    /** A replica topic created with kquorum's settings but {@code setting=value}: the worker refuses it, naming what it needs. */
    private void assertRefusesAReplicaTopicWith(TestKafka kafka, String setting, String value, String needed) {
        assertThatThrownBy(() -> new WorkerHarness(kafka, dir, Limits.DEFAULT, Duration.ofDays(10), Map.of(), topics -> {
            Map<String, String> config = new java.util.HashMap<>(TopicAdmin.REPLICA_TOPIC_CONFIG);
            config.put(setting, value);
            TopicAdmin.ensure(dev.kquorum.common.kafka.KafkaSettings.of(kafka.bootstrapServers()), Map.of(topics.replica("r1"), 1), config);
            TopicAdmin.ensure(dev.kquorum.common.kafka.KafkaSettings.of(kafka.bootstrapServers()), Map.of(topics.replies(), 1));
        }))
                .hasMessageContaining(setting + "=" + value)
                .hasMessageContaining(".replica.r1")
                .hasMessageContaining("needs " + setting + "=" + needed);
    }

    /**
     * The worker applies k0..k2 (offsets 0-2) and stops; while it is down k3..k7 are published
     * and offsets 3-5 are deleted before it applied them, as retention would.
     */
    private static void appliesThreeThenLosesThreeWhileDown(WorkerHarness h, Admin admin) throws Exception {
        for (int i = 0; i < 3; i++) {
            h.send(i, new ReplicaRequest.Write("k" + i, value(i + 1, "v" + i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.size() == 3);
        h.stopWorker();
        for (int i = 3; i < 8; i++) {
            h.send(i, new ReplicaRequest.Write("k" + i, value(i + 1, "v" + i)));
        }
        TopicPartition tp = new TopicPartition(h.config.topic(), 0);
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6))).all().get(30, TimeUnit.SECONDS);
    }

    @Test
    void refusesToServeAPartitionWhoseStoredOffsetFellOutOfRetention(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT);
             Admin admin = Admin.create(h.settings.admin("test"))) {
            appliesThreeThenLosesThreeWhileDown(h, admin);

            h.restartWorker();
            h.send(100, new ReplicaRequest.Read("k7"));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.worker().problem() != null);
            assertThat(h.worker().problem()).contains(h.config.topic() + "-0").contains("stored offset 3").contains("log start 6");
            assertThat(h.registry.get("kquorum.worker.partitions.out.of.retention").gauge().value()).isEqualTo(1.0);
            // It serves nothing from that partition: no apply, no answer, not even to the read sent after.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> h.replies.size() == 3 && h.held("k7") == null);
            // The refusal outlives a restart, though the offsets have moved past the deleted records.
            h.stopWorker();
            h.restartWorker();
            h.send(101, new ReplicaRequest.Read("k7"));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.worker().problem() != null);
            assertThat(h.worker().problem()).contains(h.config.topic() + "-0").contains("stored offset 3").contains("log start 6");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> h.replies.size() == 3 && h.held("k7") == null);
        }
    }

    /**
     * The group's committed offsets expire when no process of a replica runs for a week; Kafka
     * then starts the replica over at the log start. The store knows where it stood.
     */
    @Test
    void refusesAPartitionWhoseRecordsWereDeletedAfterTheGroupsOffsetsExpired(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT);
             Admin admin = Admin.create(h.settings.admin("test"))) {
            appliesThreeThenLosesThreeWhileDown(h, admin);
            // As offsets.retention.minutes would.
            admin.deleteConsumerGroups(List.of(h.config.applicationId())).all().get(30, TimeUnit.SECONDS);

            h.restartWorker();
            await().atMost(Duration.ofSeconds(30)).until(() -> h.worker().problem() != null);
            assertThat(h.worker().problem()).contains(h.config.topic() + "-0").contains("stored offset 3")
                    .contains("next record it was given (6)");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> h.replies.size() == 3 && h.held("k7") == null);
        }
    }

    @Test
    void refusesLoudlyWhenPartitionsAreAddedToItsTopic(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT);
             Admin admin = Admin.create(h.settings.admin("test"))) {
            h.send(1, new ReplicaRequest.Write("k", value(1, "v")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.size() == 1);
            assertThat(h.worker().problem()).isNull();

            admin.createPartitions(Map.of(h.config.topic(), NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> h.worker().problem() != null);
            assertThat(h.worker().problem()).contains(h.config.topic()).contains("1 partition").contains("now 3");
        }
    }

    /**
     * A transactional producer on a replica topic (none of kquorum's is one) leaves offsets a
     * replica never sees: its commit markers, and its aborted records. They are not records
     * deleted before the replica applied them, so the partition is not refused: the log still
     * covers them.
     */
    @Test
    void aTransactionalWritersMarkersAndAbortedRecordsAreNotTakenForDeletedRecords(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            h.send(1, write("before", 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(1L));
            Properties p = h.settings.producer("transactional-writer");
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, h.topics.prefix() + "-writer");
            try (KafkaProducer<byte[], byte[]> writer = new KafkaProducer<>(p)) {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(record(h, 2, write("committed", 2)));
                writer.commitTransaction();
                writer.beginTransaction();
                writer.send(record(h, 3, write("aborted", 3)));
                writer.flush();
                writer.abortTransaction();
            }
            h.send(4, write("after", 4));

            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(4L));
            assertThat(h.replies).containsOnlyKeys(1L, 2L, 4L);
            assertThat(h.worker().problem()).isNull();
            assertThat(h.held("after")).isNotNull();
            assertThat(h.held("aborted")).isNull();
        }
    }

    private static ReplicaRequest write(String key, long version) {
        return new ReplicaRequest.Write(key, new Versioned(new Version(version, "c"), key.getBytes(UTF_8)));
    }

    private static ProducerRecord<byte[], byte[]> record(WorkerHarness h, long correlation, ReplicaRequest request) {
        Envelope envelope = new Envelope(new ReplyAddress(h.topics.replies(), 0, h.correlationId(correlation)),
                System.currentTimeMillis() + 60_000);
        return new ProducerRecord<>(h.config.topic(), null, null, "key".getBytes(UTF_8), ProtocolCodec.encode(request),
                envelope.headers());
    }
}
