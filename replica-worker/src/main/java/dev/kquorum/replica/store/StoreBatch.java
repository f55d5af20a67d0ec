package dev.kquorum.replica.store;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.VersionedState;

/**
 * The changes of one polled batch, not yet committed: values written and positions reached. Reads
 * see the batch's own writes first, so requests for one key in one batch apply in order.
 */
public final class StoreBatch implements VersionedState {

    private final ReplicaStore store;
    private final Map<String, Versioned> values = new LinkedHashMap<>();
    private final Map<Integer, Long> offsets = new HashMap<>();
    private final Map<Integer, Long> replayFrom = new HashMap<>();

    public StoreBatch(ReplicaStore store) {
        this.store = store;
    }

    @Override
    public Versioned get(String key) {
        Versioned pending = values.get(key);
        return pending != null ? pending : store.get(key);
    }

    @Override
    public void put(String key, Versioned value) {
        values.put(key, value);
    }

    /** Records that every record of {@code partition} before {@code nextOffset} is applied. */
    public void consumed(int partition, long nextOffset) {
        offsets.merge(partition, nextOffset, Math::max);
    }

    /** Where to resume {@code partition} after a crash, if earlier than its next offset. */
    public void replayFrom(int partition, long offset) {
        replayFrom.merge(partition, offset, Math::min);
    }

    public Map<String, Versioned> values() {
        return Collections.unmodifiableMap(values);
    }

    public Map<Integer, Long> offsets() {
        return Collections.unmodifiableMap(offsets);
    }

    /** The position of each partition this batch consumed from. */
    public Map<Integer, PartitionPosition> positions() {
        Map<Integer, PartitionPosition> positions = new HashMap<>();
        offsets.forEach((partition, next) ->
                positions.put(partition, new PartitionPosition(next, Math.min(next, replayFrom.getOrDefault(partition, next)))));
        return positions;
    }

    public boolean isEmpty() {
        return values.isEmpty() && offsets.isEmpty();
    }
}
