package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * One worker in this JVM against the real broker, under its own topic prefix, with a producer to
 * send it requests and collectors for its replies and dead letters.
 */
final class WorkerHarness implements AutoCloseable {

    final TopicNames topics;
    final KafkaSettings settings;
    final WorkerConfig config;
    /** Replaced on a restart, as a process's would be: gauges bind to the worker that registered them. */
    volatile SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Map<Long, ReplicaReply> replies = new ConcurrentHashMap<>();
    final List<ConsumerRecord<byte[], byte[]>> deadLetters = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Requests carry what a coordinator's carry: this harness's incarnation and a correlation number as sequence. */
    private final long incarnation = CorrelationId.newIncarnation();
    private ReplicaWorker worker;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean collecting = new AtomicBoolean(true);
    private final List<Thread> collectors = new ArrayList<>();

    WorkerHarness(TestKafka kafka, Path dataDir, Limits limits) {
        this(kafka, dataDir, limits, WorkerConfig.DEFAULT_TOMBSTONE_GRACE);
    }

    WorkerHarness(TestKafka kafka, Path dataDir, Limits limits, java.time.Duration tombstoneGrace) {
        this(kafka, dataDir, limits, tombstoneGrace, Map.of(), t -> TopicAdmin.ensure(KafkaSettings.of(kafka.bootstrapServers()), Map.of(t.replies(), 1)));
    }

    /**
     * @param clientProperties passed through to every Kafka client, the worker's included
     * @param beforeStart      creates topics (the reply topic at least) before the worker starts
     */
    WorkerHarness(TestKafka kafka, Path dataDir, Limits limits, java.time.Duration tombstoneGrace,
                  Map<String, String> clientProperties, java.util.function.Consumer<TopicNames> beforeStart) {
        this(kafka, dataDir, limits, tombstoneGrace, clientProperties, beforeStart, true);
    }

    /** @param startNow false to send requests first and {@link #start()} the worker after them */
    WorkerHarness(TestKafka kafka, Path dataDir, Limits limits, java.time.Duration tombstoneGrace,
                  Map<String, String> clientProperties, java.util.function.Consumer<TopicNames> beforeStart, boolean startNow) {
        topics = new TopicNames(kafka.uniqueName("w"));
        settings = new KafkaSettings(kafka.bootstrapServers(), clientProperties);
        config = new WorkerConfig("r1", settings, topics, dataDir, limits, 1, tombstoneGrace);
        beforeStart.accept(topics);
        if (startNow) {
            startWorker();
        }
        producer = new KafkaProducer<>(settings.producer("harness"));
        collect(topics.replies(), r -> replies.put(CorrelationId.of(r.headers()).sequence(), ProtocolCodec.decodeReplicaReply(r.value())));
        collect(config.dlqTopic(), deadLetters::add);
    }

    private void startWorker() {
        worker = ReplicaWorker.start(config, registry).requireRunning(Duration.ofSeconds(60));
    }

    void start() {
        startWorker();
    }

    /** Stops the worker after the record in hand, as a shutdown would. */
    void stopWorker() {
        worker.close();
        worker = null;
    }

    /** Starts the worker again on the same store, as a restart would. */
    void restartWorker() {
        registry = new SimpleMeterRegistry();
        startWorker();
    }

    ReplicaWorker worker() {
        return worker;
    }

    /** What the worker's store holds for {@code key}, or null. */
    Versioned held(String key) {
        return worker.held(key);
    }

    /** The replica's committed offset in its topic's partition 0, or -1 if none. */
    long committed() throws Exception {
        try (Admin admin = Admin.create(settings.admin("harness-offsets"))) {
            var offsets = admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            var offset = offsets.get(new TopicPartition(config.topic(), 0));
            return offset == null ? -1 : offset.offset();
        }
    }

    /** Sends a request body with a reply address and deadline; {@code correlation} names the reply. */
    void send(long correlation, byte[] body, long deadlineMs) {
        sendTo(new ReplyAddress(topics.replies(), 0, correlationId(correlation)), body, deadlineMs);
    }

    /** The correlation id bytes of request {@code correlation}, as {@link #replies} is keyed. */
    byte[] correlationId(long correlation) {
        return new CorrelationId(incarnation, correlation).bytes();
    }

    /** Sends a request that asks to be answered at {@code address}, which may be a bad one. */
    void sendTo(ReplyAddress address, byte[] body, long deadlineMs) {
        sendRaw(body, new Envelope(address, deadlineMs).headers());
    }

    void send(long correlation, ReplicaRequest request) {
        send(correlation, ProtocolCodec.encode(request), System.currentTimeMillis() + 30_000);
    }

    void sendAsync(long correlation, byte[] body) {
        Envelope envelope = Envelope.request(new CorrelationId(incarnation, correlation), topics.replies(), 0,
                System.currentTimeMillis() + 60_000);
        producer.send(new ProducerRecord<>(config.topic(), null, null, "key".getBytes(UTF_8), body, envelope.headers()));
    }

    void sendRaw(byte[] body, Iterable<Header> headers) {
        try {
            producer.send(new ProducerRecord<>(config.topic(), null, null, "key".getBytes(UTF_8), body, headers))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private void collect(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Thread t = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("collector-" + topic, null))) {
                consumer.assign(List.of(new TopicPartition(topic, 0)));
                while (collecting.get()) {
                    consumer.poll(Duration.ofMillis(100)).forEach(sink);
                }
            }
        }, "collect-" + topic);
        t.start();
        collectors.add(t);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return KqHeaders.text(r.headers(), name);
    }

    @Override
    public void close() throws InterruptedException {
        if (worker != null) {
            stopWorker();
        }
        producer.close();
        collecting.set(false);
        for (Thread t : collectors) {
            t.join(10_000);
        }
    }
}
