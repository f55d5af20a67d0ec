package dev.kquorum.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Versioned;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import java.nio.charset.StandardCharsets;

/**
 * Asks one replica directly what it holds for a key, bypassing the quorum: how the demo shows
 * each replica's own view, stale or not.
 */
final class ReplicaInspector implements AutoCloseable {

    private final TopicNames topics;
    private final String replyTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long incarnation = CorrelationId.newIncarnation();
    private long next;

    ReplicaInspector(KafkaSettings kafka, TopicNames topics) {
        this.topics = topics;
        this.replyTopic = topics.prefix() + ".inspector.replies";
        TopicAdmin.ensure(kafka, Map.of(replyTopic, 1));
        this.producer = new KafkaProducer<>(kafka.producer("kq-demo-inspector"));
        this.consumer = new KafkaConsumer<>(kafka.consumer("kq-demo-inspector", null));
        TopicPartition tp = new TopicPartition(replyTopic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToEnd(List.of(tp));
        consumer.position(tp);
    }

    /** What each replica holds for each key ("absent" when nothing, "?" when it did not answer in time). */
    Map<String, Map<String, String>> table(List<String> replicas, List<String> keys, Duration wait) {
        Map<Long, String[]> asked = new HashMap<>();
        for (String replica : replicas) {
            for (String key : keys) {
                long id = next++;
                asked.put(id, new String[] {replica, key});
                Envelope envelope = Envelope.request(new CorrelationId(incarnation, id), replyTopic, 0,
                        System.currentTimeMillis() + wait.toMillis());
                producer.send(new ProducerRecord<>(topics.replica(replica), null, null, KqHeaders.utf8(key),
                        ProtocolCodec.encode(new ReplicaRequest.Read(key)), envelope.headers()));
            }
        }
        producer.flush();
        Map<String, Map<String, String>> table = new HashMap<>();
        for (String[] rk : asked.values()) {
            table.computeIfAbsent(rk[0], r -> new HashMap<>()).put(rk[1], "?");
        }
        int answered = 0;
        long deadline = System.nanoTime() + wait.toNanos();
        while (answered < asked.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                Long id = CorrelationId.sequenceFor(incarnation, r.headers());
                String[] rk = id == null ? null : asked.get(id);
                if (rk != null && ProtocolCodec.decodeReplicaReply(r.value()) instanceof ReplicaReply.Value v) {
                    table.get(rk[0]).put(rk[1], describe(v.held()));
                    answered++;
                }
            }
        }
        return table;
    }

    private static String describe(Versioned held) {
        if (held == null) {
            return "absent";
        }
        return (held.isTombstone() ? "deleted" : new String(held.value(), StandardCharsets.UTF_8)) + " @" + held.version();
    }

    static String render(Map<String, Map<String, String>> table, List<String> replicas, List<String> keys) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("  %-10s", "key"));
        for (String r : replicas) {
            s.append(String.format(" | %-36s", r));
        }
        s.append('\n');
        for (String key : keys) {
            s.append(String.format("  %-10s", key));
            for (String r : replicas) {
                s.append(String.format(" | %-36s", table.getOrDefault(r, Map.of()).getOrDefault(key, "?")));
            }
            s.append('\n');
        }
        return s.toString();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
        consumer.close(Duration.ofSeconds(2));
    }
}
