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
 * Everything a worker needs to run one replica, or its share of one.
 *
 * @param dataDir     the state directory: the stores of the partitions this process runs
 * @param partitions  partitions of the replica topic when the worker creates it
 * @param standbys    warm copies of each partition's store kept by other processes of the replica
 *                    ({@code num.standby.replicas}), so a partition resumes at once when its process dies
 * @param rules       what the replica's rules depend on: limits, max clock offset, grace and dedup periods
 * @param retentionMs {@code retention.ms} of the replica topic when the worker creates it: -1 (infinite,
 *                    the default) or at least the tombstone grace period plus {@link #RETENTION_MARGIN}
 */
public record WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                           int partitions, int standbys, ReplicaRules rules, long retentionMs) {

    /** As long as Cassandra's gc_grace_seconds: time for every replica to learn of a delete. */
    public static final Duration DEFAULT_TOMBSTONE_GRACE = ReplicaRules.DEFAULT_TOMBSTONE_GRACE;

    /**
     * How much longer than the tombstone grace period a replica topic must keep its records: a
     * worker that is down for a while must still find, on its topic, every delete it has not applied
     * before the other replicas purge their tombstones.
     */
    public static final Duration RETENTION_MARGIN = Duration.ofDays(1);

    /** Kafka's value for "keep records forever". */
    public static final long INFINITE_RETENTION = -1;

    /** One warm copy of each partition, on another process, whenever more than one runs the replica. */
    public static final int DEFAULT_STANDBYS = 1;

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir, Limits limits, int partitions) {
        this(replicaId, kafka, topics, dataDir, limits, partitions, DEFAULT_TOMBSTONE_GRACE);
    }

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                        Limits limits, int partitions, Duration tombstoneGrace) {
        this(replicaId, kafka, topics, dataDir, limits, partitions, tombstoneGrace, INFINITE_RETENTION);
    }

    public WorkerConfig(String replicaId, KafkaSettings kafka, TopicNames topics, Path dataDir,
                        Limits limits, int partitions, Duration tombstoneGrace, long retentionMs) {
        this(replicaId, kafka, topics, dataDir, partitions, DEFAULT_STANDBYS,
                new ReplicaRules(limits, MaxClockOffset.DEFAULT, tombstoneGrace, ReplicaRules.DEFAULT_DEDUP_WINDOW), retentionMs);
    }

    public WorkerConfig {
        TopicNames.requireLegal("replica id", replicaId);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(rules, "rules");
        if (retentionMs != INFINITE_RETENTION && retentionMs < minimumRetentionMs(rules.tombstoneGrace())) {
            throw new IllegalArgumentException("retention " + retentionMs + " ms is shorter than the tombstone grace period ("
                    + rules.tombstoneGrace() + ") plus a margin of " + RETENTION_MARGIN + ": use at least "
                    + minimumRetentionMs(rules.tombstoneGrace()) + " ms, or -1 for infinite");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (standbys < 0) {
            throw new IllegalArgumentException("standbys must be 0 or more, got " + standbys);
        }
    }
    /** The shortest {@code retention.ms} a replica topic may have with this tombstone grace period. */
    public static long minimumRetentionMs(Duration tombstoneGrace) {
        return tombstoneGrace.plus(RETENTION_MARGIN).toMillis();
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

    /** The replica's Kafka Streams application: every process running this replica shares it. */
    public String applicationId() {
        return applicationId(topics, replicaId);
    }

    /** Replica {@code replicaId}'s Kafka Streams application id, which is also its consumer group. */
    public static String applicationId(TopicNames topics, String replicaId) {
        return topics.prefix() + ".replica." + replicaId;
    }

    /** The changelog topic of replica {@code replicaId}'s stores, which Kafka Streams names and creates. */
    public static String changelogTopic(TopicNames topics, String replicaId) {
        return applicationId(topics, replicaId) + "-" + ReplicaTopology.STORE + "-changelog";
    }

    public String dlqTopic() {
        return topics.replicaDlq(replicaId);
    }
}
