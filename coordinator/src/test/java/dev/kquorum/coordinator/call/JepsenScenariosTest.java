package dev.kquorum.coordinator.call;

import static dev.kquorum.coordinator.call.ScenarioSupport.R3;
import static dev.kquorum.coordinator.call.ScenarioSupport.T;
import static dev.kquorum.coordinator.call.ScenarioSupport.bytes;
import static dev.kquorum.coordinator.call.ScenarioSupport.core;
import static dev.kquorum.coordinator.call.ScenarioSupport.corr;
import static dev.kquorum.coordinator.call.ScenarioSupport.outcome;
import static dev.kquorum.coordinator.call.ScenarioSupport.requestA;
import static dev.kquorum.coordinator.call.ScenarioSupport.writeTo;
import static org.assertj.core.api.Assertions.assertThat;


import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;

/**
 * Adversarial scenarios against the pure coordinator core, with replica replies made by hand. Each
 * reply is what {@code Replica} answers in the same situation (replica-worker's
 * {@code JepsenScenariosTest} checks the replica half). Each was written by a Jepsen-style review
 * as a failing test against a promise of DESIGN.md section 1 or a claim of docs/protocol.md, and
 * passes since the fix; where the fix chose to fail visibly outside the fault model (clocks
 * beyond the max offset), the test says so.
 */
class JepsenScenariosTest {

    /**
     * FINDING 1 (quorum promise, second half; issue 10 defect 1's fix).
     *
     * <p>B is put and acknowledged by r1, r2, r3 at a version 200 ms ahead of the broker's clock
     * (B's coordinator runs 200 ms ahead: within the 500 ms max clock offset). Only then does a
     * client publish A; the broker stamps it T, so A's first version V0 = T.0@req~... is below B.
     * Coordinator C1 executes A, sends V0 to all three replicas, and is SIGKILLed before it
     * processes the acks (the whole round trip is the window). Each replica recorded A's identity
     * at V0 and acked with B's version: had C1 lived, it would have re-issued above B (shown first).
     * The gateway redelivers A to C3. Every replica now answers duplicateOf=V0, held=B; the call
     * sees a write quorum holding >= V0 and answers OK at V0, writing nothing. A is acknowledged,
     * yet B, acknowledged before A began, hides it for good: the lost update the quorum promise
     * forbids, brought about by a redelivery.
     */
    @Test
    void aRedeliveryAfterACrashBeforeItsAcksIsNeverAcknowledgedBelowAnOlderWrite() {
        Version b = new Version(HybridClock.pack(T - 100 + 200, 0), "c2~bbbb");   // B acked at broker time T-100
        // Control: C1 survives. Its round 0 finds B above V0 on a quorum and re-issues above B.
        CoordinatorCore c1 = core("c1~aaaa", R3);
        Effects round0 = c1.submit(1, requestA(), T + 5);
        Version v0 = writeTo(round0, "r1").versioned().version();
        assertThat(v0).isLessThan(b);
        c1.onReply(corr(round0, "r1"), new ReplicaReply.Ack("r1", "k", b), T + 6);
        Effects reissue = c1.onReply(corr(round0, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 6);
        assertThat(writeTo(reissue, "r1").versioned().version()).as("a live C1 re-issues above B").isGreaterThan(b);

        // C1 is SIGKILLed before its acks are processed (drop c1; its round 0 reached every replica,
        // each recording A's identity at V0 for C1's attempt). The gateway redelivers A to C3.
        CoordinatorCore c3 = core("c3~cccc", R3);
        Effects again = c3.submit(1, requestA(), T + 800);
        assertThat(writeTo(again, "r1").versioned().version()).isEqualTo(v0);
        c3.onReply(corr(again, "r1"), new ReplicaReply.Ack("r1", "k", b, new ReplicaReply.Duplicate(v0, false, false)), T + 801);
        Effects end = c3.onReply(corr(again, "r2"), new ReplicaReply.Ack("r2", "k", b, new ReplicaReply.Duplicate(v0, false, false)), T + 801);
        Effects last = end.completed().isEmpty()
                ? end.and(c3.onReply(corr(end, "r1"), new ReplicaReply.Ack("r1", "k", b), T + 802))
                        .and(c3.onReply(corr(end, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 802))
                : end;
        Outcome a = outcome(last);

        // B was acknowledged before A began: if A is acknowledged, it must be above B.
        if (a.status() == Status.OK) {
            assertThat(a.version()).as("A acknowledged OK at %s but B (%s), acked before A began, hides it", a.version(), b)
                    .isGreaterThan(b);
        }
    }

    /**
     * FINDING 1b: the same without any crash. A rebalance lets the old and the new owner of the
     * request partition execute A at once (attempts a1 and a2). r1 sees a1 first, r2 sees a2
     * first. Each execution's quorum then holds one reply without duplicateOf and one with it, so
     * both answer OK at V0 and neither re-issues above B, which was acknowledged before A began.
     */
    @Test
    void twoConcurrentExecutionsOfOneRequestNeverAcknowledgeItBelowAnOlderWrite() {
        Version b = new Version(HybridClock.pack(T + 100, 0), "c2~bbbb");
        CoordinatorCore old = core("c1~aaaa", R3);
        CoordinatorCore taker = core("c3~cccc", R3);
        Effects a1 = old.submit(1, requestA(), T + 5);
        Effects a2 = taker.submit(1, requestA(), T + 6);
        Version v0 = writeTo(a1, "r1").versioned().version();

        // r1: a1 then a2; r2: a2 then a1 (see the replica-side test for these exact answers).
        old.onReply(corr(a1, "r1"), new ReplicaReply.Ack("r1", "k", b), T + 7);
        Effects oldDone = old.onReply(corr(a1, "r2"), new ReplicaReply.Ack("r2", "k", b, new ReplicaReply.Duplicate(v0, false, false)), T + 7);
        taker.onReply(corr(a2, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 7);
        Effects takerDone = taker.onReply(corr(a2, "r1"), new ReplicaReply.Ack("r1", "k", b, new ReplicaReply.Duplicate(v0, false, false)), T + 7);

        boolean someoneWroteAboveB = oldDone.send().stream().anyMatch(o -> ((ReplicaRequest.Write) o.request()).versioned().version().compareTo(b) > 0)
                || takerDone.send().stream().anyMatch(o -> ((ReplicaRequest.Write) o.request()).versioned().version().compareTo(b) > 0);
        boolean acknowledged = oldDone.completed().stream().anyMatch(c -> c.outcome().isOk())
                || takerDone.completed().stream().anyMatch(c -> c.outcome().isOk());
        assertThat(acknowledged && !someoneWroteAboveB)
                .as("A acknowledged OK at %s while B (%s), acked before A began, stays above it and nothing is sent above B", v0, b)
                .isFalse();
    }

    /**
     * FINDING 3 (docs/protocol.md "Clocks"; issue 10 defect 6). The doc says the "issued ahead of
     * this coordinator's clock" check "only applies to a kq.requests whose timestamps come from
     * the client (CreateTime)". The gateway passes record.timestamp() whatever the timestamp type,
     * so with the default LogAppendTime topic, a broker (partition leader) whose clock runs 600 ms
     * ahead of the coordinator's makes every request INVALID, telling the user to "check the
     * client's clock".
     */
    @Test
    void aRequestStampedByABrokerWhoseClockRunsAheadIsExecuted() {
        CoordinatorCore c = core("c1~aaaa", R3);
        long coordinatorNow = T;
        // Within the max clock offset: executed.
        Effects e = c.submit(1, ExternalRequest.put("k", bytes("v")).identified("kq.requests-0@7", coordinatorNow + 400), coordinatorNow);
        assertThat(e.completed()).as("a fresh request refused only because the broker's clock is ahead: %s", e.completed()).isEmpty();
        assertThat(e.send()).hasSize(3);
        // Beyond it (outside the fault model's clock bound): refused at once, naming whose clock, not silently misversioned.
        Outcome beyond = outcome(c.submit(2, ExternalRequest.put("k", bytes("v")).identified("kq.requests-0@8", coordinatorNow + 600), coordinatorNow));
        assertThat(beyond.status()).isEqualTo(Status.INVALID);
        assertThat(beyond.error()).contains("600 ms ahead", "broker (LogAppendTime)");
    }

    /**
     * FINDING 3b (DESIGN §6 "clocks skewed between hosts, below and above the timeouts"; issue 10
     * defect 6 "operations complete whatever the skew"). A broker whose clock lags the
     * coordinator's by more than the request's timeout makes the "not executed after its timeout"
     * rule refuse every fresh request (OVERLOADED, "not executed"), on the first delivery.
     */
    @Test
    void aFreshRequestStampedByABrokerWhoseClockLagsBeyondTheTimeoutIsExecuted() {
        CoordinatorCore c = core("c1~aaaa", R3);
        long coordinatorNow = T;
        // A broker lagging within the max clock offset: executed.
        Effects e = c.submit(1, ExternalRequest.put("k", bytes("v")).identified("kq.requests-0@7", coordinatorNow - 400), coordinatorNow);
        assertThat(e.completed()).as("a request consumed 1 ms after it was published, refused: %s", e.completed()).isEmpty();
        assertThat(e.send()).hasSize(3);
        // Lagging by more than the timeout (outside the fault model's clock bound): not executed, and said so.
        Outcome beyond = outcome(c.submit(2, ExternalRequest.put("k", bytes("v")).identified("kq.requests-0@8", coordinatorNow - 3_000), coordinatorNow));
        assertThat(beyond.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(beyond.error()).contains("not executed", "issued 3000 ms ago");
    }

    /**
     * FINDING 4 ("one bogus far-future version cannot poison a key"; "followed by a coordinator").
     * The guard is per host: a replica whose own clock is far ahead (a skewed host, in the fault
     * model) accepts a stray far-future version, and a store written before the guard existed
     * still holds the adversarial run's year-6429 version. A quorum read that gets that reply
     * returns the stray value, and keeps returning it over every later acknowledged write, though
     * the coordinator's own clock would never follow that version. (Read repair of it is refused
     * by the healthy replicas, so it never heals; writes whose quorum includes r1 fail.)
     */
    @Test
    void aQuorumReadDoesNotReturnAVersionFarBeyondTheCoordinatorsClock() {
        CoordinatorCore c = core("c1~aaaa", R3);
        Versioned bogus = new Versioned(new Version(HybridClock.pack(T + 3_600_000, 0), "zz"), bytes("stray"));
        Versioned acked = new Versioned(new Version(HybridClock.pack(T - 10, 0), "c2~bbbb"), bytes("acked"));
        Effects sent = c.submit(1, ExternalRequest.get("k"), T);
        c.onReply(corr(sent, "r1"), new ReplicaReply.Value("r1", "k", bogus), T + 1);
        Effects more = c.onReply(corr(sent, "r2"), new ReplicaReply.Value("r2", "k", acked), T + 1);
        assertThat(more.completed()).as("r1's answer is refused, so the read waits for another").isEmpty();
        Outcome o = outcome(c.onReply(corr(sent, "r3"), new ReplicaReply.Value("r3", "k", acked), T + 1));
        assertThat(o.status()).isEqualTo(Status.OK);
        assertThat(o.version()).as("read returned %s, an hour beyond this coordinator's clock plus the max offset", o.version())
                .isNotEqualTo(bogus.version());
    }

    /**
     * FINDING 5 (linearizable mode; issue 10 defect 5 "validate a linearizable read against the W
     * that writes use"). A get may carry its own "w", and validation uses it: with N=3, a
     * linearizable get {"r":1,"w":"ALL"} is accepted (R+W = 4 > 3, W > N/2), but the writes it is
     * read against use the default QUORUM (W=2). A linearizable put acked by r1 and r2 completes;
     * a linearizable get that begins after it reads r3 alone and returns the older value: not
     * linearizable. A read's own "w" says nothing about the writes it must see.
     */
    @Test
    void aLinearizableReadWithItsOwnWIsNotStaleAfterACompletedLinearizableWrite() {
        CoordinatorCore c = core("c1~aaaa", R3);
        Versioned old = new Versioned(new Version(HybridClock.pack(T - 1_000, 0), "c2~bbbb"), bytes("old"));
        // The linearizable put, with defaults (R=2, W=2): query r1, r2; write to r1, r2.
        Effects q = c.submit(1, new ExternalRequest(Op.PUT, "k", bytes("new"), null, null, null, Mode.LINEARIZABLE), T);
        c.onReply(corr(q, "r1"), new ReplicaReply.Value("r1", "k", old), T + 1);
        Effects w = c.onReply(corr(q, "r2"), new ReplicaReply.Value("r2", "k", old), T + 1);
        Version written = writeTo(w, "r1").versioned().version();
        c.onReply(corr(w, "r1"), new ReplicaReply.Ack("r1", "k", written), T + 2);
        assertThat(outcome(c.onReply(corr(w, "r2"), new ReplicaReply.Ack("r2", "k", written), T + 2)).status()).isEqualTo(Status.OK);

        // Then a linearizable get naming r=1, w=ALL; r3 (which missed the put) answers first.
        Effects g = c.submit(2, new ExternalRequest(Op.GET, "k", null, Consistency.ALL, Consistency.ONE, null, Mode.LINEARIZABLE), T + 3);
        if (!g.completed().isEmpty()) {
            assertThat(outcome(g).status()).isEqualTo(Status.INVALID);
            return;
        }
        Effects back = c.onReply(corr(g, "r3"), new ReplicaReply.Value("r3", "k", old), T + 4);
        Effects end = back;
        for (String r : R3) {
            if (!end.completed().isEmpty()) {
                break;
            }
            end = end.and(c.onReply(corr(back, r), new ReplicaReply.Ack(r, "k", r.equals("r3") ? old.version() : written), T + 5));
        }
        Outcome read = outcome(end);
        assertThat(read.version()).as("a linearizable read that began after a completed write returned the older value")
                .isEqualTo(written);
    }

    /**
     * FINDING 7 (DESIGN §1 and README: executing a request twice "never supersedes a write that
     * began after its first answer", with no exception; only protocol.md narrows it, to "may still
     * take effect"). Clocks: C1 250 ms ahead of the broker, C3 250 ms behind (500 ms apart, the
     * max clock offset). A's first execution, by C1, reaches r1 only and times out: answered
     * QUORUM_NOT_REACHED at real time T+2005. B then begins and is acknowledged by r2 and r3 at
     * T+2010. C1 dies before committing A's offset; the gateway redelivers A to C3, whose clock
     * reads T+1995 at real T+2245, so A is not "late" and is executed. r2 and r3 have no record of
     * A and ack with B's version; the execution re-issues A above B. A, whose only answer so far
     * was QUORUM_NOT_REACHED, now supersedes B, which began after that answer. Without the second
     * execution A would have stayed below B (as an indeterminate Cassandra write does).
     */
    @Test
    void aRedeliveryNeverBeginsAfterAFirstAnswerOfQuorumNotReached() {
        CoordinatorCore c1 = core("c1~aaaa", R3);
        Effects first = c1.submit(1, requestA(), T + 255);
        Version v0 = writeTo(first, "r1").versioned().version();
        c1.onReply(corr(first, "r1"), new ReplicaReply.Ack("r1", "k", v0), T + 256);
        assertThat(outcome(c1.onTick(T + 255 + CoordinatorCore.DEFAULT_TIMEOUT_MS)).status()).isEqualTo(Status.QUORUM_NOT_REACHED);

        Version b = new Version(HybridClock.pack(T + 2_010, 0), "c2~bbbb");   // B begins after that answer, acked by r2, r3

        CoordinatorCore c3 = core("c3~cccc", R3);
        Effects again = c3.submit(1, requestA(), T + 1_995);
        if (!again.completed().isEmpty()) {
            // Refused as late: within the max clock offset it could begin after the first answer.
            assertThat(outcome(again).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
            assertThat(again.send()).isEmpty();
            return;
        }
        c3.onReply(corr(again, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 1_996);
        Effects next = c3.onReply(corr(again, "r3"), new ReplicaReply.Ack("r3", "k", b), T + 1_996);
        assertThat(next.send()).as("the second execution writes A above B, which began after A's first answer")
                .noneMatch(o -> ((ReplicaRequest.Write) o.request()).versioned().version().compareTo(b) > 0);
    }
}
