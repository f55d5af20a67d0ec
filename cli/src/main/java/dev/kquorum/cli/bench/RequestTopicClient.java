package dev.kquorum.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.Status;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A client of a request topic as any external system is one: a plain producer that publishes a
 * JSON request with Spring's reply headers ({@code kafka_replyTopic}, {@code kafka_correlationId}),
 * and a plain consumer of its own reply topic that matches answers by correlation id. Many calls
 * may be in flight at once, as with Spring's {@code ReplyingKafkaTemplate}.
 */
final class RequestTopicClient implements AutoCloseable {

    private final String requestTopic;
    private final String replyTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final long incarnation = CorrelationId.newIncarnation();
    private final Map<Long, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();
    private final ConsumerLoop answers;
    private final AtomicLong calls = new AtomicLong();

    RequestTopicClient(KafkaSettings kafka, String requestTopic, String replyTopic) {
        this.requestTopic = requestTopic;
        this.replyTopic = replyTopic;
        TopicAdmin.ensure(kafka, Map.of(replyTopic, 1));
        producer = new KafkaProducer<>(kafka.producer("bench-client-" + replyTopic));
        answers = new ConsumerLoop("bench-client-" + replyTopic, new KafkaConsumer<>(kafka.consumer("bench-client-" + replyTopic, null)),
                List.of(new TopicPartition(replyTopic, 0)), this::onAnswer);
    }

    private void onAnswer(ConsumerRecord<byte[], byte[]> answer) {
        Long id = CorrelationId.sequenceFor(incarnation, answer.headers());
        CompletableFuture<Boolean> call = id == null ? null : pending.remove(id);
        if (call != null) {
            call.complete(ProtocolCodec.decodeOutcome(answer.value()).status() != Status.QUORUM_NOT_REACHED);
        }
    }

    /**
     * A target that publishes {@code body.apply(i)} keyed by {@code key.apply(i)}, and succeeds when
     * the answer is not QUORUM_NOT_REACHED (a get of a missing key is an answer too).
     */
    Target target(LongFunction<String> key, LongFunction<byte[]> body) {
        return i -> {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            long id = calls.incrementAndGet();
            pending.put(id, done);
            Envelope envelope = Envelope.request(new CorrelationId(incarnation, id), replyTopic, null, null);
            producer.send(new ProducerRecord<>(requestTopic, null, null, key.apply(i).getBytes(UTF_8),
                    body.apply(i), envelope.headers()), (metadata, error) -> {
                        if (error != null && pending.remove(id) != null) {
                            done.completeExceptionally(error);
                        }
                    });
            return done;
        };
    }

    /** Forgets calls still waiting, between phases. */
    void reset() {
        List<CompletableFuture<Boolean>> waiting = new ArrayList<>(pending.values());
        pending.clear();
        waiting.forEach(f -> f.complete(false));
    }

    @Override
    public void close() throws InterruptedException {
        answers.close();
        producer.close(Duration.ofSeconds(2));
    }
}
