package dev.kquorum.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ReplyAddress;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

/**
 * The floor this architecture can reach: the same topic layout as kquorum (one topic per replica,
 * one reply partition) with echo consumers in place of workers: no store, no JSON parsing, no
 * quorum logic. A call sends the payload to all N, with the headers a coordinator sends
 * ({@link Envelope}), and completes at the W-th echo.
 */
final class EchoBaseline implements AutoCloseable {

    private static final byte[] ECHO = {1};

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<String> replicaTopics = new ArrayList<>();
    private final String replyTopic;
    private final int w;
    private final long incarnation = CorrelationId.newIncarnation();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final List<ConsumerLoop> loops = new ArrayList<>();

    private record Pending(AtomicInteger echoes, CompletableFuture<Boolean> done) {
    }

    EchoBaseline(KafkaSettings kafka, String prefix, int n, int w) {
        this.w = w;
        this.replyTopic = prefix + ".echo.replies";
        Map<String, Integer> topics = new HashMap<>(Map.of(replyTopic, 1));
        for (int i = 1; i <= n; i++) {
            replicaTopics.add(prefix + ".echo.r" + i);
            topics.put(prefix + ".echo.r" + i, 1);
        }
        TopicAdmin.ensure(kafka, topics);
        producer = new KafkaProducer<>(kafka.producer("bench-echo"));
        for (String topic : replicaTopics) {
            loops.add(new ConsumerLoop("bench-" + topic, new KafkaConsumer<>(kafka.consumer("bench-echo-" + topic, null)),
                    List.of(new TopicPartition(topic, 0)), this::echo));
        }
        loops.add(new ConsumerLoop("bench-" + replyTopic, new KafkaConsumer<>(kafka.consumer("bench-echo-client", null)),
                List.of(new TopicPartition(replyTopic, 0)), this::onEcho));
    }

    private void echo(ConsumerRecord<byte[], byte[]> request) {
        ReplyAddress replyTo = Envelope.from(request.headers()).replyTo();
        RecordHeaders headers = new RecordHeaders();
        replyTo.echoTo(headers);
        producer.send(new ProducerRecord<>(replyTo.topic(), replyTo.partition(), null, null, ECHO, headers));
    }

    private void onEcho(ConsumerRecord<byte[], byte[]> reply) {
        Long id = CorrelationId.sequenceFor(incarnation, reply.headers());
        Pending p = id == null ? null : pending.get(id);
        if (p != null && p.echoes().incrementAndGet() == w) {
            pending.remove(id);
            p.done().complete(true);
        }
    }

    /** A target that sends {@code payload} (keyed like kquorum's requests) and waits for W echoes. */
    Target target(byte[] payload) {
        return i -> call(i, ("key-" + (i % 1000)).getBytes(StandardCharsets.UTF_8), payload);
    }

    /** Sends {@code payload} to all N under call id {@code id} (unique among calls in flight); done at the W-th echo. */
    CompletableFuture<Boolean> call(long id, byte[] key, byte[] payload) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        pending.put(id, new Pending(new AtomicInteger(), done));
        Envelope envelope = Envelope.request(new CorrelationId(incarnation, id), replyTopic, 0, null);
        for (String topic : replicaTopics) {
            producer.send(new ProducerRecord<>(topic, null, null, key, payload, envelope.headers()));
        }
        return done;
    }

    /** Forgets calls still waiting, between phases (their ids are reused). */
    void reset() {
        pending.clear();
    }

    @Override
    public void close() throws InterruptedException {
        for (ConsumerLoop loop : loops) {
            loop.close();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
