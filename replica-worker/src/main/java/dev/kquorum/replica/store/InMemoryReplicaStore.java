package dev.kquorum.replica.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.function.BiPredicate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.kquorum.common.version.Versioned;

/** A store in memory, for tests and simulations: the same contract, no durability. */
public final class InMemoryReplicaStore implements ReplicaStore {

    /** Sorted, so that a purge can resume where its last step stopped. */
    private final NavigableMap<String, Versioned> values = new ConcurrentSkipListMap<>();
    private final Map<Integer, PartitionPosition> positions = new ConcurrentHashMap<>();

    @Override
    public Versioned get(String key) {
        return values.get(key);
    }

    @Override
    public Map<Integer, PartitionPosition> positions() {
        return Map.copyOf(positions);
    }

    @Override
    public synchronized PurgeChunk purge(BiPredicate<String, Versioned> purgeable, String from, int maxKeys) {
        int scanned = 0;
        int purged = 0;
        for (Map.Entry<String, Versioned> e : (from == null ? values : values.tailMap(from, true)).entrySet()) {
            if (scanned == maxKeys) {
                return new PurgeChunk(scanned, purged, e.getKey());
            }
            scanned++;
            if (purgeable.test(e.getKey(), e.getValue())) {
                values.remove(e.getKey());
                purged++;
            }
        }
        return new PurgeChunk(scanned, purged, null);
    }

    @Override
    public synchronized void commit(StoreBatch batch) {
        values.putAll(batch.values());
        positions.putAll(batch.positions());
    }

    @Override
    public void close() {
        // nothing to release
    }
}
