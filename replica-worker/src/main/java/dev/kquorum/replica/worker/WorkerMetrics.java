package dev.kquorum.replica.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.replica.Replica;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * What an operator watches on a worker: apply rate, batch sizes and times, lag, dead letters,
 * replies that could not be delivered, partitions it refuses to serve.
 */
final class WorkerMetrics {

    private final Counter writes;
    private final Counter reads;
    private final Counter expiredReads;
    private final Counter deadLetters;
    private final Counter refused;
    private volatile String lastRefusal;
    private final Counter purged;
    private final DistributionSummary batchSize;
    private final Timer applyTime;
    private final Counter deadLetterReferences;
    private final Counter repliesUndeliverable;
    private final Counter repliesFailed;
    private final DistributionSummary purgeScanned;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong outOfRetention = new AtomicLong();

    WorkerMetrics(MeterRegistry registry, String replicaId) {
        Tags replica = Tags.of("replica", replicaId);
        writes = counter(registry, "kquorum.worker.requests.applied", replica.and("type", "write"), "Requests applied to the store");
        reads = counter(registry, "kquorum.worker.requests.applied", replica.and("type", "read"), "Requests applied to the store");
        expiredReads = counter(registry, "kquorum.worker.reads.expired", replica, "Reads skipped because their deadline had passed");
        deadLetters = counter(registry, "kquorum.worker.dlq", replica, "Records sent to the dead-letter topic");
        refused = counter(registry, "kquorum.worker.requests.refused", replica,
                "Writes refused by the replica's rules (a version beyond the max clock offset, a reused version)");
        purged = counter(registry, "kquorum.worker.tombstones.purged", replica, "Tombstones removed after their grace period");
        batchSize = DistributionSummary.builder("kquorum.worker.batch.size").tags(replica)
                .description("Records per polled batch").register(registry);
        applyTime = Timer.builder("kquorum.worker.batch.apply").tags(replica)
                .description("Time to apply and commit one batch").register(registry);
        deadLetterReferences = counter(registry, "kquorum.worker.dlq.references", replica,
                "Dead letters too large to write whole, written as a reference to their record");
        repliesUndeliverable = counter(registry, "kquorum.worker.replies.undeliverable", replica,
                "Replies dropped because their requester named a reply address that cannot be written");
        repliesFailed = counter(registry, "kquorum.worker.replies.failed", replica,
                "Reply sends that Kafka failed for a while; each is sent again");
        purgeScanned = DistributionSummary.builder("kquorum.worker.purge.scanned").tags(replica)
                .description("Keys looked at by one step of the tombstone purge").register(registry);
        Gauge.builder("kquorum.worker.partitions.out.of.retention", outOfRetention, AtomicLong::get).tags(replica)
                .description("Partitions whose unapplied records were deleted: served no more until the replica is rebuilt")
                .register(registry);
        Gauge.builder("kquorum.worker.lag", lag, AtomicLong::get).tags(replica)
                .description("Records in the replica topic not yet applied").register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, Tags tags, String description) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }

    void decided(Replica.Decision decision) {
        switch (decision.kind()) {
            case WRITE -> writes.increment();
            case READ -> reads.increment();
            case STALE -> expiredReads.increment();
            case REFUSED -> {
                refused.increment();
                lastRefusal = ((ReplicaReply.Invalid) decision.reply()).error();
            }
            case UNREADABLE -> { }
        }
    }

    /** The reason of the last refused write, or null: shown by /health. */
    String lastRefusal() {
        return lastRefusal;
    }

    long refusals() {
        return (long) refused.count();
    }

    void deadLettered() {
        deadLetters.increment();
    }

    void purged(int n) {
        purged.increment(n);
    }

    void deadLetterReference() {
        deadLetterReferences.increment();
    }

    void replyUndeliverable() {
        repliesUndeliverable.increment();
    }

    void replyFailed() {
        repliesFailed.increment();
    }

    void purgeStep(int scanned) {
        purgeScanned.record(scanned);
    }

    void outOfRetention(int partitions) {
        outOfRetention.set(partitions);
    }

    void batch(int records, long nanos) {
        batchSize.record(records);
        applyTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    void lag(long records) {
        lag.set(records);
    }

    long lag() {
        return lag.get();
    }
}
