package dev.kquorum.replica.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.replica.ReplicaRules;

/**
 * Everything a worker needs to run one replica.
 *
 * @param fsync      sync the store's write-ahead log on every batch (survives power loss, costs latency)
 * @param partitions partitions of the replica topic when the worker creates it
 * @param rules      what the replica's rules depend on: limits, max clock offset, grace and dedup periods
 */
public record WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                           boolean fsync, int partitions, ReplicaRules rules) {

    /** As long as Cassandra's gc_grace_seconds: time for every replica to learn of a delete. */
    public static final Duration DEFAULT_TOMBSTONE_GRACE = ReplicaRules.DEFAULT_TOMBSTONE_GRACE;

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                        Limits limits, boolean fsync, int partitions) {
        this(replicaId, kafka, topics, dataDir, limits, fsync, partitions, DEFAULT_TOMBSTONE_GRACE);
    }

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                        Limits limits, boolean fsync, int partitions, Duration tombstoneGrace) {
        this(replicaId, kafka, topics, dataDir, fsync, partitions,
                new ReplicaRules(limits, MaxClockOffset.DEFAULT, tombstoneGrace, ReplicaRules.DEFAULT_DEDUP_WINDOW));
    }

    public WorkerConfig {
        TopicNames.requireLegal("replica id", replicaId);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(rules, "rules");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    public Limits limits() {
        return rules.limits();
    }

    public Duration tombstoneGrace() {
        return rules.tombstoneGrace();
    }

    public String topic() {
        return topics.replica(replicaId);
    }

    public String dlqTopic() {
        return topics.replicaDlq(replicaId);
    }
}
