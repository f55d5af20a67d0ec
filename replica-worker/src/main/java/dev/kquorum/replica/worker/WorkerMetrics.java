package dev.kquorum.replica.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.replica.Replica;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
        writes = Counter.builder("kquorum.worker.requests.applied").tag("replica", replicaId).tag("type", "write")
                .description("Requests applied to the store").register(registry);
        reads = Counter.builder("kquorum.worker.requests.applied").tag("replica", replicaId).tag("type", "read")
                .description("Requests applied to the store").register(registry);
        expiredReads = Counter.builder("kquorum.worker.reads.expired").tag("replica", replicaId)
                .description("Reads skipped because their deadline had passed").register(registry);
        deadLetters = Counter.builder("kquorum.worker.dlq").tag("replica", replicaId)
                .description("Records sent to the dead-letter topic").register(registry);
        refused = Counter.builder("kquorum.worker.requests.refused").tag("replica", replicaId)
                .description("Writes refused by the replica's rules (a version beyond the max clock offset, a reused version)")
                .register(registry);
        purged = Counter.builder("kquorum.worker.tombstones.purged").tag("replica", replicaId)
                .description("Tombstones removed after their grace period").register(registry);
        batchSize = DistributionSummary.builder("kquorum.worker.batch.size").tag("replica", replicaId)
                .description("Records per polled batch").register(registry);
        applyTime = Timer.builder("kquorum.worker.batch.apply").tag("replica", replicaId)
                .description("Time to apply and commit one batch").register(registry);
        deadLetterReferences = Counter.builder("kquorum.worker.dlq.references").tag("replica", replicaId)
                .description("Dead letters too large to write whole, written as a reference to their record").register(registry);
        repliesUndeliverable = Counter.builder("kquorum.worker.replies.undeliverable").tag("replica", replicaId)
                .description("Replies dropped because their requester named a reply address that cannot be written").register(registry);
        repliesFailed = Counter.builder("kquorum.worker.replies.failed").tag("replica", replicaId)
                .description("Reply sends that Kafka failed for a while; each is sent again").register(registry);
        purgeScanned = DistributionSummary.builder("kquorum.worker.purge.scanned").tag("replica", replicaId)
                .description("Keys looked at by one step of the tombstone purge").register(registry);
        Gauge.builder("kquorum.worker.partitions.out.of.retention", outOfRetention, AtomicLong::get).tag("replica", replicaId)
                .description("Partitions whose unapplied records were deleted: served no more until the replica is rebuilt")
                .register(registry);
        Gauge.builder("kquorum.worker.lag", lag, AtomicLong::get).tag("replica", replicaId)
                .description("Records in the replica topic not yet applied").register(registry);
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
