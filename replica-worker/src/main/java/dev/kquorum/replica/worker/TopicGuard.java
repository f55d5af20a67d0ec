package dev.kquorum.replica.worker;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import dev.kquorum.common.kafka.TopicAdmin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the replica topic for changes that would make a worker skip requests without a word:
 * a retention shorter than the tombstone grace period, records deleted before they were applied,
 * partitions added (which moves keys between partitions). Each is refused loudly: an ERROR in the
 * log, a reason on {@code /health}, a metric. The worker serves nothing from a partition that fell
 * out of retention, and the partition's store remembers it ({@link ReplicaProcessor}), so the
 * refusal outlives the offsets that move past it; rebuilding such a replica is an operator's step.
 */
final class TopicGuard {

    private static final Logger log = LoggerFactory.getLogger(TopicGuard.class);

    private final String replicaId;
    private final WorkerMetrics metrics;
    /** Written by stream threads and at start, read by /health: replaced whole, never changed in place. */
    private volatile Map<TopicPartition, String> refusedPartitions = Map.of();
    private volatile String partitionCountProblem;

    TopicGuard(String replicaId, WorkerMetrics metrics) {
        this.replicaId = replicaId;
        this.metrics = metrics;
    }

    /**
     * Refuses, with one line naming the topic, setting, value and what is needed, a replica topic
     * that may delete records before a replica that is down for a while has applied them.
     *
     * @param topicConfig the topic's effective configuration
     */
    static void checkRetention(String topic, Map<String, String> topicConfig, Duration tombstoneGrace, String bootstrap) {
        long needed = WorkerConfig.minimumRetentionMs(tombstoneGrace);
        String fix = " (kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name "
                + topic + " --add-config ";
        long retentionMs = Long.parseLong(topicConfig.getOrDefault("retention.ms", "-1"));
        if (retentionMs >= 0 && retentionMs < needed) {
            throw new IllegalStateException("topic " + topic + " has retention.ms=" + retentionMs + " (" + human(retentionMs)
                    + "), shorter than the tombstone grace period (" + human(tombstoneGrace.toMillis()) + ") plus a margin of "
                    + human(WorkerConfig.RETENTION_MARGIN.toMillis()) + ": it needs retention.ms of at least " + needed
                    + " or -1 (infinite)" + fix + "retention.ms=-1)");
        }
        long retentionBytes = Long.parseLong(topicConfig.getOrDefault("retention.bytes", "-1"));
        if (retentionBytes >= 0) {
            throw new IllegalStateException("topic " + topic + " has retention.bytes=" + retentionBytes
                    + ": Kafka may delete records a replica has not applied yet whenever the partition grows past it;"
                    + " it needs retention.bytes=-1" + fix + "retention.bytes=-1)");
        }
        String cleanup = topicConfig.getOrDefault("cleanup.policy", "delete");
        if (cleanup.contains("compact")) {
            throw new IllegalStateException("topic " + topic + " has cleanup.policy=" + cleanup
                    + ": compaction drops requests a replica may not have applied yet; it needs cleanup.policy=delete"
                    + fix + "cleanup.policy=delete)");
        }
    }

    private static String human(long ms) {
        return ms % 86_400_000 == 0 ? ms / 86_400_000 + " days" : ms + " ms";
    }

    /** The replica's committed position in {@code tp} is below the partition's log start offset. */
    void fellOutOfRetention(TopicPartition tp, long storedOffset, long logStart) {
        refuse(tp, "partition " + tp + ": stored offset " + storedOffset + " is below the log start " + logStart
                + ": records " + storedOffset + ".." + (logStart - 1) + " were deleted before this replica applied them."
                + " It serves nothing from this partition until it is rebuilt");
    }

    /** The next record of {@code tp} the replica was given is not the one its store expects. */
    void skipped(TopicPartition tp, long expected, long given) {
        refuse(tp, "partition " + tp + ": stored offset " + expected + " is below the next record it was given (" + given
                + "): records " + expected + ".." + (given - 1) + " were deleted before this replica applied them (retention,"
                + " or a replica down past its group's offsets), or the topic was recreated."
                + " It serves nothing from this partition until it is rebuilt");
    }

    /** {@code tp}'s store says it was refused before, for {@code reason}. */
    void refusedBefore(TopicPartition tp, String reason) {
        refuse(tp, reason);
    }

    /** Why {@code tp} is refused, or null. */
    String reason(TopicPartition tp) {
        return refusedPartitions.get(tp);
    }

    private synchronized void refuse(TopicPartition tp, String reason) {
        if (reason.equals(refusedPartitions.get(tp))) {
            return;
        }
        log.error("Replica {}: {}", replicaId, reason);
        Map<TopicPartition, String> refused = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        refused.putAll(refusedPartitions);
        refused.put(tp, reason);
        refusedPartitions = Map.copyOf(refused);
        metrics.outOfRetention(refused.size());
    }

    boolean refuses(TopicPartition tp) {
        return refusedPartitions.containsKey(tp);
    }

    /** The topic had {@code atStart} partitions when the worker started and has {@code now}. */
    void partitionCount(String topic, int atStart, int now) {
        if (now == atStart || partitionCountProblem != null) {
            return;
        }
        partitionCountProblem = "topic " + topic + " had " + atStart + " partition(s) at start and has now " + now
                + ": keys have moved between partitions, which a replica topic must never do. The worker does not"
                + " consume the new partitions; restore the topic or rebuild the replica";
        log.error("Replica {}: {}", replicaId, partitionCountProblem);
    }

    /** Why the worker is not serving everything it should, or null when it is. */
    String problem() {
        Map<TopicPartition, String> refused = refusedPartitions;
        String partitions = partitionCountProblem;
        if (refused.isEmpty() && partitions == null) {
            return null;
        }
        StringBuilder why = new StringBuilder();
        refused.values().forEach(reason -> why.append(why.isEmpty() ? "" : "; ").append(reason));
        if (partitions != null) {
            why.append(why.isEmpty() ? "" : "; ").append(partitions);
        }
        return why.toString();
    }
}
