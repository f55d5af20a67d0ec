package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.coordinator.call.CoordinatorCore;
import dev.kquorum.coordinator.call.Effects;
import dev.kquorum.coordinator.call.Outbound;
import dev.kquorum.coordinator.call.Versions;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LinearizabilityChecker;
import dev.kquorum.replica.Replica;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;
import org.junit.jupiter.api.Test;

/**
 * Review of a120ab0 (the per-request ballot): scenarios driven by hand against the real
 * {@link CoordinatorCore} and the real {@link Replica} rules, each replica with its own topic (the
 * records appended to it, in order) and store, processed as {@code ReplicaWorker} does.
 */
class BallotReviewTest {

    static final long T = 1_800_000_000_000L;

    /** One replica: its topic (what was appended, in order), its store, and how it processes a record. */
    static final class Rep {
        final String id;
        final Replica replica;
        InMemoryReplicaStore store = new InMemoryReplicaStore();
        final List<Outbound> topic = new ArrayList<>();

        Rep(String id) {
            this.id = id;
            this.replica = new Replica(id);
        }

        /** Appended to the topic and processed at once (the worker keeps up): the reply. */
        ReplicaReply deliver(Outbound o, long nowMs) {
            topic.add(o);
            return process(o, nowMs, false);
        }

        /** Appended while the worker is down: processed later. */
        void append(Outbound o) {
            topic.add(o);
        }

        ReplicaReply process(Outbound o, long nowMs, boolean catchingUp) {
            StoreBatch batch = new StoreBatch(store);
            Replica.Decision d = replica.receive(o.request(), new Replica.Delivery(o.deadlineMs(), nowMs, catchingUp), batch);
            store.commit(batch);
            return d.reply();
        }

        /**
         * The store's disk is wiped (DESIGN section 6): the worker starts with an empty store, finds
         * no position in it, and replays its topic from the beginning (ReplicaWorker.assignAndSeek:
         * seekToBeginning; retention is infinite). The records before {@code lastBatchFrom} come in
         * batches after which more records wait (catching up); the rest in the last batch. Replies
         * by record index.
         */
        Map<Integer, ReplicaReply> wipeAndReplay(long nowMs, int lastBatchFrom) {
            store = new InMemoryReplicaStore();
            Map<Integer, ReplicaReply> replies = new TreeMap<>();
            for (int i = 0; i < topic.size(); i++) {
                ReplicaReply reply = process(topic.get(i), nowMs, i < lastBatchFrom);
                if (reply != null) {
                    replies.put(i, reply);
                }
            }
            return replies;
        }
    }

    static Outbound to(Effects effects, String replica) {
        return effects.send().stream().filter(o -> o.replica().equals(replica)).findFirst().orElseThrow();
    }

    static CoordinatorCore core(String writer) {
        return new CoordinatorCore(List.of("r1", "r2", "r3"), new Versions(writer, MaxClockOffset.DEFAULT), Limits.DEFAULT, 100);
    }

    static Outcome outcome(Effects effects) {
        assertThat(effects.completed()).hasSize(1);
        return effects.completed().get(0).outcome();
    }

    static ExternalRequest linearizablePut(String value) {
        return new ExternalRequest(Op.PUT, "k", value.getBytes(UTF_8), null, null, 2_000L, Mode.LINEARIZABLE);
    }

    static ExternalRequest linearizableGet() {
        return new ExternalRequest(Op.GET, "k", null, null, null, 2_000L, Mode.LINEARIZABLE);
    }

    /**
     * W1, found by review (failed before a claim was applied however stale: r1 recorded Z's claim,
     * Z wrote P just above X and answered OK, and the read returned P). Linearizable mode; "executing a request twice never supersedes a write that began
     * after its first answer"). A claim is recorded only by a READ (the linearizable write's query),
     * and a worker that is catching up skips a read past its deadline without applying it. A
     * replica whose disk is wiped rebuilds by replaying its topic from the beginning, catching up:
     * the claims it had answered {@code claimed:true} to are skipped, so it can record, and answer
     * {@code claimed:true} to, another execution of the same request. Two executions then each
     * have a majority of {@code claimed:true} answers, and both choose a version.
     *
     * <p>N=3, R=W=2, all clocks agree, timeoutMs 2000. P is a linearizable put with requestId p1.
     * <ol>
     *   <li>T: gateway G2 (P's partition was assigned to it before P was appended) executes P: A.
     *   A's query reaches r1 and r2, which record A's claim and answer claimed; its copy for r3 is
     *   lost. A has a majority and chooses vA (P's first version). A's write to r1 is lost, to r2
     *   acked, to r3 delayed.</li>
     *   <li>T+1000: the zombie G1 (paused past its session, it fetched P before pausing) executes P
     *   as a first execution: Z. Z's query reaches r3 (no record there: r3 records Z's claim and
     *   answers claimed); its copy for r2 is lost; its copy for r1 is delayed by the zombie's
     *   producer. Z: one claim, one replica unanswered: it waits.</li>
     *   <li>A's delayed write reaches r3 (acked): A answers OK at vA at T+1003, P's first answer.</li>
     *   <li>T+1100: X, a linearizable put begun after P's answer, queries r2, r3 (sees vA), writes
     *   vX > vA to all three and is answered OK.</li>
     *   <li>T+1500: r1's disk is wiped; r1 is down. Z's delayed query is appended to r1's topic
     *   at T+1600, behind A's query, X's query and X's write.</li>
     *   <li>T+2500: r1 comes back with an empty store and replays its topic. A's query (deadline
     *   T+2000) is a read past its deadline while catching up: it used to be skipped, so A's claim
     *   was gone, and Z's query, last, recorded Z's claim. Z then had claims from r3 and r1, chose
     *   forRequestAbove(first, vX), just above X, and answered OK; a linearizable read returned P,
     *   acknowledged before X began. Now a claim is applied however stale (unanswered): r1
     *   records A's claim again, first, and tells Z the request is not its own.</li>
     *   <li>Z, recorded first by one replica of three, writes nothing, and at its deadline answers
     *   QUORUM_NOT_REACHED.</li>
     *   <li>A linearizable read returns X.</li>
     * </ol>
     * Each replica's answer here is what the real Replica computes: the test drives Replica.receive
     * with the same Delivery (deadline, now, catchingUp) as ReplicaWorker.process. In step 6 A's
     * query must come in a poll after which records still wait (ReplicaWorker: catchingUp = lag
     * after the batch > 0): on a real replica topic, with other keys' traffic and max.poll.records
     * 500, the replay of a wiped store is many batches; here the topic is tiny, so the replay is
     * cut as a worker would poll it if Z's query were appended just after its first poll.
     */
    @Test
    void w1AWipedReplicaReplaysTheClaimsItAnsweredSoASecondExecutionCannotWinTheBallot() {
        Rep r1 = new Rep("r1");
        Rep r2 = new Rep("r2");
        Rep r3 = new Rep("r3");
        CoordinatorCore g2 = core("g2~aaaa");
        CoordinatorCore g1 = core("g1~zzzz");
        ExternalRequest p = linearizablePut("P").identified("id:p1", T);
        List<HistoryOp> history = new ArrayList<>();

        // 1. A (g2) queries; r1 and r2 record A's claim; A's query to r3 is lost.
        Effects aQuery = g2.submit(1, p, T);
        g2.onReply(to(aQuery, "r1").correlation(), r1.deliver(to(aQuery, "r1"), T + 1), T + 1);
        Effects aWrite = g2.onReply(to(aQuery, "r2").correlation(), r2.deliver(to(aQuery, "r2"), T + 1), T + 1);
        assertThat(aWrite.send()).as("A, claimed by r1 and r2, writes").isNotEmpty();
        // A's write: to r1 lost; r2 acks; r3's copy delayed.
        assertThat(g2.onReply(to(aWrite, "r2").correlation(), r2.deliver(to(aWrite, "r2"), T + 2), T + 2).completed()).isEmpty();

        // 2. The zombie's execution Z (g1), a first execution too. Its query reaches r3 first.
        Effects zQuery = g1.submit(1, p, T + 1_000);
        assertThat(zQuery.send()).as("executed: not late (1000 <= 2000 - 500)").isNotEmpty();
        ReplicaReply zFromR3 = r3.deliver(to(zQuery, "r3"), T + 1_001);
        assertThat(((ReplicaReply.Value) zFromR3).claimed()).isTrue();
        assertThat(g1.onReply(to(zQuery, "r3").correlation(), zFromR3, T + 1_001).isEmpty()).isTrue();
        // Z's query to r2 is lost; to r1 delayed (appended later).

        // 3. A's delayed write reaches r3: A answered OK, P's first answer.
        Outcome aAnswer = outcome(g2.onReply(to(aWrite, "r3").correlation(), r3.deliver(to(aWrite, "r3"), T + 1_002), T + 1_003));
        assertThat(aAnswer.status()).isEqualTo(Status.OK);
        Version vA = aAnswer.version();
        history.add(new HistoryOp(0, "client-p", "k", true, "P", vA, T, T + 1_003));

        // 4. X begins after P's answer: a linearizable put, completed.
        Effects xQuery = g2.submit(2, linearizablePut("X"), T + 1_100);
        r1.deliver(to(xQuery, "r1"), T + 1_101); // answered; too late to count
        g2.onReply(to(xQuery, "r2").correlation(), r2.deliver(to(xQuery, "r2"), T + 1_101), T + 1_101);
        Effects xWrite = g2.onReply(to(xQuery, "r3").correlation(), r3.deliver(to(xQuery, "r3"), T + 1_101), T + 1_101);
        r1.deliver(to(xWrite, "r1"), T + 1_102);
        g2.onReply(to(xWrite, "r2").correlation(), r2.deliver(to(xWrite, "r2"), T + 1_102), T + 1_102);
        Outcome xAnswer = outcome(g2.onReply(to(xWrite, "r3").correlation(), r3.deliver(to(xWrite, "r3"), T + 1_102), T + 1_103));
        assertThat(xAnswer.status()).isEqualTo(Status.OK);
        Version vX = xAnswer.version();
        assertThat(vX).isGreaterThan(vA);
        history.add(new HistoryOp(1, "client-x", "k", true, "X", vX, T + 1_100, T + 1_103));

        // 5. r1's disk is wiped at T+1500 (down); Z's delayed query is appended to its topic at T+1600.
        r1.append(to(zQuery, "r1"));
        int zIndex = r1.topic.size() - 1;

        // 6. T+2500: r1 replays its topic from the beginning; the last batch is Z's query alone.
        Map<Integer, ReplicaReply> replayed = r1.wipeAndReplay(T + 2_500, zIndex);
        assertThat(replayed).as("A's query, past its deadline (T+2000) while catching up, is not answered").doesNotContainKey(0);
        ReplicaReply zFromR1 = replayed.get(zIndex);
        assertThat(((ReplicaReply.Value) zFromR1).claimed()).as("the replay recorded A's claim again, first").isFalse();

        // 7. Z, recorded first by r3 alone of the three, chooses nothing.
        Effects zWaits = g1.onReply(to(zQuery, "r1").correlation(), zFromR1, T + 2_500);
        assertThat(zWaits.send()).as("Z writes nothing").isEmpty();
        assertThat(zWaits.completed()).as("r2 may yet record Z first").isEmpty();
        Effects zEnd = g1.onTick(T + 3_001);
        assertThat(zEnd.send()).isEmpty();
        assertThat(outcome(zEnd).status()).as("at its deadline").isEqualTo(Status.QUORUM_NOT_REACHED);

        // 8. A linearizable read after everything.
        Effects read = g2.submit(3, linearizableGet(), T + 2_600);
        g2.onReply(to(read, "r2").correlation(), r2.deliver(to(read, "r2"), T + 2_601), T + 2_601);
        Outcome got = outcome(g2.onReply(to(read, "r3").correlation(), r3.deliver(to(read, "r3"), T + 2_601), T + 2_601));
        String seen = got.value() == null ? null : new String(got.value(), UTF_8);
        history.add(new HistoryOp(2, "client-r", "k", false, seen, got.version(), T + 2_600, T + 2_601));

        assertThat(seen).as("X began after P was answered: the read returns X").isEqualTo("X");
        assertThat(LinearizabilityChecker.firstViolation(history)).as("history %s", history).isNull();
    }
}
