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

    /** Removes every entry the predicate (key, what is held) says can go; returns how many. */
    int purge(BiPredicate<String, Versioned> purgeable);

    /** Writes the batch's values and offsets atomically: all of them or none. */
    void commit(StoreBatch batch);

    @Override
    void close();
}
