package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.StoreBatch;
import org.junit.jupiter.api.Test;

/**
 * Adversarial scenarios against the pure {@link Replica}. The first test passes: it pins the
 * replica's answers that coordinator's {@code JepsenScenariosTest} feeds its core by hand. The
 * others were written by a Jepsen-style review as failing tests, and pass since the fix.
 */
class JepsenScenariosTest extends ReplicaScenarios {

    /**
     * Pins the replies used by coordinator JepsenScenariosTest (findings 1 and 1b): with B held
     * above A's first version V0, an execution's first write is acked with B and recorded; any
     * other execution is then answered duplicateOf=V0, held=B, and A is held nowhere.
     */
    @Test
    void replicaAnswersBehindFindingOne() {
        Replica r = new Replica("r1");
        Version b = new Version(HybridClock.pack(T + 100, 0), "c2~bbbb");
        Version v0 = new Version(HybridClock.pack(T, 0), "req~0123456789abcdef");
        apply(r, write("B", b, null), T + 100);
        ReplicaRequest.Origin a1 = new ReplicaRequest.Origin("kq.requests-0@41", "c1~aaaa:1", false);
        ReplicaRequest.Origin a2 = new ReplicaRequest.Origin("kq.requests-0@41", "c3~cccc:1", false);
        assertThat(apply(r, write("A", v0, a1), T + 6)).isEqualTo(new ReplicaReply.Ack("r1", "k", b));
        assertThat(apply(r, write("A", v0, a2), T + 800))
                .as("the other execution learns that A's first version arrived here below B (not fresh)")
                .isEqualTo(new ReplicaReply.Ack("r1", "k", b, new ReplicaReply.Duplicate(v0, false, false)));
        assertThat(store.get("k").value()).isEqualTo("B".getBytes(UTF_8));
    }

    /**
     * FINDING 2 (issue 10 defect 6, "operations complete whatever the skew between the hosts";
     * Replica's own rule: "never on the word of another host's clock alone, so skew cannot
     * silence a replica"). A worker whose clock runs 5 s ahead of the coordinator's, under load
     * (its poll left records behind, so catchingUp is true, as it is in most batches under a
     * steady stream), judges a write that the coordinator sent a moment ago past its 2 s deadline:
     * it applies the write but sends no ack; a read gets no answer at all. Every batch with lag
     * is silenced, whatever is in it, so under load this replica stops counting towards quorums.
     */
    @Test
    void aWorkerWhoseClockRunsAheadStillAnswersFreshRequestsUnderLoad() {
        Replica r = new Replica("r1");
        long coordinatorNow = T;
        long deadline = coordinatorNow + 2_000;           // the coordinator's, by its clock
        long workerNow = coordinatorNow + 5_000 + 3;      // sent 3 ms ago, worker clock 5 s ahead
        // Under a steady load a worker that has once reached the end of its topic is not catching
        // up (ReplicaWorker): a lag is the stream, not a backlog.
        Replica.Delivery underLoad = new Replica.Delivery(deadline, workerNow, false);
        Version v = new Version(HybridClock.pack(coordinatorNow, 0), "c1~aaaa");
        Replica.Decision w = r.receive(write("x", v, null), underLoad, new StoreBatch(store));
        Replica.Decision rd = r.receive(new ReplicaRequest.Read("k"), underLoad, new StoreBatch(store));
        assertThat(w.reply()).as("a fresh write, applied but never acked").isNotNull();
        assertThat(rd.reply()).as("a fresh read, never answered").isNotNull();
    }

    /**
     * FINDING 6 (margin of the dedup window). ReplicaRules accepts a dedup window equal to the
     * longest request timeout (10 min), reasoning that coordinators execute a request only within
     * its timeout from issue. But "issue" is the broker's stamp, the timeout is measured by the
     * coordinator's clock, and the purge by the replica's. With the coordinator 250 ms behind the
     * broker and the replica 250 ms ahead (500 ms apart: the max clock offset), a redelivery the
     * coordinator still executes (exactly at its 600 000 ms timeout) reaches a replica that has
     * already purged the identity: the execution is no longer recognised, finds B above V0 and
     * re-issues above it, superseding B.
     */
    @Test
    void anIdentityIsRememberedWhileACoordinatorWithinTheMaxClockOffsetMayStillExecuteIt() {
        assertThatThrownBy(() -> new ReplicaRules(Limits.DEFAULT, MaxClockOffset.DEFAULT,
                ReplicaRules.DEFAULT_TOMBSTONE_GRACE, ReplicaRules.MAX_REQUEST_TIMEOUT))
                .as("a window of exactly the longest timeout leaves no room for the clocks' offsets")
                .isInstanceOf(IllegalArgumentException.class);
        Replica r = new Replica("r1", new ReplicaRules(Limits.DEFAULT, MaxClockOffset.DEFAULT,
                ReplicaRules.DEFAULT_TOMBSTONE_GRACE, ReplicaRules.MAX_REQUEST_TIMEOUT.plusSeconds(1)));
        Version v0 = new Version(HybridClock.pack(T, 0), "req~0123456789abcdef");
        apply(r, write("A", v0, new ReplicaRequest.Origin("kq.requests-0@41", "c1~aaaa:1", false)), T + 5);
        // The coordinator (250 ms behind the broker) executes the redelivery at its now = T + 600 000:
        // not late by its rule (age == timeout). Real time: T + 600 250; the replica (250 ms ahead) reads T + 600 500.
        long replicaNow = T + 600_000 + 500;
        int purged = store.purge((key, held) -> r.purgeable(key, held, replicaNow));
        assertThat(purged).as("identity purged while a coordinator within the max clock offset may still execute the request")
                .isZero();
    }
}
