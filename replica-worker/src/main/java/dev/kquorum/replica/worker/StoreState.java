package dev.kquorum.replica.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.VersionedState;
import dev.kquorum.replica.store.StoredValueFormat;
import dev.kquorum.replica.store.ReplicaStore.PurgeChunk;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's Kafka Streams store as the state {@link dev.kquorum.replica.Replica} reads and changes.
 * Every put goes to the store and to its changelog at once (no record cache), so a read sees the
 * writes before it, and the changelog holds each write before the input offset that made it is
 * committed.
 */
final class StoreState implements VersionedState {

    private final KeyValueStore<String, byte[]> store;

    StoreState(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    @Override
    public Versioned get(String key) {
        byte[] bytes = store.get(key);
        return bytes == null ? null : StoredValueFormat.decode(bytes);
    }

    @Override
    public void put(String key, Versioned value) {
        store.put(key, StoredValueFormat.encode(value));
    }

    /**
     * One bounded step of a purge pass: looks at no more than {@code maxKeys} keys, in key order,
     * from {@code from} (null: the first key), and deletes those the predicate says can go.
     */
    PurgeChunk purge(BiPredicate<String, Versioned> purgeable, String from, int maxKeys) {
        List<String> expired = new ArrayList<>();
        int scanned = 0;
        String resumeFrom = null;
        try (KeyValueIterator<String, byte[]> it = from == null ? store.all() : store.range(from, null)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                if (scanned == maxKeys) {
                    resumeFrom = entry.key;
                    break;
                }
                scanned++;
                if (purgeable.test(entry.key, StoredValueFormat.decode(entry.value))) {
                    expired.add(entry.key);
                }
            }
        }
        // Deleted after the iterator is closed: each delete is also a tombstone on the changelog.
        expired.forEach(store::delete);
        return new PurgeChunk(scanned, expired.size(), resumeFrom);
    }
}
