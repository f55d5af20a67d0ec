package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway answers at least once: a request answered before its offset was committed is
 * executed again after a crash or rebalance. That second execution must never supersede a write
 * that began after the first answer. Here the redelivery is made real: the gateway's group offset
 * is moved back over an answered request, and a new gateway executes it again.
 */
@ExtendWith(KafkaExtension.class)
class GatewayRedeliveryTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    @Test
    void aRedeliveredPutDoesNotSupersedeAWriteThatBeganAfterItsAnswer(TestKafka kafka) throws Exception {
        List<Outcome> answers = new CopyOnWriteArrayList<>();
        try (Rig rig = new Rig(kafka, "redeliver", dir)) {
            rig.gateway("gw-1");
            rig.readAnswers(answers);
            RecordHeaders headers = new RecordHeaders();
            headers.add(KqHeaders.CORRELATION_ID, "A".getBytes(UTF_8));
            RecordMetadata first = rig.client.send(new ProducerRecord<>(rig.topics.requests(), null, "k".getBytes(UTF_8),
                    "{\"op\":\"put\",\"key\":\"k\",\"value\":\"first\",\"timeoutMs\":60000}".getBytes(UTF_8), headers)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 1);
            assertThat(answers.get(0).status()).isEqualTo(Status.OK);

            // B begins after A's answer, and is acknowledged.
            Outcome b = rig.coordinator.put("k", "second".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
            assertThat(b.status()).isEqualTo(Status.OK);

            // A is delivered again: the group's offset goes back over it, as after a crash before the commit.
            rig.stopGateway();
            TopicPartition tp = new TopicPartition(first.topic(), first.partition());
            try (Admin admin = Admin.create(rig.settings.admin("redelivery-admin"))) {
                admin.alterConsumerGroupOffsets(rig.topics.prefix() + ".gateway", Map.of(tp, new OffsetAndMetadata(first.offset())))
                        .all().get(30, TimeUnit.SECONDS);
            }
            rig.gateway("gw-2");
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 2);
            assertThat(answers.get(1).status()).as("the redelivered request is answered again").isEqualTo(Status.OK);
            assertThat(rig.readAll("k")).as("B began after A was answered; A executed again must not hide it").isEqualTo("second");
        }
    }

    /**
     * A request already in the topic when a gateway is assigned its partition may have been taken
     * up before (by the previous owner, whose execution may still run). Such an execution only
     * completes what an earlier one wrote: here none wrote, and a write begun after the request
     * was issued holds the key above its first version, so it answers QUORUM_NOT_REACHED rather
     * than choose a version of its own above that write. (Failed before the gateway marked it: the
     * request was re-issued above B and answered OK, and the key read "first".)
     */
    @Test
    void aRequestThatMayHaveBeenTakenUpBeforeChoosesNoVersion(TestKafka kafka) throws Exception {
        List<Outcome> answers = new CopyOnWriteArrayList<>();
        try (Rig rig = new Rig(kafka, "retaken", dir)) {
            // Creates the request topic (with LogAppendTime) before anyone consumes it.
            rig.gateway("gw-0");
            rig.stopGateway();
            RecordMetadata a = rig.client.send(new ProducerRecord<>(rig.topics.requests(), null, "k".getBytes(UTF_8),
                    "{\"op\":\"put\",\"key\":\"k\",\"value\":\"first\",\"timeoutMs\":60000}".getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
            // B's version must be above A's first version, which is made from A's record timestamp.
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > a.timestamp() + 20);
            assertThat(rig.coordinator.put("k", "second".getBytes(UTF_8)).get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.OK);

            rig.gateway("gw-1");
            rig.readAnswers(answers);
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 1);
            assertThat(answers.get(0).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
            assertThat(answers.get(0).error()).contains("may have been taken up before");
            assertThat(rig.readAll("k")).isEqualTo("second");
        }
    }

    /**
     * A client that lost its answer retries through the request topic: the same requestId, and
     * the timestamp Kafka gave its first record as firstIssuedAtMs. The retry is recognised as the
     * same request: answered at the first attempt's version, below B, which began after the first
     * answer and stays the value.
     */
    @Test
    void aClientRetryIsAnsweredAtTheFirstAttemptsVersionAndSupersedesNothing(TestKafka kafka) throws Exception {
        List<Outcome> answers = new CopyOnWriteArrayList<>();
        String put = "{\"op\":\"put\",\"key\":\"k\",\"value\":\"first\",\"timeoutMs\":60000,\"requestId\":\"order-7\"%s}";
        try (Rig rig = new Rig(kafka, "retry", dir)) {
            rig.gateway("gw-1");
            rig.readAnswers(answers);
            RecordMetadata first = rig.client.send(new ProducerRecord<>(rig.topics.requests(), null, "k".getBytes(UTF_8),
                    put.formatted("").getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 1);
            assertThat(answers.get(0).status()).isEqualTo(Status.OK);

            Outcome b = rig.coordinator.put("k", "second".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
            assertThat(b.status()).isEqualTo(Status.OK);

            rig.client.send(new ProducerRecord<>(rig.topics.requests(), null, "k".getBytes(UTF_8),
                    put.formatted(",\"firstIssuedAtMs\":" + first.timestamp()).getBytes(UTF_8))).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 2);
            assertThat(answers.get(1).status()).isEqualTo(Status.OK);
            assertThat(answers.get(1).version()).as("the first attempt's version").isEqualTo(answers.get(0).version());
            assertThat(answers.get(1).version()).isLessThan(b.version());
            assertThat(rig.readAll("k")).isEqualTo("second");
        }
    }

    /** Three in-JVM replicas, a coordinator and a plain producer for the request topic, under their own prefix. */
    private static final class Rig implements AutoCloseable {
        final TopicNames topics;
        final KafkaSettings settings;
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final InJvmReplicas replicas;
        final Coordinator coordinator;
        final KafkaProducer<byte[], byte[]> client;
        private RequestGateway gateway;
        private Thread reader;

        Rig(TestKafka kafka, String name, Path dir) {
            topics = new TopicNames(kafka.uniqueName(name));
            settings = KafkaSettings.of(kafka.bootstrapServers());
            replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
            coordinator = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 1000, Limits.DEFAULT), registry);
            client = new KafkaProducer<>(settings.producer(name + "-client"));
        }

        /** Starts a gateway, in place of the one running, if any. */
        void gateway(String clientId) {
            stopGateway();
            gateway = RequestGateway.start(coordinator, settings, topics, clientId, registry);
        }

        void stopGateway() {
            if (gateway != null) {
                gateway.close();
                gateway = null;
            }
        }

        /** Collects every answer on the response topic into {@code answers}, until the rig closes. */
        void readAnswers(List<Outcome> answers) {
            reader = GatewayRedeliveryTest.readAnswers(settings, topics, answers);
        }

        /** The key's value, read from every replica. */
        String readAll(String key) throws Exception {
            Outcome read = coordinator.execute(new ExternalRequest(Op.GET, key, null, null, Consistency.ALL, 10_000L, null))
                    .get(30, TimeUnit.SECONDS);
            return new String(read.value(), UTF_8);
        }

        @Override
        public void close() throws Exception {
            stopGateway();
            if (reader != null) {
                reader.interrupt();
                reader.join(10_000);
            }
            client.close();
            coordinator.close();
            replicas.close();
        }
    }

    private static Thread readAnswers(KafkaSettings settings, TopicNames topics, List<Outcome> answers) {
        Thread t = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("redelivery-answers", null))) {
                consumer.assign(List.of(new TopicPartition(topics.responses(), 0)));
                consumer.seekToBeginning(List.of(new TopicPartition(topics.responses(), 0)));
                while (!Thread.currentThread().isInterrupted()) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> answers.add(ProtocolCodec.decodeOutcome(r.value())));
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // stopping
            }
        }, "redelivery-answers");
        t.start();
        return t;
    }
}
