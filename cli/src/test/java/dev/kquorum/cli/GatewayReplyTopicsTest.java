package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reply topic that cannot be used costs only its own request. Requests naming reply topics that
 * collide with existing ones ({@code p_responses} vs {@code p.responses}: Kafka refuses to create
 * them, and a producer waits for their metadata until {@code max.block.ms}) or that do not exist
 * are interleaved with good requests; the good ones are still answered within seconds, and every
 * bad one is dead-lettered with its reason.
 */
@ExtendWith(KafkaExtension.class)
class GatewayReplyTopicsTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    @Test
    void badReplyTopicsDelayNoOtherRequest(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("replyto"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        String goodTopic = kafka.uniqueName("good-replies");
        TopicAdmin.ensure(settings, Map.of(goodTopic, 1));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Map<String, String> answers = new ConcurrentHashMap<>();
        Map<String, String> deadLetters = new ConcurrentHashMap<>();
        try (InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
             Coordinator coordinator = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 10_000,
                     Limits.DEFAULT), registry);
             RequestGateway gateway = RequestGateway.start(coordinator, settings, topics, "gw-replyto", registry);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("replyto-client"));
             Collector collector = new Collector(settings, goodTopic, topics.requestsDlq(), answers, deadLetters)) {
            // The group join is not what is measured: one answer first.
            send(producer, topics, goodTopic, "warm-up", "{\"op\":\"put\",\"key\":\"w\",\"value\":\"v\"}");
            await().atMost(Duration.ofSeconds(60)).until(() -> answers.containsKey("warm-up"));

            List<String> badTopics = List.of(
                    topics.prefix() + "_responses",         // collides with <prefix>.responses
                    topics.prefix() + "_requests",          // collides with <prefix>.requests
                    topics.prefix() + "_requests_dlq",      // collides with <prefix>.requests.dlq
                    kafka.uniqueName("never-created"));
            int rounds = 12;
            for (int i = 0; i < rounds; i++) {
                send(producer, topics, badTopics.get(i % badTopics.size()), "bad-" + i, "{\"op\":\"get\",\"key\":\"b" + i + "\"}");
                send(producer, topics, goodTopic, "good-" + i, "{\"op\":\"put\",\"key\":\"g" + i + "\",\"value\":\"v\"}");
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < rounds; i++) {
                    assertThat(answers.get("good-" + i)).as("answer to good-" + i).contains("\"status\":\"OK\"");
                }
            });
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (int i = 0; i < rounds; i++) {
                    assertThat(deadLetters.get("bad-" + i)).as("dead letter of bad-" + i)
                            .contains(badTopics.get(i % badTopics.size()));
                }
            });
            assertThat(answers.keySet()).noneMatch(id -> id.startsWith("bad-"));
            assertThat(coordinator.isRunning()).isTrue();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, TopicNames topics, String replyTopic, String correlation,
                             String json) {
        RecordHeaders h = new RecordHeaders();
        h.add(KqHeaders.CORRELATION_ID, correlation.getBytes(UTF_8));
        h.add(KqHeaders.REPLY_TOPIC, replyTopic.getBytes(UTF_8));
        producer.send(new ProducerRecord<>(topics.requests(), null, null, correlation.getBytes(UTF_8), json.getBytes(UTF_8), h));
    }

    /** Answers and dead letters by correlation id, collected on a thread of its own until closed. */
    static final class Collector implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        /** Reads partition 0 of the answer topic, and of {@code dlq} unless null. */
        Collector(KafkaSettings settings, String answerTopic, String dlq, Map<String, String> answers, Map<String, String> deadLetters) {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("collector", null));
            consumer.assign(java.util.stream.Stream.of(answerTopic, dlq).filter(java.util.Objects::nonNull)
                    .map(t -> new TopicPartition(t, 0)).toList());
            thread = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            String id = KqHeaders.text(r.headers(), KqHeaders.CORRELATION_ID);
                            if (r.topic().equals(dlq)) {
                                deadLetters.put(id, KqHeaders.text(r.headers(), KqHeaders.ERROR));
                            } else {
                                answers.put(id, new String(r.value(), UTF_8));
                            }
                        }
                    }
                }
            }, "collector");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
