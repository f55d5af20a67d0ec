package dev.kquorum.coordinator.call;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;

class CoordinatorCoreTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final CoordinatorCore core = new CoordinatorCore(List.of("r1", "r2", "r3"),
            new Versions("c1", MaxClockOffset.DEFAULT), Limits.DEFAULT, 100);

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private Effects put(long id, String key, String value) {
        return core.submit(id, ExternalRequest.put(key, bytes(value)), now.get());
    }

    private static ReplicaRequest.Write writeTo(Effects effects, String replica) {
        return (ReplicaRequest.Write) effects.send().stream().filter(o -> o.replica().equals(replica)).findFirst().orElseThrow().request();
    }

    private static long correlationTo(Effects effects, String replica) {
        return effects.send().stream().filter(o -> o.replica().equals(replica)).findFirst().orElseThrow().correlation();
    }

    private Effects ack(Effects sent, String replica, Version held) {
        return core.onReply(correlationTo(sent, replica), new ReplicaReply.Ack(replica, "k", held), now.get());
    }

    private static Outcome outcome(Effects effects) {
        assertThat(effects.completed()).hasSize(1);
        return effects.completed().get(0).outcome();
    }

    @Test
    void aWriteGoesToAllReplicasAndWinsWithTheSecondAck() {
        Effects sent = put(1, "k", "v");
        assertThat(sent.send()).extracting(Outbound::replica).containsExactly("r1", "r2", "r3");
        Version version = writeTo(sent, "r1").versioned().version();

        assertThat(ack(sent, "r2", version).completed()).isEmpty();
        Outcome won = outcome(ack(sent, "r3", version));

        assertThat(won.status()).isEqualTo(Status.OK);
        assertThat(won.version()).isEqualTo(version);
        assertThat(won.replicas()).containsExactly("r2", "r3");
        assertThat(won.acks()).isEqualTo(2);
        assertThat(won.required()).isEqualTo(2);
        assertThat(core.inFlight()).isZero();
    }

    @Test
    void aDuplicateAckCountsOnce() {
        Effects sent = put(1, "k", "v");
        Version version = writeTo(sent, "r1").versioned().version();
        ack(sent, "r1", version);
        assertThat(ack(sent, "r1", version).completed()).as("the same replica again").isEmpty();
        assertThat(outcome(ack(sent, "r2", version)).replicas()).containsExactly("r1", "r2");
    }

    @Test
    void aReplyAfterTheEndIsIgnored() {
        Effects sent = put(1, "k", "v");
        Version version = writeTo(sent, "r1").versioned().version();
        ack(sent, "r1", version);
        ack(sent, "r2", version);
        assertThat(ack(sent, "r3", version).isEmpty()).isTrue();
        assertThat(core.onReply(12345L << 8, new ReplicaReply.Ack("r1", "k", version), now.get()).isEmpty()).as("unknown call").isTrue();
    }

    @Test
    void timesOutNamingWhoAnswered() {
        Effects sent = core.submit(1, new ExternalRequest(Op.PUT, "k", bytes("v"), Consistency.ALL, null, 500L, null), now.get());
        ack(sent, "r2", writeTo(sent, "r2").versioned().version());
        assertThat(core.onTick(now.get() + 499).isEmpty()).isTrue();

        Outcome timedOut = outcome(core.onTick(now.get() + 500));
        assertThat(timedOut.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(timedOut.replicas()).containsExactly("r2");
        assertThat(timedOut.acks()).isEqualTo(1);
        assertThat(timedOut.required()).isEqualTo(3);
        assertThat(timedOut.error()).startsWith("1 of 3 replicas acknowledged within 500 ms (needed 3): r2");
        assertThat(core.onTick(now.get() + 10_000).isEmpty()).as("a call times out once").isTrue();
    }

    @Test
    void losesAsSoonAsTheQuorumCanNoLongerBeMet() {
        Effects sent = put(1, "k", "v");
        assertThat(core.onReply(correlationTo(sent, "r1"), new ReplicaReply.Invalid("r1", "disk full"), now.get()).completed()).isEmpty();
        Outcome lost = outcome(core.onReply(correlationTo(sent, "r3"), new ReplicaReply.Invalid("r3", "disk full"), now.get()));
        assertThat(lost.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(lost.error()).contains("0 of 3 replicas acknowledged", "rejected by r1, r3", "r1: disk full");
    }

    @Test
    void anOutVersionedWriteIsReissuedOnceAboveTheHighestVersionItsQuorumHolds() {
        Effects first = put(1, "k", "mine");
        Version mine = writeTo(first, "r1").versioned().version();
        // Another coordinator, its clock 400 ms ahead (within the max offset), wrote k and was acknowledged before us.
        Version ahead = new Version(HybridClock.pack(now.get() + 400, 0), "c2");

        assertThat(ack(first, "r1", ahead).send()).isEmpty();
        Effects second = ack(first, "r2", mine);
        assertThat(second.completed()).as("not won: the quorum holds a higher version").isEmpty();
        assertThat(second.send()).hasSize(3);
        Version reissued = writeTo(second, "r1").versioned().version();
        assertThat(reissued).isGreaterThan(ahead);
        assertThat(writeTo(second, "r1").versioned().value()).isEqualTo(bytes("mine"));

        assertThat(ack(first, "r3", mine).isEmpty()).as("a reply to the first round is stale now").isTrue();
        ack(second, "r1", reissued);
        Version evenLater = new Version(reissued.timestamp() + 5, "c3");
        Outcome won = outcome(ack(second, "r2", evenLater));
        assertThat(won.status()).as("re-issued once only, then counted as usual").isEqualTo(Status.OK);
        assertThat(won.version()).isEqualTo(reissued);
    }

    @Test
    void aReadTakesTheHighestVersionAndRepairsTheReplicasBehindIt() {
        Effects sent = core.submit(7, new ExternalRequest(Op.GET, "k", null, null, Consistency.ALL, null, null), now.get());
        Versioned old = new Versioned(new Version(10, "c1"), bytes("old"));
        Versioned newest = new Versioned(new Version(20, "c2"), bytes("new"));
        core.onReply(correlationTo(sent, "r1"), new ReplicaReply.Value("r1", "k", old), now.get());
        core.onReply(correlationTo(sent, "r2"), new ReplicaReply.Value("r2", "k", newest), now.get());
        Effects done = core.onReply(correlationTo(sent, "r3"), new ReplicaReply.Value("r3", "k", null), now.get());

        Outcome read = outcome(done);
        assertThat(read.status()).isEqualTo(Status.OK);
        assertThat(read.value()).isEqualTo(bytes("new"));
        assertThat(read.version()).isEqualTo(newest.version());
        assertThat(ReadCall.repairTargets(done)).containsExactlyInAnyOrder("r1", "r3");
        assertThat(done.send()).allSatisfy(o -> assertThat(o.request()).isEqualTo(new ReplicaRequest.Write("k", newest)));
    }

    @Test
    void aReadDecidesOnTheFirstRRepliesWithoutWaitingForTheRest() {
        Effects sent = core.submit(7, ExternalRequest.get("k"), now.get());
        Versioned v = new Versioned(new Version(10, "c1"), bytes("x"));
        core.onReply(correlationTo(sent, "r3"), new ReplicaReply.Value("r3", "k", v), now.get());
        Effects done = core.onReply(correlationTo(sent, "r1"), new ReplicaReply.Value("r1", "k", v), now.get());
        assertThat(outcome(done).replicas()).containsExactly("r3", "r1");
        assertThat(done.send()).as("both agree: nothing to repair").isEmpty();
    }

    @Test
    void aTombstoneOrNothingReadsAsNotFound() {
        Effects sent = core.submit(7, ExternalRequest.get("k"), now.get());
        Versioned deleted = Versioned.tombstone(new Version(30, "c1"));
        core.onReply(correlationTo(sent, "r1"), new ReplicaReply.Value("r1", "k", deleted), now.get());
        Effects done = core.onReply(correlationTo(sent, "r2"), new ReplicaReply.Value("r2", "k", new Versioned(new Version(20, "c1"), bytes("x"))), now.get());
        Outcome read = outcome(done);
        assertThat(read.status()).isEqualTo(Status.NOT_FOUND);
        assertThat(read.value()).isNull();
        assertThat(ReadCall.repairTargets(done)).as("the tombstone is repaired too").containsExactly("r2");

        Effects absent = core.submit(8, ExternalRequest.get("nobody"), now.get());
        core.onReply(correlationTo(absent, "r1"), new ReplicaReply.Value("r1", "nobody", null), now.get());
        Effects none = core.onReply(correlationTo(absent, "r2"), new ReplicaReply.Value("r2", "nobody", null), now.get());
        assertThat(outcome(none).status()).isEqualTo(Status.NOT_FOUND);
        assertThat(none.send()).isEmpty();
    }

    @Test
    void aDeleteWritesATombstone() {
        Effects sent = core.submit(3, ExternalRequest.delete("k"), now.get());
        assertThat(writeTo(sent, "r2").versioned().isTombstone()).isTrue();
    }

    @Test
    void badInputIsInvalidBeforeAnythingIsSent() {
        Effects tooMany = core.submit(1, new ExternalRequest(Op.PUT, "k", bytes("v"), Consistency.count(4), null, null, null), now.get());
        assertThat(tooMany.send()).isEmpty();
        assertThat(outcome(tooMany).status()).isEqualTo(Status.INVALID);
        assertThat(outcome(tooMany).error()).isEqualTo("write quorum 4 exceeds the 3 replicas");

        Effects bigKey = core.submit(2, ExternalRequest.get("k".repeat(2000)), now.get());
        assertThat(outcome(bigKey).error()).contains("field 'key': 2000 bytes, over the limit of 1024");

        Effects linearizable = core.submit(3, new ExternalRequest(Op.PUT, "k", bytes("v"), Consistency.ONE, null, null, Mode.LINEARIZABLE), now.get());
        assertThat(outcome(linearizable).status()).isEqualTo(Status.INVALID);
        assertThat(outcome(linearizable).error()).contains("linearizable mode needs a write quorum above half", "got W=1");
        assertThat(core.inFlight()).isZero();
    }

    private Effects linearizable(long id, Op op, String key, String value) {
        return core.submit(id, new ExternalRequest(op, key, value == null ? null : bytes(value), null, null, null, Mode.LINEARIZABLE), now.get());
    }

    @Test
    void aLinearizableReadWhoseAnswersDisagreeWritesTheNewestBackBeforeAnswering() {
        Effects query = linearizable(9, Op.GET, "k", null);
        Versioned old = new Versioned(new Version(10, "c1"), bytes("old"));
        Versioned newest = new Versioned(new Version(20, "c2"), bytes("new"));
        core.onReply(correlationTo(query, "r1"), new ReplicaReply.Value("r1", "k", old), now.get());
        Effects writeBack = core.onReply(correlationTo(query, "r2"), new ReplicaReply.Value("r2", "k", newest), now.get());
        assertThat(writeBack.completed()).as("not answered before the write-back").isEmpty();
        assertThat(writeBack.send()).hasSize(3).allSatisfy(o -> assertThat(o.request()).isEqualTo(new ReplicaRequest.Write("k", newest)));

        core.onReply(correlationTo(writeBack, "r1"), new ReplicaReply.Ack("r1", "k", newest.version()), now.get());
        Outcome read = outcome(core.onReply(correlationTo(writeBack, "r3"), new ReplicaReply.Ack("r3", "k", newest.version()), now.get()));
        assertThat(read.status()).isEqualTo(Status.OK);
        assertThat(read.value()).isEqualTo(bytes("new"));
        assertThat(read.replicas()).containsExactly("r1", "r3");
    }

    @Test
    void aLinearizableReadWhoseAnswersAgreeNeedsNoWriteBack() {
        Effects query = linearizable(9, Op.GET, "k", null);
        Versioned v = new Versioned(new Version(10, "c1"), bytes("same"));
        core.onReply(correlationTo(query, "r1"), new ReplicaReply.Value("r1", "k", v), now.get());
        Effects done = core.onReply(correlationTo(query, "r3"), new ReplicaReply.Value("r3", "k", v), now.get());
        assertThat(done.send()).isEmpty();
        assertThat(outcome(done).value()).isEqualTo(bytes("same"));
    }

    @Test
    void aLinearizableWriteAsksForTheHighestVersionThenWritesAboveIt() {
        Effects query = linearizable(5, Op.PUT, "k", "mine");
        assertThat(query.send()).allSatisfy(o -> assertThat(o.request()).isEqualTo(new ReplicaRequest.Read("k")));
        Version ahead = new Version(HybridClock.pack(now.get() + 400, 0), "c2");
        core.onReply(correlationTo(query, "r1"), new ReplicaReply.Value("r1", "k", null), now.get());
        Effects write = core.onReply(correlationTo(query, "r2"), new ReplicaReply.Value("r2", "k", new Versioned(ahead, bytes("theirs"))), now.get());
        Version mine = writeTo(write, "r3").versioned().version();
        assertThat(mine).isGreaterThan(ahead);
        ack(write, "r1", mine);
        Outcome won = outcome(ack(write, "r3", mine));
        assertThat(won.status()).isEqualTo(Status.OK);
        assertThat(won.version()).isEqualTo(mine);
    }

    @Test
    void beyondTheInFlightLimitACallIsOverloadedAndNothingIsSent() {
        CoordinatorCore small = new CoordinatorCore(List.of("r1"), new Versions("c1", MaxClockOffset.DEFAULT), Limits.DEFAULT, 2);
        small.submit(1, ExternalRequest.get("a"), now.get());
        small.submit(2, ExternalRequest.get("b"), now.get());
        Effects third = small.submit(3, ExternalRequest.get("c"), now.get());
        assertThat(third.send()).isEmpty();
        assertThat(outcome(third).status()).isEqualTo(Status.OVERLOADED);
        assertThat(outcome(third).error()).contains("2 operations already in flight");
    }

    /**
     * With N=4 and R=2, two agreeing answers are not a write quorum (W=3): skipping the
     * write-back would let a later read of two other replicas return the older value.
     */
    @Test
    void aLinearizableReadSkipsTheWriteBackOnlyWhenAWriteQuorumAgrees() {
        CoordinatorCore four = new CoordinatorCore(List.of("r1", "r2", "r3", "r4"),
                new Versions("c1", MaxClockOffset.DEFAULT), Limits.DEFAULT, 100);
        Effects query = four.submit(9, new ExternalRequest(Op.GET, "k", null, null, Consistency.count(2), null, Mode.LINEARIZABLE), now.get());
        Versioned newest = new Versioned(new Version(20, "c2"), bytes("new"));
        four.onReply(correlationTo(query, "r1"), new ReplicaReply.Value("r1", "k", newest), now.get());
        Effects after = four.onReply(correlationTo(query, "r2"), new ReplicaReply.Value("r2", "k", newest), now.get());
        assertThat(after.completed()).as("two agreeing answers of four are not a write quorum").isEmpty();
        assertThat(after.send()).hasSize(4).allSatisfy(o -> assertThat(o.request()).isEqualTo(new ReplicaRequest.Write("k", newest)));
    }

    /**
     * A version from far in the future (a stray writer, a broken clock) must not make every later
     * write answer OK while the key keeps the bogus value: the clock will not follow it, so no
     * re-issue can land above it, and the write says so instead of claiming success.
     */
    @Test
    void aWriteOutVersionedByAFarFutureVersionDoesNotClaimSuccess() {
        Version bogus = new Version(HybridClock.pack((1L << 47) - 1, 65_535), "zz");
        Effects sent = put(1, "k", "v");
        ack(sent, "r1", bogus);
        Effects next = ack(sent, "r2", bogus);
        Effects end = next.completed().isEmpty() ? ack(next, "r1", bogus).and(ack(next, "r2", bogus)) : next;
        Outcome o = outcome(end);
        assertThat(o.status()).isNotEqualTo(Status.OK);
        assertThat(o.error()).contains("ahead of this coordinator's clock");
    }
}
