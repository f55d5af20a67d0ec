package dev.kquorum.replica.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;

/**
 * Everything a worker needs to run one replica.
 *
 * @param partitions partitions of the replica topic when the worker creates it
 * @param fsync      sync the store's write-ahead log on every batch (survives power loss, costs latency)
 */
public record WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                           Limits limits, boolean fsync, int partitions, Duration tombstoneGrace) {

    /** As long as Cassandra's gc_grace_seconds: time for every replica to learn of a delete. */
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofDays(10);

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                        Limits limits, boolean fsync, int partitions) {
        this(replicaId, kafka, topics, dataDir, limits, fsync, partitions, DEFAULT_TOMBSTONE_GRACE);
    }

    public WorkerConfig {
        TopicNames.requireLegal("replica id", replicaId);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(limits, "limits");
        if (tombstoneGrace == null || tombstoneGrace.isNegative() || tombstoneGrace.isZero()) {
            throw new IllegalArgumentException("tombstone grace must be positive, got " + tombstoneGrace);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }


    public String topic() {
        return topics.replica(replicaId);
    }

    public String dlqTopic() {
        return topics.replicaDlq(replicaId);
    }
}
