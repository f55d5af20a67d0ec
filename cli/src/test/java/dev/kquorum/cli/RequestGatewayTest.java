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
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/**
 * The request topic as other systems use it: a Spring application with ReplyingKafkaTemplate and
 * no adapter, and a plain producer sending hand-written JSON, including every kind of bad input
 * we could think of. Each bad request is answered INVALID, or dead-lettered with its reason when
 * no answer can be delivered, and the good request behind them all is still answered.
 */
@ExtendWith(KafkaExtension.class)
class RequestGatewayTest {


    @TempDir
    Path dir;

    private TopicNames topics;
    private KafkaSettings settings;
    private Coordinator coordinator;
    private InJvmKquorum kquorum;

    @BeforeEach
    void startKquorum(TestKafka kafka) {
        kquorum = InJvmKquorum.start(kafka, dir, "gw", 10_000);
        topics = kquorum.topics();
        settings = kquorum.settings();
        coordinator = kquorum.coordinator();
    }

    @AfterEach
    void stopKquorum() throws InterruptedException {
        kquorum.close();
    }

    @Test
    void answersSpringsReplyingKafkaTemplateWithNoAdapter(TestKafka kafka) throws Exception {
        String replyTopic = kafka.uniqueName("spring-replies");
        TopicAdmin.ensure(settings, Map.of(replyTopic, 1));
        var producerFactory = new DefaultKafkaProducerFactory<String, String>(
                Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "0"), new StringSerializer(), new StringSerializer());
        var consumerFactory = new DefaultKafkaConsumerFactory<String, String>(
                Map.of("bootstrap.servers", kafka.bootstrapServers(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new StringDeserializer());
        ContainerProperties containerProperties = new ContainerProperties(replyTopic);
        containerProperties.setGroupId(kafka.uniqueName("spring"));
        var container = new KafkaMessageListenerContainer<>(consumerFactory, containerProperties);
        var template = new ReplyingKafkaTemplate<>(producerFactory, container);
        template.setDefaultReplyTimeout(Duration.ofSeconds(30));
        template.start();
        try {
            assertThat(template.waitForAssignment(Duration.ofSeconds(30))).isTrue();

            ConsumerRecord<String, String> put = template.sendAndReceive(
                    new ProducerRecord<>(topics.requests(), "user:42", "{\"op\":\"put\",\"key\":\"user:42\",\"value\":\"hello\"}"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(put.value()).contains("\"status\":\"OK\"", "\"op\":\"put\"", "\"acks\":2");

            ConsumerRecord<String, String> get = template.sendAndReceive(
                    new ProducerRecord<>(topics.requests(), "user:42", "{\"op\":\"get\",\"key\":\"user:42\",\"r\":\"ALL\"}"))
                    .get(30, TimeUnit.SECONDS);
            Outcome answer = ProtocolCodec.decodeOutcome(get.value().getBytes(UTF_8));
            assertThat(answer.status()).isEqualTo(Status.OK);
            assertThat(new String(answer.value(), UTF_8)).isEqualTo("hello");
            assertThat(answer.acks()).isEqualTo(3);
            assertThat(answer.replicas()).containsExactlyInAnyOrder("r1", "r2", "r3");
        } finally {
            template.stop();
        }
    }

    @Test
    void theCommandLineClientsSpeakThroughTheRequestTopic(TestKafka kafka) {
        String[] where = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};
        assertThat(cli(where, "put", "cli:1", "from the shell").exit()).isZero();
        CliRun got = cli(where, "get", "cli:1");
        assertThat(got.exit()).isZero();
        assertThat(got.out()).startsWith("OK from the shell (version ").contains("[2/2: ");
        CliRun json = cli(where, "get", "--json", "--r", "ALL", "cli:1");
        assertThat(json.out()).contains("\"status\":\"OK\"", "\"acks\":3");
        assertThat(cli(where, "get", "cli:never").exit()).isEqualTo(3);
        assertThat(cli(where, "delete", "cli:1").exit()).isZero();
        assertThat(cli(where, "get", "cli:1").exit()).isEqualTo(3);
        CliRun tooMany = cli(where, "put", "--w", "4", "cli:2", "v");
        assertThat(tooMany.exit()).isEqualTo(2);
        assertThat(tooMany.out()).contains("INVALID: write quorum 4 exceeds the 3 replicas");
        CliRun badFlag = cli(where, "put", "--timeout", "soon", "cli:2", "v");
        assertThat(badFlag.exit()).isEqualTo(2);
        assertThat(badFlag.err()).contains("--timeout: expected a duration like 500ms, 2s or 1m, got 'soon'");
    }

    record CliRun(int exit, String out, String err) {
    }

    private static CliRun cli(String[] where, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        String[] all = new String[args.length + where.length];
        all[0] = args[0];
        System.arraycopy(where, 0, all, 1, where.length);
        System.arraycopy(args, 1, all, 1 + where.length, args.length - 1);
        int exit = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), all);
        return new CliRun(exit, out.toString().trim(), err.toString());
    }

    record Bad(String name, String json, Map<String, byte[]> headers, String reason, boolean deadLettered) {
        static Bad answered(String name, String json, String reason) {
            return new Bad(name, json, Map.of(), reason, false);
        }
    }

    @Test
    void answersOrDeadLettersEveryMalformedRequestAndKeepsGoing(TestKafka kafka) throws Exception {
        String replyTopic = kafka.uniqueName("raw-replies");
        TopicAdmin.ensure(settings, Map.of(replyTopic, 1));
        List<Bad> bad = List.of(
                Bad.answered("not JSON", "hello there", "malformed JSON"),
                Bad.answered("truncated JSON", "{\"op\":\"put\",\"key\":", "malformed JSON"),
                Bad.answered("no body", null, "empty message"),
                Bad.answered("an array", "[{\"op\":\"get\"}]", "expected a JSON object, got array"),
                Bad.answered("no op", "{\"key\":\"k\"}", "field 'op': missing"),
                Bad.answered("unknown op", "{\"op\":\"upsert\",\"key\":\"k\",\"value\":\"v\"}", "unknown operation 'upsert'"),
                Bad.answered("no key", "{\"op\":\"get\"}", "field 'key': missing"),
                Bad.answered("key of the wrong type", "{\"op\":\"get\",\"key\":[1]}", "field 'key': expected a string, got array"),
                Bad.answered("put without a value", "{\"op\":\"put\",\"key\":\"k\"}", "field 'value': missing"),
                Bad.answered("bad base64", "{\"op\":\"put\",\"key\":\"k\",\"valueBase64\":\"%%%\"}", "not valid base64"),
                Bad.answered("unknown quorum level", "{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"w\":\"MOST\"}", "got 'MOST'"),
                Bad.answered("quorum above N", "{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"w\":4}", "write quorum 4 exceeds the 3 replicas"),
                Bad.answered("negative timeout", "{\"op\":\"get\",\"key\":\"k\",\"timeoutMs\":-5}", "field 'timeoutMs': -5 is outside"),
                Bad.answered("unknown field", "{\"op\":\"get\",\"key\":\"k\",\"consistency\":\"ALL\"}", "field 'consistency': unknown field"),
                Bad.answered("future schema", "{\"v\":2,\"op\":\"get\",\"key\":\"k\"}", "schema version 2 is not supported"),
                Bad.answered("oversized key", "{\"op\":\"get\",\"key\":\"" + "k".repeat(2000) + "\"}", "field 'key': 2000 bytes, over the limit of 1024"),
                new Bad("reply partition of 2 bytes", "{\"op\":\"get\",\"key\":\"k\"}",
                        Map.of(KqHeaders.REPLY_PARTITION, new byte[] {0, 1}), "expected a 4-byte big-endian int", true),
                new Bad("reply partition that does not exist", "{\"op\":\"get\",\"key\":\"k\"}",
                        Map.of(KqHeaders.REPLY_PARTITION, KqHeaders.int32(99)), "partition 99 does not exist", true),
                new Bad("illegal reply topic", "{\"op\":\"get\",\"key\":\"k\"}",
                        Map.of(KqHeaders.REPLY_TOPIC, "no such/topic".getBytes(UTF_8)), "Topic name is invalid", true));

        Map<String, String> answers = new ConcurrentHashMap<>();
        Map<String, String> deadLetters = new ConcurrentHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("raw"))) {
            for (int i = 0; i < bad.size(); i++) {
                send(producer, replyTopic, "bad-" + i, bad.get(i).json(), bad.get(i).headers());
            }
            send(producer, replyTopic, "good", "{\"op\":\"put\",\"key\":\"after\",\"value\":\"still served\"}", Map.of());
            producer.flush();
        }
        Thread collector = collect(replyTopic, answers, deadLetters);
        try {
            long expectedAnswers = bad.stream().filter(b -> !b.deadLettered()).count() + 1;
            long expectedDead = bad.stream().filter(Bad::deadLettered).count();
            await().atMost(Duration.ofSeconds(60)).until(() -> answers.size() == expectedAnswers && deadLetters.size() == expectedDead);
        } finally {
            collector.interrupt();
            collector.join(10_000);
        }
        assertThat(answers.get("good")).contains("\"status\":\"OK\"", "\"key\":\"after\"");
        for (int i = 0; i < bad.size(); i++) {
            Bad b = bad.get(i);
            String id = "bad-" + i;
            if (b.deadLettered()) {
                assertThat(deadLetters.get(id)).as(b.name()).contains(b.reason());
            } else {
                assertThat(answers.get(id)).as(b.name()).contains("\"status\":\"INVALID\"").contains(b.reason());
            }
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String replyTopic, String correlation, String json, Map<String, byte[]> headers) {
        RecordHeaders h = new RecordHeaders();
        h.add(KqHeaders.CORRELATION_ID, correlation.getBytes(UTF_8));
        if (!headers.containsKey(KqHeaders.REPLY_TOPIC)) {
            h.add(KqHeaders.REPLY_TOPIC, replyTopic.getBytes(UTF_8));
        }
        headers.forEach((name, value) -> h.add(new RecordHeader(name, value)));
        producer.send(new ProducerRecord<>(topics.requests(), null, null, "k".getBytes(UTF_8), json == null ? null : json.getBytes(UTF_8), h));
    }

    /** Collects answers and dead letters by correlation id until interrupted. */
    private Thread collect(String replyTopic, Map<String, String> answers, Map<String, String> deadLetters) {
        Thread t = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("collector", null))) {
                consumer.assign(List.of(new TopicPartition(replyTopic, 0), new TopicPartition(topics.requestsDlq(), 0)));
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        String id = KqHeaders.text(r.headers(), KqHeaders.CORRELATION_ID);
                        if (r.topic().equals(replyTopic)) {
                            answers.put(id, new String(r.value(), UTF_8));
                        } else {
                            deadLetters.put(id, KqHeaders.text(r.headers(), KqHeaders.ERROR));
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // done
            }
        }, "collector");
        t.start();
        return t;
    }
}
