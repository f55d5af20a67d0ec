package dev.kquorum.replica.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbReplicaStoreTest {

    @TempDir
    Path dir;

    @Test
    void valuesTombstonesAndOffsetsSurviveAReopen() {
        Versioned value = new Versioned(new Version(42, "c1"), new byte[] {0, 1, (byte) 0xff});
        Versioned deleted = Versioned.tombstone(new Version(43, "cœur"));
        try (RocksDbReplicaStore store = RocksDbReplicaStore.open(dir, false)) {
            assertThat(store.positions()).isEmpty();
            StoreBatch batch = new StoreBatch(store);
            batch.put("a", value);
            batch.put("b", deleted);
            batch.consumed(0, 17);
            batch.consumed(2, 5);
            batch.consumed(0, 12);
            batch.replayFrom(0, 10);
            store.commit(batch);
        }
        try (RocksDbReplicaStore store = RocksDbReplicaStore.open(dir, true)) {
            assertThat(store.get("a")).isEqualTo(value);
            assertThat(store.get("b")).isEqualTo(deleted);
            assertThat(store.get("c")).isNull();
            assertThat(store.positions()).isEqualTo(Map.of(0, new PartitionPosition(17, 10), 2, new PartitionPosition(5, 5)));
        }
    }

    @Test
    void tombstonesArePurgedOnlyOnceTheirGracePeriodIsOver() {
        long day = 86_400_000L;
        Versioned oldDelete = Versioned.tombstone(new Version(HybridClock.pack(10 * day, 0), "c1"));
        Versioned recentDelete = Versioned.tombstone(new Version(HybridClock.pack(30 * day, 0), "c1"));
        Versioned oldValue = new Versioned(new Version(HybridClock.pack(5 * day, 0), "c1"), new byte[] {1});
        for (ReplicaStore store : List.of(RocksDbReplicaStore.open(dir, false), new InMemoryReplicaStore())) {
            try (store) {
                StoreBatch batch = new StoreBatch(store);
                batch.put("gone", oldDelete);
                batch.put("kept-delete", recentDelete);
                batch.put("kept-value", oldValue);
                store.commit(batch);

                assertThat(store.purge((key, held) -> held.isTombstone() && held.version().physicalMillis() < 20 * day)).isEqualTo(1);
                assertThat(store.get("gone")).isNull();
                assertThat(store.get("kept-delete")).isEqualTo(recentDelete);
                assertThat(store.get("kept-value")).as("live values are never purged, however old").isEqualTo(oldValue);
                assertThat(store.purge((key, held) -> held.isTombstone() && held.version().physicalMillis() < 20 * day)).isZero();
            }
        }
    }

    @Test
    void aSecondWorkerCannotOpenTheSameDirectory() {
        try (RocksDbReplicaStore first = RocksDbReplicaStore.open(dir, false)) {
            assertThatThrownBy(() -> RocksDbReplicaStore.open(dir, false))
                    .hasMessageContaining("is another worker using this directory?");
        }
    }

    /**
     * A process commits batches as fast as it can and is SIGKILLed mid-stream. Batch i writes key
     * k&lt;i&gt; and offset i+1, so after the kill the stored offset n must come with exactly the keys
     * k0..k(n-1): data and offsets landed together, or not at all.
     */
    @Test
    void dataAndOffsetsLandTogetherOrNotAtAllAcrossSigkill() {
        try (ChildJvm writer = ChildJvm.start("store writer", List.of(), StoreWriterMain.class, List.of(dir.toString()),
                StoreWriterMain.READY, Duration.ofSeconds(30), line -> { })) {
            writer.kill();
        }
        try (RocksDbReplicaStore store = RocksDbReplicaStore.open(dir, false)) {
            long next = store.positions().get(0).next();
            assertThat(next).isGreaterThan(StoreWriterMain.BEFORE_READY);
            for (long i = 0; i < next; i++) {
                assertThat(store.get("k" + i)).as("key k%d below offset %d", i, next).isNotNull();
            }
            assertThat(store.get("k" + next)).as("no key beyond offset %d", next).isNull();
            assertThat(new String(store.get("k0").value(), UTF_8)).isEqualTo("v0");
        }
    }

    /** Child process for the SIGKILL test: commits one-record batches forever. */
    public static final class StoreWriterMain {
        static final String READY = "writing";
        static final long BEFORE_READY = 200;

        public static void main(String[] args) {
            RocksDbReplicaStore store = RocksDbReplicaStore.open(Path.of(args[0]), false);
            for (long i = 0; ; i++) {
                StoreBatch batch = new StoreBatch(store);
                batch.put("k" + i, new Versioned(new Version(i, "w"), ("v" + i).getBytes(UTF_8)));
                batch.consumed(0, i + 1);
                store.commit(batch);
                if (i == BEFORE_READY) {
                    System.out.println(READY);
                    System.out.flush();
                }
            }
        }
    }
}
