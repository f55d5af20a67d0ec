package dev.kquorum.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;

/**
 * Pins the replica answers that coordinator's {@code JepsenScenarios2Test} feeds its core by hand
 * (findings Q1, Q2, A1 of the second review). These pass: the breaks are in what the coordinator
 * does with these answers, not in the answers.
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
}
