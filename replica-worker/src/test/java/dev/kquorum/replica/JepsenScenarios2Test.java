package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.StoreBatch;
import org.junit.jupiter.api.Test;

/**
 * Pins the replica answers that coordinator's {@code JepsenScenarios2Test} feeds its core by hand
 * (findings Q1, Q2, A1 of the second review), and the claims of the ballot that only lets the
 * execution a majority recorded first choose a version.
 */
class JepsenScenarios2Test extends ReplicaScenarios {

    private static final Version V0 = new Version(HybridClock.pack(T, 0), "req~0123456789abcdef");
    private static final ReplicaRequest.Origin A1 = new ReplicaRequest.Origin("kq.requests-0@41", "c1~aaaa:1", false);
    private static final ReplicaRequest.Origin A2 = new ReplicaRequest.Origin("kq.requests-0@41", "c3~cccc:1", false);

    /** Q1/Q2: a write that began after A's answer arrives before an execution's delayed write: no record shows, held B. */
    @Test
    void aDelayedExecutionThatArrivesAfterALaterWriteSeesNoOtherExecution() {
        Replica r = new Replica("r2");
        Version b = new Version(HybridClock.pack(T + 2_010, 0), "c2~bbbb");
        apply(r, write("B", b, null), T + 2_011);
        assertThat(apply(r, write("A", V0, A2), T + 2_020)).isEqualTo(new ReplicaReply.Ack("r2", "k", b));
    }

    /** Q1: r3 gets C1's write first (fresh), then C3's; r2 (a newcomer to C3) acks V0. */
    @Test
    void theFreshAnswersOfQ1() {
        Replica r3 = new Replica("r3");
        assertThat(apply(r3, write("A", V0, A1), T + 6)).isEqualTo(new ReplicaReply.Ack("r3", "k", V0));
        assertThat(apply(r3, write("A", V0, A2), T + 7))
                .isEqualTo(new ReplicaReply.Ack("r3", "k", V0, new ReplicaReply.Duplicate(V0, false, true)));
    }

    /** A1: another attempt's ABD write (reissue=true) is applied above B though A's identity is known here. */
    @Test
    void anotherAttemptsLinearizableWriteIsAppliedAboveALaterWrite() {
        Replica r = new Replica("r1");
        Version v1 = new Version(HybridClock.pack(T + 7, 0), "c1~aaaa");
        Version b = new Version(HybridClock.pack(T + 21, 0), "c2~bbbb");
        Version v2 = new Version(HybridClock.pack(T + 407, 0), "c3~cccc");
        apply(r, write("A", v1, A1.reissued()), T + 8);
        apply(r, write("B", b, null), T + 22);
        assertThat(apply(r, write("A", v2, A2.reissued()), T + 30)).isEqualTo(new ReplicaReply.Ack("r1", "k", v2));
        assertThat(store.get("k").version()).isEqualTo(v2);
    }

    /**
     * A1 and A1b with the ballot: a first execution's query claims the request. The first claim
     * is recorded and kept, so a second execution's claim is told it is not its own; a claim is
     * no write, so nobody is told of a duplicate; once the claimer writes, others learn its version.
     */
    @Test
    void theFirstClaimIsKeptAndNamesNoWriteUntilTheClaimerWrites() {
        Replica r = new Replica("r2");
        String id = A1.requestId();
        assertThat(apply(r, new ReplicaRequest.Read("k", id, A1.attempt()), T + 7))
                .isEqualTo(new ReplicaReply.Value("r2", "k", null, null, true));
        assertThat(apply(r, new ReplicaRequest.Read("k", id, A2.attempt()), T + 8))
                .as("C3's claim comes second").isEqualTo(new ReplicaReply.Value("r2", "k", null, null, false));
        assertThat(apply(r, new ReplicaRequest.Read("k", id, A1.attempt()), T + 9))
                .as("asked again, C1's claim holds").isEqualTo(new ReplicaReply.Value("r2", "k", null, null, true));

        Version v1 = new Version(HybridClock.pack(T + 5, 0), "!req~0123456789abcdef");
        apply(r, write("A", v1, A1.reissued()), T + 10);
        assertThat(apply(r, new ReplicaRequest.Read("k", id, A2.attempt()), T + 11)).as("the claim, written below its time")
                .isEqualTo(new ReplicaReply.Value("r2", "k", new Versioned(v1, "A".getBytes(UTF_8)),
                        new ReplicaReply.Duplicate(v1, true, false), false));
    }

    /** One requestId is one request: a quorum-mode execution of one that a linearizable one claimed is refused. */
    @Test
    void aQuorumModeWriteOfAClaimedRequestIsRefused() {
        Replica r = new Replica("r1");
        apply(r, new ReplicaRequest.Read("k", A1.requestId(), A1.attempt()), T + 7);
        assertThat(apply(r, write("A", V0, A2), T + 8)).isInstanceOf(ReplicaReply.Invalid.class);
        assertThat(store.get("k")).isNull();
    }

    /**
     * W1: a replica catching up (a wiped disk replaying its topic) skips stale reads, but not a
     * claim: it answers nobody, and records the claim it recorded before, in the same order.
     */
    @Test
    void aStaleClaimIsRecordedThoughNotAnswered() {
        Replica r = new Replica("r1");
        StoreBatch batch = new StoreBatch(store);
        Replica.Decision late = r.receive(new ReplicaRequest.Read("k", A1.requestId(), A1.attempt()),
                new Replica.Delivery(T + 2_000, T + 2_500, true), batch);
        store.commit(batch);
        assertThat(late.reply()).as("nobody waits for it").isNull();
        assertThat(apply(r, new ReplicaRequest.Read("k", A1.requestId(), A2.attempt()), T + 2_501))
                .isEqualTo(new ReplicaReply.Value("r1", "k", null, null, false));
    }
}
