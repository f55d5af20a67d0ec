package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReplicaTest {

    /** The replica's clock: far above the versions these tests write, which are small numbers. */
    private static final long NOW = 1_000_000_000_000L;
    private final Replica replica = new Replica("r1");
    private final InMemoryReplicaStore store = new InMemoryReplicaStore();

    private ReplicaReply apply(ReplicaRequest request) {
        StoreBatch batch = new StoreBatch(store);
        ReplicaReply reply = replica.apply(request, batch, NOW);
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
        replica.apply(put("k", "a", v(10, "c1")), batch, NOW);
        ReplicaReply read = replica.apply(new ReplicaRequest.Read("k"), batch, NOW);
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
            // Versions are unique: one version is always the same write (a tombstone for some of them).
            requests.add(version.timestamp() % 5 == 0
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
            ReplicaReply.Ack ack = (ReplicaReply.Ack) replica.apply(w, batch, NOW);
            fresh.commit(batch);
            assertThat(ack.held()).isGreaterThanOrEqualTo(w.versioned().version());
        }
        assertThat(fresh.get("k").version()).isEqualTo(highest);
        Version expected = highest;
        assertThat(requests).filteredOn(w -> w.versioned().version().equals(expected))
                .extracting(ReplicaRequest.Write::versioned).contains(fresh.get("k"));
    }

    /** Versions are unique: the same version with another value is a bug somewhere, never a duplicate to ack. */
    @Test
    void anEqualVersionWithADifferentValueIsRefusedNotAcked() {
        apply(put("k", "a", v(10, "c1")));
        assertThat(apply(put("k", "b", v(10, "c1")))).isInstanceOf(ReplicaReply.Invalid.class);
        assertThat(apply(put("k", "a", v(10, "c1")))).as("the same write again is a duplicate")
                .isEqualTo(new ReplicaReply.Ack("r1", "k", v(10, "c1")));
        assertThat(store.get("k").value()).isEqualTo("a".getBytes(UTF_8));
    }


    private static ReplicaRequest.Write put(String key, String value, Version version, ReplicaRequest.Origin origin) {
        return new ReplicaRequest.Write(key, new Versioned(version, value.getBytes(UTF_8)), origin);
    }

    /**
     * The story of a redelivered request: written by its first execution, then superseded by a
     * later write; executed again (another attempt), it writes nothing and is told the version it
     * was first written at, while a redelivery of the first execution's own message is a plain duplicate.
     */
    @Test
    void anotherExecutionOfAKnownRequestWritesNothingAndLearnsItsFirstVersion() {
        ReplicaRequest.Origin first = new ReplicaRequest.Origin("req-1", "c1~a:1", false);
        ReplicaRequest.Origin again = new ReplicaRequest.Origin("req-1", "c2~b:7", false);
        assertThat(apply(put("k", "A", v(10, "req"), first))).isEqualTo(new ReplicaReply.Ack("r1", "k", v(10, "req")));
        apply(put("k", "B", v(20, "c3")));

        assertThat(apply(put("k", "A", v(10, "req"), first))).as("Kafka redelivering the same message")
                .isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c3")));
        assertThat(apply(put("k", "A", v(30, "req"), again))).as("a second execution, even at a higher version")
                .isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c3"), new ReplicaReply.Duplicate(v(10, "req"), false, true)));
        assertThat(store.get("k").value()).isEqualTo("B".getBytes(UTF_8));
        assertThat(apply(new ReplicaRequest.Read("k", "req-1"))).isEqualTo(
                new ReplicaReply.Value("r1", "k", store.get("k"), new ReplicaReply.Duplicate(v(10, "req"), false, true)));
        assertThat(apply(new ReplicaRequest.Read("k", "req-2")))
                .isEqualTo(new ReplicaReply.Value("r1", "k", store.get("k"), null));
    }

    /**
     * A first version that arrives below what is held is remembered as not fresh; a re-issue then
     * applies like any write, and the request is remembered at it, as a re-issue.
     */
    @Test
    void aReissueAppliesAndRaisesTheRememberedVersion() {
        ReplicaRequest.Origin first = new ReplicaRequest.Origin("req-1", "c1~a:1", false);
        ReplicaRequest.Origin other = new ReplicaRequest.Origin("req-1", "c2~b:3", false);
        apply(put("k", "B", v(20, "c3")));
        apply(put("k", "A", v(10, "req"), first));
        assertThat(apply(put("k", "A", v(10, "req"), other)))
                .isEqualTo(new ReplicaReply.Ack("r1", "k", v(20, "c3"), new ReplicaReply.Duplicate(v(10, "req"), false, false)));
        assertThat(apply(put("k", "A", v(25, "c1~a"), first.reissued()))).isEqualTo(new ReplicaReply.Ack("r1", "k", v(25, "c1~a")));
        assertThat(apply(put("k", "A", v(10, "req"), other)))
                .isEqualTo(new ReplicaReply.Ack("r1", "k", v(25, "c1~a"), new ReplicaReply.Duplicate(v(25, "c1~a"), true, false)));
    }

    @Test
    void identitiesArePerKey() {
        apply(put("k", "A", v(10, "req"), new ReplicaRequest.Origin("req-1", "c1~a:1", false)));
        assertThat(apply(put("other", "A", v(10, "req"), new ReplicaRequest.Origin("req-1", "c2~b:1", false))))
                .isEqualTo(new ReplicaReply.Ack("r1", "other", v(10, "req")));
    }

    @Test
    void aVersionBeyondTheMaxClockOffsetIsRefusedNamingTheSkew() {
        Version ahead = new Version(HybridClock.pack(NOW + 501, 0), "zz");
        assertThat(apply(put("k", "x", ahead))).isInstanceOfSatisfying(ReplicaReply.Invalid.class,
                i -> assertThat(i.error()).contains("501 ms ahead of the appending broker's clock", "max clock offset 500 ms"));
        assertThat(store.get("k")).isNull();
        Version within = new Version(HybridClock.pack(NOW + 500, 65_535), "c1");
        assertThat(apply(put("k", "x", within))).isEqualTo(new ReplicaReply.Ack("r1", "k", within));
    }

    @Test
    void tombstonesGoAfterTheGracePeriodAndIdentitiesAfterTheDedupWindow() {
        Replica rules = new Replica("r1", new ReplicaRules(Limits.DEFAULT, MaxClockOffset.DEFAULT, Duration.ofDays(10), Duration.ofHours(1)));
        long day = 86_400_000L;
        Versioned oldTombstone = Versioned.tombstone(new Version(HybridClock.pack(NOW - 11 * day, 0), "c1"));
        Versioned youngTombstone = Versioned.tombstone(new Version(HybridClock.pack(NOW - 9 * day, 0), "c1"));
        Versioned oldValue = new Versioned(new Version(HybridClock.pack(NOW - 99 * day, 0), "c1"), new byte[] {1});
        Versioned identity = new Versioned(new Version(HybridClock.pack(NOW - 2 * 3_600_000, 0), "req"), "c1:1".getBytes(UTF_8));
        assertThat(rules.purgeable("k", oldTombstone, NOW)).isTrue();
        assertThat(rules.purgeable("k", youngTombstone, NOW)).isFalse();
        assertThat(rules.purgeable("k", oldValue, NOW)).as("live values are never purged").isFalse();
        assertThat(rules.purgeable("\0req-1\0k", identity, NOW)).isTrue();
        assertThat(rules.purgeable("\0req-1\0k", identity, NOW - 2 * 3_600_000 + 60_000)).isFalse();
    }

    /** Stale reads are skipped only while catching up: another host's clock alone never silences a replica. */
    @Test
    void aStaleReadIsSkippedOnlyWhileCatchingUp() {
        long past = NOW - 60_000;
        Replica.Decision keepingUp = replica.receive(new ReplicaRequest.Read("k"), new Replica.Delivery(past, NOW, false), new StoreBatch(store));
        assertThat(keepingUp.kind()).isEqualTo(Replica.Kind.READ);
        assertThat(keepingUp.reply()).isNotNull();
        Replica.Decision behind = replica.receive(new ReplicaRequest.Read("k"), new Replica.Delivery(past, NOW, true), new StoreBatch(store));
        assertThat(behind.kind()).isEqualTo(Replica.Kind.STALE);
        assertThat(behind.reply()).isNull();
    }

    @Test
    void unreadableOrOversizedRecordsAreRefusedAndDeadLettered() {
        Replica.Decision garbage = replica.receive("not json".getBytes(UTF_8), new Replica.Delivery(null, NOW, false), new StoreBatch(store));
        assertThat(garbage.kind()).isEqualTo(Replica.Kind.UNREADABLE);
        assertThat(garbage.deadLetter()).contains("malformed JSON");
        assertThat(garbage.reply()).isInstanceOf(ReplicaReply.Invalid.class);
        Replica small = new Replica("r1", new ReplicaRules(new Limits(8, 4), MaxClockOffset.DEFAULT, Duration.ofDays(1), Duration.ofHours(1)));
        Replica.Decision big = small.receive(put("k", "too big", v(10, "c1")), new Replica.Delivery(null, NOW, false), new StoreBatch(store));
        assertThat(big.deadLetter()).contains("field 'value'", "over the limit of 4");
        assertThat(store.get("k")).isNull();
    }

}
