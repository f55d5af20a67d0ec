package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker process is SIGKILLed five times while write requests stream into its topic. Every
 * write it acknowledged before any kill is in its stores at the end (each key is written once, so
 * none can hide a loss behind a later write); after each restart it applies what was published
 * while it was down, and every request gets its reply within its deadline.
 */
@ExtendWith(KafkaExtension.class)
class WorkerCrashRecoveryTest {

    private static final int KILLS = 5;
    private static final long INCARNATION = CorrelationId.newIncarnation();

    @TempDir
    Path storeDir;

    @Test
    void losesNothingAcknowledgedAndCatchesUpAfterEachSigkill(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("crash"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        TopicAdmin.ensure(settings, Map.of(topics.replies(), 1));
        ChildJvm worker = WorkerProcess.start("r1", kafka.bootstrapServers(), topics.prefix(), storeDir);

        AtomicInteger sent = new AtomicInteger();
        Map<Long, Integer> ackedBeforeKill = new HashMap<>();
        AtomicBoolean streaming = new AtomicBoolean(true);
        Set<Long> replied = ConcurrentHashMap.newKeySet();
        AtomicBoolean collecting = new AtomicBoolean(true);
        Thread collector = new Thread(() -> collectReplies(settings, topics, replied, collecting), "reply-collector");
        collector.start();

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("crash-test"))) {
            Thread stream = new Thread(() -> {
                while (streaming.get()) {
                    int i = sent.get();
                    producer.send(writeRequest(topics, i));
                    sent.incrementAndGet();
                    // A steady stream of about a thousand requests a second, not a flood.
                    LockSupport.parkNanos(1_000_000);
                }
            }, "request-stream");
            stream.start();

            for (int kill = 1; kill <= KILLS; kill++) {
                int repliedBefore = replied.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> replied.size() >= repliedBefore + 100);
                worker.kill();

                Map<Long, Version> acked = readAllAcks(settings, topics);
                assertThat(acked).hasSizeGreaterThanOrEqualTo(repliedBefore + 100);
                int killed = kill;
                acked.forEach((i, version) -> ackedBeforeKill.putIfAbsent(i, killed));
                int sentWhileDown = sent.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= sentWhileDown + 100);
                worker = WorkerProcess.start("r1", kafka.bootstrapServers(), topics.prefix(), storeDir);
            }
            streaming.set(false);
            stream.join();
            producer.flush();
        }

        int total = sent.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> replied.size() >= total);
        assertThat(worker.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
        collecting.set(false);
        collector.join();

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            keys.add("k" + i);
        }
        Map<String, Versioned> held = InJvmReplicas.held(settings, topics, "r1", storeDir, keys);
        for (Map.Entry<Long, Integer> ack : ackedBeforeKill.entrySet()) {
            assertThat(held.get("k" + ack.getKey())).as("write k%d, acknowledged before kill %d", ack.getKey(), ack.getValue())
                    .isEqualTo(versioned(ack.getKey()));
        }
        for (int i = 0; i < total; i++) {
            assertThat(held.get("k" + i)).as("request %d applied", i).isEqualTo(versioned(i));
        }
    }

    private static Versioned versioned(long i) {
        return new Versioned(new Version(i + 1, "test"), ("v" + i).getBytes(UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> writeRequest(TopicNames topics, long i) {
        Envelope envelope = Envelope.request(new CorrelationId(INCARNATION, i), topics.replies(), 0,
                System.currentTimeMillis() + 60_000);
        String key = "k" + i;
        return new ProducerRecord<>(topics.replica("r1"), null, null, key.getBytes(UTF_8),
                ProtocolCodec.encode(new ReplicaRequest.Write(key, versioned(i))), envelope.headers());
    }

    private static long correlation(ConsumerRecord<byte[], byte[]> r) {
        return CorrelationId.of(r.headers()).sequence();
    }

    private static void collectReplies(KafkaSettings settings, TopicNames topics, Set<Long> replied, AtomicBoolean collecting) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("collector", null))) {
            consumer.assign(List.of(new TopicPartition(topics.replies(), 0)));
            while (collecting.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    replied.add(correlation(r));
                }
            }
        }
    }

    /** Every ack on the reply topic so far, by request number. */
    private static Map<Long, Version> readAllAcks(KafkaSettings settings, TopicNames topics) {
        Map<Long, Version> acks = new HashMap<>();
        TopicPartition tp = new TopicPartition(topics.replies(), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("ack-reader", null))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ReplicaReply.Ack ack = (ReplicaReply.Ack) ProtocolCodec.decodeReplicaReply(r.value());
                    acks.put(correlation(r), ack.held());
                }
            }
        }
        return acks;
    }
}
