package dev.kquorum.replica.store;

import java.util.Map;

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

    /** Removes tombstones whose version is older than {@code cutoffPhysicalMillis}; returns how many. */
    int purgeTombstones(long cutoffPhysicalMillis);

    /** Writes the batch's values and offsets atomically: all of them or none. */
    void commit(StoreBatch batch);

    @Override
    void close();
}
