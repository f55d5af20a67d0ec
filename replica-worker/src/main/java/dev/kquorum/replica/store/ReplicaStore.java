package dev.kquorum.replica.store;

import java.util.Map;
import java.util.function.BiPredicate;

import dev.kquorum.common.version.Versioned;

/**
 * A replica's durable state: a versioned value per key, and the position in the replica's topic
 * up to which requests have been applied. Both change together in one atomic {@link #commit}, so
 * after a crash the store never holds an effect without its offset or an offset without its
 * effect: resuming from the stored positions is exactly-once in effect.
 */
public interface ReplicaStore extends AutoCloseable {

    /** What is held for {@code key}, or null. */
    Versioned get(String key);

    /** How far each partition of the replica's topic has been applied; empty for a new store. */
    Map<Integer, PartitionPosition> positions();

    /** Removes every entry the predicate (key, what is held) says can go, in one pass; returns how many. */
    default int purge(BiPredicate<String, Versioned> purgeable) {
        int purged = 0;
        PurgeChunk chunk = purge(purgeable, null, Integer.MAX_VALUE);
        purged += chunk.purged();
        while (chunk.resumeFrom() != null) {
            chunk = purge(purgeable, chunk.resumeFrom(), Integer.MAX_VALUE);
            purged += chunk.purged();
        }
        return purged;
    }

    /**
     * One bounded step of a purge pass: looks at no more than {@code maxKeys} keys, in key order,
     * from {@code from} (null: the first key), and removes those the predicate says can go. A
     * whole pass over a large store would hold up the requests waiting behind it; in steps, it
     * runs between batches.
     */
    PurgeChunk purge(BiPredicate<String, Versioned> purgeable, String from, int maxKeys);

    /**
     * What one purge step did.
     *
     * @param resumeFrom the first key the step did not look at, or null when the pass is done
     */
    record PurgeChunk(int scanned, int purged, String resumeFrom) {
    }

    /** Writes the batch's values and offsets atomically: all of them or none. */
    void commit(StoreBatch batch);

    @Override
    void close();
}
