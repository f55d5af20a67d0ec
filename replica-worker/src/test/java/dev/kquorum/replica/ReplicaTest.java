package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReplicaTest {

    private final Replica replica = new Replica("r1");
    private final InMemoryReplicaStore store = new InMemoryReplicaStore();

    private ReplicaReply apply(ReplicaRequest request) {
        StoreBatch batch = new StoreBatch(store);
        ReplicaReply reply = replica.apply(request, batch);
        store.commit(batch);
        return reply;
    }

    private static Version v(long ts, String writer) {
        return new Version(ts, writer);
    }

    private static ReplicaRequest.Write put(String key, String value, Version version) {
        return new ReplicaRequest.Write(key, new Versioned(version, value.getBytes(UTF_8)));
    }

    @Test
    void aReadOfAnAbsentKeyAnswersWithNothing() {
        assertThat(apply(new ReplicaRequest.Read("nobody"))).isEqualTo(new ReplicaReply.Value("r1", "nobody", null));
    }

    @Test
    void aNewerWriteReplacesAndIsAckedWithItsOwnVersion() {
        assertThat(apply(put("k", "a", v(10, "c1")))).isEqualTo(new ReplicaReply.Ack("r1", "k", v(10, "c1")));
        assertThat(apply(put("k", "b", v(20, "c1")))).isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c1")));
        assertThat(store.get("k")).isEqualTo(new Versioned(v(20, "c1"), "b".getBytes(UTF_8)));
    }

    @Test
    void anOlderWriteArrivingLateChangesNothingAndTheAckSaysWhatIsHeld() {
        apply(put("k", "new", v(20, "c1")));
        ReplicaReply ack = apply(put("k", "old", v(10, "c2")));
        assertThat(ack).isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c1")));
        assertThat(store.get("k").value()).isEqualTo("new".getBytes(UTF_8));
    }

    @Test
    void equalTimestampsAreOrderedByWriter() {
        apply(put("k", "from-b", v(10, "b")));
        apply(put("k", "from-a", v(10, "a")));
        assertThat(store.get("k").value()).isEqualTo("from-b".getBytes(UTF_8));
    }

    @Test
    void aDuplicateIsAckedAndChangesNothing() {
        ReplicaRequest.Write w = put("k", "a", v(10, "c1"));
        ReplicaReply first = apply(w);
        Versioned after = store.get("k");
        assertThat(apply(w)).isEqualTo(first);
        assertThat(store.get("k")).isEqualTo(after);
    }

    @Test
    void aTombstoneHidesOlderWritesAndYieldsToNewerOnes() {
        apply(put("k", "a", v(10, "c1")));
        apply(new ReplicaRequest.Write("k", Versioned.tombstone(v(20, "c1"))));
        assertThat(apply(new ReplicaRequest.Read("k"))).isEqualTo(new ReplicaReply.Value("r1", "k", Versioned.tombstone(v(20, "c1"))));
        // A write older than the delete arrives late: still deleted.
        assertThat(apply(put("k", "stale", v(15, "c2")))).isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c1")));
        assertThat(store.get("k").isTombstone()).isTrue();
        // A write after the delete brings the key back.
        apply(put("k", "again", v(30, "c1")));
        assertThat(store.get("k").value()).isEqualTo("again".getBytes(UTF_8));
    }

    @Test
    void requestsInOneBatchSeeEachOther() {
        StoreBatch batch = new StoreBatch(store);
        replica.apply(put("k", "a", v(10, "c1")), batch);
        ReplicaReply read = replica.apply(new ReplicaRequest.Read("k"), batch);
        assertThat(((ReplicaReply.Value) read).held().version()).isEqualTo(v(10, "c1"));
        assertThat(store.get("k")).as("nothing reaches the store before commit").isNull();
    }

    /** Any order of any writes, each delivered any number of times, ends in the same state: the highest version. */
    @Property(tries = 300)
    void orderAndRedeliveryDoNotMatter(@ForAll @IntRange(min = 1, max = 30) int writes, @ForAll long seed) {
        Random random = new Random(seed);
        List<ReplicaRequest.Write> requests = new ArrayList<>();
        Version highest = null;
        for (int i = 0; i < writes; i++) {
            Version version = v(random.nextInt(20), "c" + random.nextInt(3));
            requests.add(random.nextInt(5) == 0
                    ? new ReplicaRequest.Write("k", Versioned.tombstone(version))
                    : put("k", "value-" + version, version));
            highest = Version.max(highest, version);
        }
        List<ReplicaRequest.Write> delivered = new ArrayList<>(requests);
        for (int i = 0; i < writes; i++) {
            delivered.add(requests.get(random.nextInt(writes)));
        }
        Collections.shuffle(delivered, random);
        InMemoryReplicaStore fresh = new InMemoryReplicaStore();
        for (ReplicaRequest.Write w : delivered) {
            StoreBatch batch = new StoreBatch(fresh);
            ReplicaReply.Ack ack = (ReplicaReply.Ack) replica.apply(w, batch);
            fresh.commit(batch);
            assertThat(ack.held()).isGreaterThanOrEqualTo(w.versioned().version());
        }
        assertThat(fresh.get("k").version()).isEqualTo(highest);
        Version expected = highest;
        assertThat(requests).filteredOn(w -> w.versioned().version().equals(expected))
                .extracting(ReplicaRequest.Write::versioned).contains(fresh.get("k"));
    }
}
