package dev.kquorum.replica.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's offsets committed to its consumer group. They are for Kafka's lag tools only (the
 * store is the truth, and positions come from it), so a commit is sent at most once a second and a
 * failed one is merely logged. Used on the worker's loop thread only.
 */
final class GroupCommits {

    private static final Logger log = LoggerFactory.getLogger(GroupCommits.class);
    /** For lag tools, once a second is plenty. */
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String replicaId;
    private final String topic;
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private long lastCommitNanos = System.nanoTime() - INTERVAL_NANOS;

    GroupCommits(KafkaConsumer<byte[], byte[]> consumer, String replicaId, String topic) {
        this.consumer = consumer;
        this.replicaId = replicaId;
        this.topic = topic;
    }

    /** Records the next offsets of a committed batch, by partition; commits them if the last commit is a second old. */
    void applied(Map<Integer, Long> offsets) {
        offsets.forEach((partition, next) -> uncommitted.put(new TopicPartition(topic, partition), new OffsetAndMetadata(next)));
        long now = System.nanoTime();
        if (now - lastCommitNanos < INTERVAL_NANOS) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>(uncommitted);
        uncommitted.clear();
        consumer.commitAsync(commit, (done, error) -> {
            if (error != null) {
                log.debug("Replica {}: group commit failed (the store keeps the truth): {}", replicaId, error.getMessage());
            }
        });
    }

    /** Commits what is left, waiting for it: the loop is ending. */
    void flush() {
        if (!uncommitted.isEmpty()) {
            try {
                consumer.commitSync(uncommitted, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Replica {}: last group commit failed (the store keeps the truth): {}", replicaId, e.getMessage());
            }
        }
    }
}
