package dev.kquorum.coordinator.call;

import static dev.kquorum.coordinator.call.ScenarioSupport.R3;
import static dev.kquorum.coordinator.call.ScenarioSupport.T;
import static dev.kquorum.coordinator.call.ScenarioSupport.acknowledgedB;
import static dev.kquorum.coordinator.call.ScenarioSupport.bytes;
import static dev.kquorum.coordinator.call.ScenarioSupport.core;
import static dev.kquorum.coordinator.call.ScenarioSupport.corr;
import static dev.kquorum.coordinator.call.ScenarioSupport.highestSent;
import static dev.kquorum.coordinator.call.ScenarioSupport.outcome;
import static dev.kquorum.coordinator.call.ScenarioSupport.requestA;
import static dev.kquorum.coordinator.call.ScenarioSupport.writeTo;
import static org.assertj.core.api.Assertions.assertThat;


import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;

/**
 * A second Jepsen-style review: two executions of one request that overlap in time, with delayed
 * messages, during a rebalance or a takeover. Q1 and Q2 failed on the code they were written
 * against and keep the promise now ("executing a request twice never supersedes a write that
 * began after its first answer"). A1 and A1b failed too and keep the promise now, A1b also with
 * a zombie gateway (two executions that both count themselves first), since executions hold a
 * ballot: only the one that a majority of replicas recorded first chooses a version.
 *
 * <p>Written against 5dcd4ed ("answer a second execution as the
 * first may have") and 5c15040. Replica replies are made by hand, each what {@code Replica}
 * answers in that situation (replica-worker's {@code JepsenScenarios2Test} pins them).
 *
 * <p>Common thread: the rule "a request is executed only within timeoutMs - maxOffset of its
 * record timestamp" bounds when an execution BEGINS, but an execution OBSERVES the replicas (and
 * decides to re-issue) up to its own deadline, and its writes can land later still (a coordinator
 * paused after a rebalance; a produce retried across a leader election: "messages delayed and
 * reordered", DESIGN section 6). Two executions of one request are concurrent during a rebalance
 * (the revoked gateway's calls keep running and answering). An execution that sees no other
 * execution's record follows the first-execution path and re-issues above whatever it finds,
 * including writes that began after another execution's answer.
 */
class JepsenScenarios2Test {

    private static ExternalRequest linearizableA() {
        return new ExternalRequest(Op.PUT, "k", bytes("A"), null, null, null, Mode.LINEARIZABLE).identified("kq.requests-0@41", T);
    }

    /**
     * FINDING Q2 (DESIGN section 1 / README: executing a request twice "never supersedes a write
     * that began after its first answer"; protocol.md "Only while no answer can exist").
     *
     * <p>All clocks agree. C1 executes A at T+5; its write reaches r1 only (r2's and r3's copies
     * are delayed) and it answers QUORUM_NOT_REACHED at its deadline, T+2005: A's first answer.
     * A rebalance at T+1400 had already handed A's partition to C3, which executes A again: not
     * late (1400 <= 2000 - 500), so it BEGINS before the first answer, as the fix requires. C3's
     * writes to r2 and r3 are delayed (its producer retries across a leader election). B begins at
     * T+2010, after A's first answer, and is acknowledged by r2 and r3. C3's writes then arrive:
     * r2 and r3 have no record of A, so they record it (not fresh) and ack with B's version. C3
     * sees no other execution's record, takes the first-execution path, and re-issues A above B:
     * A, whose only answer was QUORUM_NOT_REACHED, supersedes B, which began after that answer.
     */
    @Test
    void aSecondExecutionThatBeganBeforeTheFirstAnswerNeverReissuesAboveAWriteThatBeganAfterIt() {
        CoordinatorCore c1 = core("c1~aaaa");
        Effects first = c1.submit(1, requestA(), T + 5);
        Version v0 = writeTo(first, "r1").versioned().version();
        c1.onReply(corr(first, "r1"), new ReplicaReply.Ack("r1", "k", v0), T + 6);

        CoordinatorCore c3 = core("c3~cccc");
        Effects again = c3.submit(1, requestA(), T + 1_400);
        assertThat(again.completed()).as("executed: it begins before any answer of A").isEmpty();

        Outcome firstAnswer = outcome(c1.onTick(T + 5 + CoordinatorCore.DEFAULT_TIMEOUT_MS));
        assertThat(firstAnswer.status()).isEqualTo(Status.QUORUM_NOT_REACHED);

        // B begins after A's first answer and is acknowledged by r2 and r3.
        Version b = acknowledgedB(T + 2_010, "r2", "r3");

        // C3's delayed round 0 reaches r2 and r3 now (still within C3's deadline, T+3400).
        c3.onReply(corr(again, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 2_020);
        Effects next = c3.onReply(corr(again, "r3"), new ReplicaReply.Ack("r3", "k", b), T + 2_020);
        Version sent = highestSent(next);
        assertThat(sent == null || sent.compareTo(b) < 0)
                .as("the second execution writes A at %s, above B (%s), which began after A's first answer (QUORUM_NOT_REACHED at T+2005)",
                        sent, b)
                .isTrue();
    }

    /**
     * FINDING Q1 (same promise; and "a second execution answers as the first may have").
     *
     * <p>A rebalance makes C1 (the revoked owner, still running) and C3 (the new owner) execute A
     * at once. r3 gets C1's write first (fresh), then C3's (duplicate, fresh); r2 gets C3's first
     * (a newcomer, fresh). C3 counts two fresh replies and answers OK at V0: A's first answer. B
     * then begins and is acknowledged by r1 and r2. C1's write to r1 was delayed and arrives only
     * now: r1 has no record of A, records it (not fresh) and acks with B. C1's quorum {r3, r1}
     * shows no other execution (r3 answered C1 before C3's write arrived), so C1 takes the
     * first-execution path, is out-versioned by B, and re-issues A above B. B, which began after
     * A's first answer, is superseded, and one request is answered OK at two versions.
     */
    @Test
    void aFirstExecutionStillRunningNeverReissuesAboveAWriteThatBeganAfterASecondExecutionAnsweredOk() {
        CoordinatorCore c1 = core("c1~aaaa");
        CoordinatorCore c3 = core("c3~cccc");
        Effects a1 = c1.submit(1, requestA(), T + 5);
        Effects a2 = c3.submit(1, requestA(), T + 6);
        Version v0 = writeTo(a1, "r1").versioned().version();

        // r3: C1 first (nothing held: fresh), then C3. r2: C3 first (a newcomer, holds V0).
        c1.onReply(corr(a1, "r3"), new ReplicaReply.Ack("r3", "k", v0), T + 7);
        c3.onReply(corr(a2, "r3"), new ReplicaReply.Ack("r3", "k", v0, new ReplicaReply.Duplicate(v0, false, true)), T + 8);
        Outcome secondAnswer = outcome(c3.onReply(corr(a2, "r2"), new ReplicaReply.Ack("r2", "k", v0), T + 8));
        assertThat(secondAnswer.status()).isEqualTo(Status.OK);
        assertThat(secondAnswer.version()).isEqualTo(v0);

        // B begins after A's answer; acked by r1 and r2.
        Version b = acknowledgedB(T + 20, "r1", "r2");

        // C1's delayed write reaches r1 now.
        Effects c1Next = c1.onReply(corr(a1, "r1"), new ReplicaReply.Ack("r1", "k", b), T + 30);
        Version sent = highestSent(c1Next);
        assertThat(sent == null || sent.compareTo(b) < 0)
                .as("the still-running first execution writes A at %s, above B (%s), which began after A was answered OK at %s",
                        sent, b, v0)
                .isTrue();
    }

    /**
     * FINDING A1 (linearizable mode: "the history of every key is linearizable"; and the
     * twice-executed promise). ABD with an identity relies on the query finding the first
     * execution's record.
     *
     * <p>C1 and C3 execute A at once (rebalance); C3's clock runs 400 ms ahead (within the max
     * clock offset). C1 queries r1, r2 (nothing held) and writes V1. C3 queries r2, r3 before V1
     * arrives there: no record, nothing held, and its writes are delayed. V1 reaches r1 and r2: C1
     * answers OK at V1, A's first answer. Then B, a linearizable put, queries r1, r2 (sees V1),
     * writes above it and completes. C3's writes arrive. On the code the review was written
     * against, C3 minted V2 from its clock (T+406): above B, so every later read returned A
     * although B was invoked after A completed. A write with an identity then took its version
     * from the request and the query's answers, not the clock (both executions saw nothing, so
     * both wrote A's first version). Now the query also claims the request at each replica, and
     * only the execution that a majority recorded first chooses a version: C1's claims reached r1
     * and r2 first, so C3, first only at r3, writes nothing and answers QUORUM_NOT_REACHED.
     */
    @Test
    void a1OfTwoLinearizableExecutionsOnlyTheOneAMajorityRecordedFirstWrites() {
        CoordinatorCore c1 = core("c1~aaaa");
        CoordinatorCore c3 = core("c3~cccc");
        long skew3 = 400;
        Effects q1 = c1.submit(1, linearizableA(), T + 5);
        Effects q3 = c3.submit(1, linearizableA(), T + 6 + skew3);

        c1.onReply(corr(q1, "r1"), claimedAt("r1"), T + 7);
        Effects w1 = c1.onReply(corr(q1, "r2"), claimedAt("r2"), T + 7);
        Version v1 = writeTo(w1, "r1").versioned().version();

        c3.onReply(corr(q3, "r2"), new ReplicaReply.Value("r2", "k", null), T + 7 + skew3);
        Effects w3 = c3.onReply(corr(q3, "r3"), claimedAt("r3"), T + 7 + skew3);
        assertThat(w3.send()).as("recorded first by one replica of three, it waits for the third").isEmpty();

        c1.onReply(corr(w1, "r1"), new ReplicaReply.Ack("r1", "k", v1), T + 9);
        Outcome first = outcome(c1.onReply(corr(w1, "r2"), new ReplicaReply.Ack("r2", "k", v1), T + 9));
        assertThat(first.status()).isEqualTo(Status.OK);
        Version b = linearizablePutB(new Versioned(v1, bytes("A")), new Versioned(v1, bytes("A")), T + 20);

        Effects end3 = c3.onReply(corr(q3, "r1"), new ReplicaReply.Value("r1", "k", null), T + 8 + skew3);
        assertThat(end3.send()).as("nothing written near B (%s)", b).isEmpty();
        assertThat(outcome(end3).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(outcome(end3).error()).contains("recorded first by a majority");
    }

    /** What a replica answers a first execution's query when nothing is held and the claim is that execution's. */
    private static ReplicaReply.Value claimedAt(String replica) {
        return new ReplicaReply.Value(replica, "k", null, null, true);
    }

    /**
     * FINDING A1b, what A1's fix left: the two executions' queries see different replicas, one of
     * which holds an incomplete write from a coordinator whose clock runs ahead. C1 queries r1, r2
     * (nothing). C4, 400 ms ahead, writes C to r3 only, and stalls. C3 queries r2, r3, sees C, and
     * would write A just above it, its writes delayed. C1 writes A at its first version to r1, r2
     * and answers OK. B queries r1, r2, which do not hold C, and writes above A's first version,
     * below C. C3's writes would arrive above B: a read after B returns A. The simulation found the
     * same without any clock ahead (SimulationFindings). Now only a first execution chooses a
     * version: C3 takes the request up again after a rebalance, so the gateway marks it a retake,
     * and finding no earlier execution's write it writes nothing and answers QUORUM_NOT_REACHED.
     */
    @Test
    void a1bAnExecutionThatMayBeARetakeChoosesNoVersion() {
        A1b run = a1b(true);
        assertThat(run.second().send()).as("a retake that found no earlier write writes nothing").isEmpty();
        assertThat(outcome(run.second()).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(outcome(run.second()).error()).contains("may have been taken up before");
    }

    /**
     * A1b for a zombie: a gateway paused past its session does not know that its partitions
     * moved, so its execution counts itself the first too. Two executions chose, and the second
     * wrote A above B (this test asserted that, as a known limit, until the ballot landed). Now
     * the zombie, recorded first by r3 only, writes nothing; once r1 answers too, it gives up.
     */
    @Test
    void a1bOfTwoExecutionsThatBothCountThemselvesFirstOnlyOneChooses() {
        A1b run = a1b(false);
        assertThat(run.second().send()).as("recorded first by one replica of three, it writes nothing").isEmpty();
        assertThat(run.second().completed()).as("r1 may yet record it first").isEmpty();
        Effects end = run.zombie().onReply(corr(run.query(), "r1"), new ReplicaReply.Value("r1", "k", null), T + 30);
        assertThat(end.send()).isEmpty();
        assertThat(outcome(end).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
    }

    private record A1b(CoordinatorCore zombie, Effects query, Effects second, Version b) {
    }

    private static A1b a1b(boolean secondIsRetake) {
        CoordinatorCore c1 = core("c1~aaaa");
        CoordinatorCore c3 = core("c3~cccc");
        Effects q1 = c1.submit(1, linearizableA(), T + 5);
        Effects q3 = c3.submit(1, linearizableA().retaken(secondIsRetake), T + 6);

        c1.onReply(corr(q1, "r1"), claimedAt("r1"), T + 7);
        Effects w1 = c1.onReply(corr(q1, "r2"), claimedAt("r2"), T + 7);
        Version v1 = writeTo(w1, "r1").versioned().version();

        // r2 recorded C1 first; r3 records C3 (unless it is a retake, which claims nothing).
        Versioned c = new Versioned(new Version(HybridClock.pack(T + 400, 0), "c4~dddd"), bytes("C"));
        c3.onReply(corr(q3, "r2"), new ReplicaReply.Value("r2", "k", null), T + 8);
        Effects second = c3.onReply(corr(q3, "r3"), new ReplicaReply.Value("r3", "k", c, null, !secondIsRetake), T + 8);

        c1.onReply(corr(w1, "r1"), new ReplicaReply.Ack("r1", "k", v1), T + 9);
        assertThat(outcome(c1.onReply(corr(w1, "r2"), new ReplicaReply.Ack("r2", "k", v1), T + 9)).status()).isEqualTo(Status.OK);

        Version b = linearizablePutB(new Versioned(v1, bytes("A")), new Versioned(v1, bytes("A")), T + 20);
        return new A1b(c3, q3, second, b);
    }

    /** B, a linearizable put through a third coordinator, begun at {@code at}: its query finds what r1 and r2 hold. */
    private static Version linearizablePutB(Versioned heldR1, Versioned heldR2, long at) {
        CoordinatorCore c2 = core("c2~bbbb");
        Effects qb = c2.submit(1, new ExternalRequest(Op.PUT, "k", bytes("B"), null, null, null, Mode.LINEARIZABLE), at);
        c2.onReply(corr(qb, "r1"), new ReplicaReply.Value("r1", "k", heldR1), at + 1);
        Effects wb = c2.onReply(corr(qb, "r2"), new ReplicaReply.Value("r2", "k", heldR2), at + 1);
        Version b = writeTo(wb, "r1").versioned().version();
        c2.onReply(corr(wb, "r1"), new ReplicaReply.Ack("r1", "k", b), at + 2);
        assertThat(outcome(c2.onReply(corr(wb, "r2"), new ReplicaReply.Ack("r2", "k", b), at + 2)).status()).isEqualTo(Status.OK);
        return b;
    }
}
