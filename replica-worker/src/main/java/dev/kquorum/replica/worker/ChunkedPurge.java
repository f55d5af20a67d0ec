package dev.kquorum.replica.worker;

import java.util.concurrent.TimeUnit;

import dev.kquorum.replica.Replica;
import dev.kquorum.replica.store.ReplicaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's purge of expired entries, stepped by a punctuator between records. Every tenth of
 * the shorter of the grace period and the dedup window (at most hourly), a pass drops tombstones
 * and request identities past them: {@link #CHUNK} keys per step, so requests never wait behind a
 * scan of the whole store. What is expired is the replica's rule; it is judged by wall-clock time,
 * as versions are, fixed for the whole pass.
 */
final class ChunkedPurge {

    private static final Logger log = LoggerFactory.getLogger(ChunkedPurge.class);
    /** Keys the purge looks at per step: a few milliseconds of RocksDB reads. */
    static final int CHUNK = 1_000;

    private final WorkerConfig config;
    private final StoreState store;
    private final Replica replica;
    private final WorkerMetrics metrics;
    private final long everyNanos;
    private long lastPassNanos = System.nanoTime();
    /** Where the pass under way resumes, or null when none is. */
    private String resumeFrom;
    private long passNowMillis;
    private boolean passing;

    ChunkedPurge(WorkerConfig config, StoreState store, Replica replica, WorkerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.replica = replica;
        this.metrics = metrics;
        this.everyNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs(config));
    }

    /** How often a pass starts: a tenth of the shorter period, between 1 s and an hour. */
    static long intervalMs(WorkerConfig config) {
        long shortest = Math.min(config.tombstoneGrace().toMillis(), config.rules().dedupWindow().toMillis());
        return Math.max(1_000, Math.min(shortest / 10, 3_600_000));
    }

    /** One step, if a pass is under way or due. */
    void step() {
        if (!passing) {
            long now = System.nanoTime();
            if (now - lastPassNanos < everyNanos) {
                return;
            }
            lastPassNanos = now;
            passing = true;
            resumeFrom = null;
            passNowMillis = System.currentTimeMillis();
        }
        long at = passNowMillis;
        ReplicaStore.PurgeChunk chunk = store.purge((key, held) -> !key.equals(ReplicaProcessor.REFUSAL) && !key.equals(ReplicaProcessor.NEXT_OFFSET)
                && replica.purgeable(key, held, at),
                resumeFrom, CHUNK);
        metrics.purgeStep(chunk.scanned());
        resumeFrom = chunk.resumeFrom();
        passing = resumeFrom != null;
        if (chunk.purged() > 0) {
            metrics.purged(chunk.purged());
            log.debug("Replica {} purged {} expired entries (tombstones older than {}, request identities older than {})",
                    config.replicaId(), chunk.purged(), config.tombstoneGrace(), config.rules().dedupWindow());
        }
    }
}
