package dev.kquorum.coordinator.call;

import static dev.kquorum.coordinator.call.ScenarioSupport.bytes;
import static dev.kquorum.coordinator.call.ScenarioSupport.core;
import static dev.kquorum.coordinator.call.ScenarioSupport.corr;
import static dev.kquorum.coordinator.call.ScenarioSupport.outcome;
import static dev.kquorum.coordinator.call.ScenarioSupport.writeTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;

/**
 * Writes of a request with an identity (the gateway's, or a client's requestId): the first version
 * made from it, what another execution answers, that only a first execution re-issues, and the
 * time limits on executing one at all. Split from CoordinatorCoreTest; the Jepsen scenario tests
 * hold the multi-coordinator stories.
 */
class IdentityWritesTest {

    private static final long NOW = 1_000_000;
    private final CoordinatorCore core = core("c1");

    private Effects identifiedPut(long id, String value, Mode mode) {
        return core.submit(id, new ExternalRequest(Op.PUT, "k", bytes(value), null, null, null, mode)
                .identified("kq.requests-0@41", NOW - 50), NOW);
    }

    /** Every execution of a request with an identity writes the same version first, made from it. */
    @Test
    void aRequestWithAnIdentityIsFirstWrittenAtTheVersionMadeFromIt() {
        ReplicaRequest.Write first = writeTo(identifiedPut(1, "A", null), "r1");
        CoordinatorCore restarted = new CoordinatorCore(List.of("r1", "r2", "r3"), new Versions("c9", MaxClockOffset.DEFAULT), Limits.DEFAULT, 10);
        ReplicaRequest.Write again = writeTo(restarted.submit(7, new ExternalRequest(Op.PUT, "k", bytes("A"), null, null, null, null)
                .identified("kq.requests-0@41", NOW - 50), NOW + 1_000), "r2");
        assertThat(first.versioned().version()).isEqualTo(Versions.forRequest("kq.requests-0@41", NOW - 50));
        assertThat(again.versioned()).isEqualTo(first.versioned());
        assertThat(first.origin().requestId()).isEqualTo("kq.requests-0@41");
        assertThat(again.origin().attempt()).as("each execution is its own attempt").isNotEqualTo(first.origin().attempt());
        assertThat(first.origin().reissue()).isFalse();
    }

    /**
     * Executed again after its first OK answer, with a later write B above it: replicas of the
     * first execution's quorum say it was written there as the newest ("fresh"), and once a write
     * quorum says so the call answers with that version, re-issuing nothing above B.
     */
    @Test
    void anotherExecutionAnswersWithTheFirstVersionAndSupersedesNothing() {
        Effects sent = identifiedPut(1, "A", null);
        Version v0 = writeTo(sent, "r1").versioned().version();
        Version b = new Version(v0.timestamp() + 1_000, "c2");
        ReplicaReply.Duplicate freshBefore = new ReplicaReply.Duplicate(v0, false, true);
        core.onReply(corr(sent, "r1"), new ReplicaReply.Ack("r1", "k", b, freshBefore), NOW);
        Effects waiting = core.onReply(corr(sent, "r2"), new ReplicaReply.Ack("r2", "k", b), NOW);
        assertThat(waiting.isEmpty()).as("one fresh of three, one yet to answer: the first may have been acknowledged").isTrue();
        Effects done = core.onReply(corr(sent, "r3"), new ReplicaReply.Ack("r3", "k", b, freshBefore), NOW);
        assertThat(done.send()).as("nothing written above B").isEmpty();
        assertThat(outcome(done).status()).isEqualTo(Status.OK);
        assertThat(outcome(done).version()).isEqualTo(v0);
    }

    /**
     * Out-versioned, with no other execution's record anywhere: a first execution re-issues above
     * what it found; one the gateway marks as maybe taken up before never chooses a version (two
     * executions choosing could answer at one and later land the other above a write begun after
     * that answer), so it answers QUORUM_NOT_REACHED and writes nothing more.
     */
    @Test
    void onlyAFirstExecutionReissues() {
        for (boolean retaken : List.of(false, true)) {
            CoordinatorCore c = new CoordinatorCore(List.of("r1", "r2", "r3"), new Versions("c1", MaxClockOffset.DEFAULT), Limits.DEFAULT, 10);
            Effects sent = c.submit(1, new ExternalRequest(Op.PUT, "k", bytes("A"), null, null, 5_000L, null)
                    .identified("kq.requests-0@41", NOW - 50).retaken(retaken), NOW);
            Version above = new Version(writeTo(sent, "r1").versioned().version().timestamp() + 1_000, "c2");
            c.onReply(corr(sent, "r1"), new ReplicaReply.Ack("r1", "k", above), NOW);
            Effects decided = c.onReply(corr(sent, "r2"), new ReplicaReply.Ack("r2", "k", above), NOW);
            Effects third = c.onReply(corr(sent, "r3"), new ReplicaReply.Ack("r3", "k", above), NOW);
            Effects both = decided.and(third);
            if (retaken) {
                assertThat(both.send()).as("a retake re-issues nothing").isEmpty();
                assertThat(outcome(both).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
                assertThat(outcome(both).error()).contains("may have been taken up before");
            } else {
                assertThat(both.completed()).isEmpty();
                assertThat(both.send()).as("a first execution re-issues above what it found").isNotEmpty()
                        .allSatisfy(o -> assertThat(((ReplicaRequest.Write) o.request()).versioned().version()).isGreaterThan(above));
            }
        }
    }

    /** ...and when part of its quorum holds less than the version it was written at, it writes that version again. */
    @Test
    void anotherExecutionMakesAWriteQuorumHoldTheVersionItWasWrittenAt() {
        Effects sent = identifiedPut(1, "A", null);
        Version v0 = writeTo(sent, "r1").versioned().version();
        Version reissued = new Version(v0.timestamp() + 100, "c1~x");
        Version older = new Version(v0.timestamp() + 50, "c2");
        core.onReply(corr(sent, "r1"), new ReplicaReply.Ack("r1", "k", reissued,
                new ReplicaReply.Duplicate(reissued, true, false)), NOW);
        Effects again = core.onReply(corr(sent, "r3"), new ReplicaReply.Ack("r3", "k", older), NOW);
        assertThat(again.completed()).isEmpty();
        assertThat(again.send()).hasSize(3).allSatisfy(o -> {
            ReplicaRequest.Write w = (ReplicaRequest.Write) o.request();
            assertThat(w.versioned().version()).isEqualTo(reissued);
            assertThat(w.origin().reissue()).isTrue();
        });
        core.onReply(corr(again, "r2"), new ReplicaReply.Ack("r2", "k", reissued), NOW);
        Outcome won = outcome(core.onReply(corr(again, "r3"), new ReplicaReply.Ack("r3", "k", reissued), NOW));
        assertThat(won.version()).isEqualTo(reissued);
    }

    @Test
    void aLinearizableExecutionOfAKnownRequestWritesItsFirstVersionAgain() {
        Effects query = identifiedPut(1, "A", Mode.LINEARIZABLE);
        assertThat(query.send()).allSatisfy(o -> {
            ReplicaRequest.Read read = (ReplicaRequest.Read) o.request();
            assertThat(read.requestId()).isEqualTo("kq.requests-0@41");
            assertThat(read.attempt()).as("a first execution claims the request").isNotNull();
        });
        Version written = new Version(HybridClock.pack(NOW - 50, 0), "req~x");
        Versioned later = new Versioned(new Version(HybridClock.pack(NOW - 10, 0), "c2"), bytes("B"));
        core.onReply(corr(query, "r1"), new ReplicaReply.Value("r1", "k", later,
                new ReplicaReply.Duplicate(written, true, false)), NOW);
        Effects write = core.onReply(corr(query, "r2"), new ReplicaReply.Value("r2", "k", later), NOW);
        assertThat(writeTo(write, "r3").versioned().version()).isEqualTo(written);
    }

    @Test
    void aRequestIssuedBeyondTheMaxClockOffsetIsInvalid() {
        Outcome o = outcome(core.submit(1, ExternalRequest.put("k", bytes("v")).identified("x", NOW + 60_000), NOW));
        assertThat(o.status()).isEqualTo(Status.INVALID);
        assertThat(o.error()).contains("60000 ms ahead of this coordinator's clock");
    }


    /** Taken up after its own timeout (a gateway far behind, a takeover), a request is not executed again. */
    @Test
    void aRequestTakenUpAfterItsTimeoutIsNotExecuted() {
        Effects late = core.submit(1, new ExternalRequest(Op.PUT, "k", bytes("v"), null, null, 2_000L, null)
                .identified("kq.requests-0@9", NOW - 2_001), NOW);
        assertThat(late.send()).isEmpty();
        assertThat(outcome(late).status()).as("it may have been executed before it was redelivered: unknown")
                .isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(outcome(late).error()).contains("not executed", "past its timeout of 2000 ms", "may still become visible");
    }
}
