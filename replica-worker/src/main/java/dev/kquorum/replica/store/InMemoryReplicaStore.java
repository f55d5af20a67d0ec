package dev.kquorum.replica.store;

import java.util.Map;
import java.util.function.BiPredicate;
import java.util.concurrent.ConcurrentHashMap;

import dev.kquorum.common.version.Versioned;

/** A store in memory, for tests and simulations: the same contract, no durability. */
public final class InMemoryReplicaStore implements ReplicaStore {

    private final Map<String, Versioned> values = new ConcurrentHashMap<>();
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
    public synchronized int purge(BiPredicate<String, Versioned> purgeable) {
        int before = values.size();
        values.entrySet().removeIf(e -> purgeable.test(e.getKey(), e.getValue()));
        return before - values.size();
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
