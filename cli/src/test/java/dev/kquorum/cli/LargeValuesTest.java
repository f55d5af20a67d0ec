package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented value limit (1 MiB) is reachable: a value of exactly that size round-trips
 * through the Java API and through the request topic, in its most expensive JSON forms, over a
 * real broker with its default 1 MiB record limit; one byte more is INVALID, naming the limit.
 */
@ExtendWith(KafkaExtension.class)
class LargeValuesTest {

    private static final int LIMIT = Limits.DEFAULT.maxValueBytes();
    private static final long TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    private TopicNames topics;
    private KafkaSettings settings;
    private Coordinator coordinator;
    private InJvmKquorum kquorum;

    @BeforeEach
    void startKquorum(TestKafka kafka) {
        kquorum = InJvmKquorum.start(kafka, dir, "big", 1000);
        topics = kquorum.topics();
        settings = kquorum.settings();
        coordinator = kquorum.coordinator();
    }

    @AfterEach
    void stopKquorum() throws InterruptedException {
        kquorum.close();
    }

    @Test
    void aValueAtTheLimitRoundTripsThroughTheJavaApi() throws Exception {
        byte[] value = randomBytes(LIMIT);
        Outcome put = coordinator.execute(new ExternalRequest(Op.PUT, "java", value, null, null, TIMEOUT_MS, null)).get(60, TimeUnit.SECONDS);
        assertThat(put.status()).as("put: %s", put).isEqualTo(Status.OK);
        Outcome got = coordinator.execute(new ExternalRequest(Op.GET, "java", null, null, null, TIMEOUT_MS, null)).get(60, TimeUnit.SECONDS);
        assertThat(got.status()).as("get: %s", got).isEqualTo(Status.OK);
        assertThat(Arrays.equals(got.value(), value)).as("the value read is the value written").isTrue();

        Outcome over = coordinator.put("java", new byte[LIMIT + 1]).get(60, TimeUnit.SECONDS);
        assertThat(over.status()).isEqualTo(Status.INVALID);
        assertThat(over.error()).contains("over the limit of " + LIMIT);
    }

    @Test
    void aBinaryValueAtTheLimitRoundTripsThroughTheRequestTopic() {
        byte[] value = randomBytes(LIMIT);
        try (GatewayClient client = new GatewayClient(settings, topics, Duration.ofSeconds(30))) {
            assertThat(client.call(new ExternalRequest(Op.PUT, "bin", value, null, null, TIMEOUT_MS, null), Duration.ofSeconds(60)))
                    .get().extracting(Outcome::status).isEqualTo(Status.OK);
            Outcome got = client.call(new ExternalRequest(Op.GET, "bin", null, null, null, TIMEOUT_MS, null), Duration.ofSeconds(60)).orElseThrow();
            assertThat(got.status()).isEqualTo(Status.OK);
            assertThat(Arrays.equals(got.value(), value)).as("the value read is the value written").isTrue();

            Outcome over = client.call(ExternalRequest.put("bin", new byte[LIMIT + 1]), Duration.ofSeconds(60)).orElseThrow();
            assertThat(over.status()).isEqualTo(Status.INVALID);
            assertThat(over.error()).contains("over the limit of " + LIMIT);
        }
    }

    @Test
    void textThatJsonMustEscapeRoundTripsAtTheLimit(TestKafka kafka) throws Exception {
        // Control characters are the dearest text in JSON: six bytes each, escaped, in the request.
        char[] chars = new char[LIMIT];
        Arrays.fill(chars, '\u0001');
        String text = new String(chars);
        String replyTopic = kafka.uniqueName("big-answers");
        TopicAdmin.ensure(settings, Map.of(replyTopic, 1));

        String putJson = ProtocolCodecJson.put("esc", text, TIMEOUT_MS);
        Outcome put = sendRaw(replyTopic, "esc", putJson);
        assertThat(put.status()).as("put: %s", put.error()).isEqualTo(Status.OK);
        Outcome got = sendRaw(replyTopic, "esc", "{\"op\":\"get\",\"key\":\"esc\",\"timeoutMs\":" + TIMEOUT_MS + "}");
        assertThat(got.status()).as("get: %s", got.error()).isEqualTo(Status.OK);
        assertThat(new String(got.value(), UTF_8)).isEqualTo(text);
    }

    /** Publishes hand-written JSON, as any Kafka client would, and reads its answer. */
    private Outcome sendRaw(String replyTopic, String key, String json) throws Exception {
        byte[] correlation = ByteBuffer.allocate(16).putLong(UUID.randomUUID().getMostSignificantBits()).putLong(1).array();
        RecordHeaders headers = new RecordHeaders();
        new ReplyAddress(replyTopic, null, correlation).writeTo(headers);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("big-reader", null));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("big-writer"))) {
            TopicPartition tp = new TopicPartition(replyTopic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            producer.send(new ProducerRecord<>(topics.requests(), null, null, key.getBytes(UTF_8), json.getBytes(UTF_8), headers))
                    .get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(correlation, KqHeaders.bytes(r.headers(), KqHeaders.CORRELATION_ID))) {
                        return ProtocolCodec.decodeOutcome(r.value());
                    }
                }
            }
        }
        throw new AssertionError("no answer on " + replyTopic + " within 60 s");
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** JSON written by hand, with the value as text (Jackson escapes what must be). */
    private static final class ProtocolCodecJson {
        static String put(String key, String value, long timeoutMs) throws Exception {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            return mapper.writeValueAsString(Map.of("op", "put", "key", key, "value", value, "timeoutMs", timeoutMs));
        }
    }
}
