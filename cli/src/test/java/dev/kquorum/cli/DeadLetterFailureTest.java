package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose dead letter cannot be written is not done: the dead-letter topic is made
 * unwritable (deleted, and a colliding name created so it cannot come back), a request that must
 * be dead-lettered is followed by a good one in the same partition, and the good one is answered
 * but the group's committed offset never passes the unanswered request, so it is redelivered.
 */
@ExtendWith(KafkaExtension.class)
class DeadLetterFailureTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    @Test
    void aRequestWhoseDeadLetterFailedIsNotCommitted(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("dlqfail"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Map<String, String> answers = new ConcurrentHashMap<>();
        try (InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
             Coordinator coordinator = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 10_000,
                     Limits.DEFAULT), registry);
             RequestGateway gateway = RequestGateway.start(coordinator, settings, topics, "gw-dlqfail", registry);
             Admin admin = Admin.create(settings.admin("dlqfail-admin"));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("dlqfail-client"));
             GatewayReplyTopicsTest.Collector collector = new GatewayReplyTopicsTest.Collector(settings,
                     topics.responses(), null, answers, new ConcurrentHashMap<>())) {
            send(producer, topics, "warm-up", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> answers.containsKey("warm-up"));

            admin.deleteTopics(List.of(topics.requestsDlq())).all().get(30, TimeUnit.SECONDS);
            String colliding = topics.requestsDlq().replace('.', '_');
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                admin.createTopics(List.of(new NewTopic(colliding, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
                return true;
            });

            long bad = send(producer, topics, "bad", "no such/topic");
            send(producer, topics, "good", null);
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.containsKey("good"));

            TopicPartition tp = new TopicPartition(topics.requests(), 0);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(topics.prefix() + ".gateway")
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(tp);
                return committed == null || committed.offset() <= bad;
            });
            assertThat(gateway.isRunning()).isTrue();
        }
    }

    /** A put on request partition 0; its offset. */
    private static long send(KafkaProducer<byte[], byte[]> producer, TopicNames topics, String id, String replyTopic) throws Exception {
        RecordHeaders h = new RecordHeaders();
        h.add(KqHeaders.CORRELATION_ID, id.getBytes(UTF_8));
        if (replyTopic != null) {
            h.add(KqHeaders.REPLY_TOPIC, replyTopic.getBytes(UTF_8));
        }
        String json = "{\"op\":\"put\",\"key\":\"" + id + "\",\"value\":\"v\"}";
        return producer.send(new ProducerRecord<>(topics.requests(), 0, null, id.getBytes(UTF_8), json.getBytes(UTF_8), h))
                .get(30, TimeUnit.SECONDS).offset();
    }
}
