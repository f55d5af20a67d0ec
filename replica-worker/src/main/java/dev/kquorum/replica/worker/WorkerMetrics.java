package dev.kquorum.replica.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

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
    private final Timer applyTime;
    private final Counter deadLetterReferences;
    private final Counter repliesUndeliverable;
    private final DistributionSummary purgeScanned;
    private final Counter restored;
    private final AtomicLong outOfRetention = new AtomicLong();
    private final MeterRegistry registry;
    private final Tags tags;

    WorkerMetrics(MeterRegistry registry, String replicaId) {
        Tags replica = Tags.of("replica", replicaId);
        writes = counter(registry, "kquorum.worker.requests.applied", replica.and("type", "write"), "Requests applied to the store");
        reads = counter(registry, "kquorum.worker.requests.applied", replica.and("type", "read"), "Requests applied to the store");
        expiredReads = counter(registry, "kquorum.worker.reads.expired", replica, "Reads skipped because their deadline had passed");
        deadLetters = counter(registry, "kquorum.worker.dlq", replica, "Records sent to the dead-letter topic");
        refused = counter(registry, "kquorum.worker.requests.refused", replica,
                "Writes refused by the replica's rules (a version beyond the max clock offset, a reused version)");
        purged = counter(registry, "kquorum.worker.tombstones.purged", replica, "Tombstones removed after their grace period");
        applyTime = Timer.builder("kquorum.worker.apply").tags(replica)
                .description("Time to apply one request to the store and hand on its reply").register(registry);
        deadLetterReferences = counter(registry, "kquorum.worker.dlq.references", replica,
                "Dead letters too large to write whole, written as a reference to their record");
        repliesUndeliverable = counter(registry, "kquorum.worker.replies.undeliverable", replica,
                "Replies dropped because their requester named a reply address that cannot be written");
        purgeScanned = DistributionSummary.builder("kquorum.worker.purge.scanned").tags(replica)
                .description("Keys looked at by one step of the tombstone purge").register(registry);
        restored = counter(registry, "kquorum.worker.restored", replica,
                "Store entries restored from changelogs (a partition taken over, or a lost state directory)");
        Gauge.builder("kquorum.worker.partitions.out.of.retention", outOfRetention, AtomicLong::get).tags(replica)
                .description("Partitions whose unapplied records were deleted: served no more until the replica is rebuilt")
                .register(registry);
        this.registry = registry;
        this.tags = replica;
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

    void purgeStep(int scanned) {
        purgeScanned.record(scanned);
    }

    void applied(long nanos) {
        applyTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    void outOfRetention(int partitions) {
        outOfRetention.set(partitions);
    }

    void restored(long entries) {
        restored.increment(entries);
    }

    /** Gauges read from the worker when scraped. */
    void gauges(ToDoubleFunction<ReplicaWorker> lag, ToDoubleFunction<ReplicaWorker> restoring, ReplicaWorker worker) {
        Gauge.builder("kquorum.worker.lag", worker, lag).tags(tags)
                .description("Records in the replica topic not yet applied, over the partitions this process runs").register(registry);
        Gauge.builder("kquorum.worker.partitions.restoring", worker, restoring).tags(tags)
                .description("Partitions whose stores are being restored from their changelogs").register(registry);
    }
}
