package dev.kquorum.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import dev.kquorum.common.protocol.Mode;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LinearizabilityChecker;
import dev.kquorum.history.QuorumPromiseChecker;
import org.junit.jupiter.api.Test;

/** What the widened simulation found, each as the seed and config that found it. */
class SimulationFindings {

    /**
     * A write with an identity whose first execution was out-versioned and never re-issued (its
     * coordinator restarted with its clock stepped back 649 ms, so the higher version was beyond
     * the max clock offset and not followed) left identity records at its first version. The
     * gateway's second execution found them and answered OK at that version: below four writes
     * acknowledged before the request was even issued, so an acknowledged write that no read can
     * ever see.
     */
    // (Both runs were found with timeouts of 104 and 103 ms; the request topic now refuses timeouts
    // within the max clock offset, so they run with 604 and 603 ms and no longer replay the exact
    // original runs. JepsenScenariosTest in coordinator holds the scenario itself, step by step.)
    @Test
    void aRedeliveredRequestIsNotAcknowledgedBelowWritesThatPrecededIt() {
        SimConfig config = new SimConfig(Mode.QUORUM, new SimConfig.Shape(1, 1, 1, 2, 4, 1, 8, 604),
                new SimConfig.Faults(0.0, 0.0, 3, 2, 1, 1, 0.07, 0.0, 0, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 649, 0, 1, true));
        List<HistoryOp> history = new Simulation(829697, config).run();
        assertThat(QuorumPromiseChecker.violations(history)).isEmpty();
    }

    /** The same with a coordinator 481 ms behind, in mixed modes, N=3. */
    @Test
    void aRedeliveredRequestIsNotAcknowledgedBelowWritesThatPrecededItWithSkew() {
        SimConfig config = new SimConfig(null, new SimConfig.Shape(3, 2, 2, 2, 4, 1, 4, 603),
                new SimConfig.Faults(0.07, 0.06, 1, 4, 1, 2, 0.44, 0.0, 0, false),
                new SimConfig.Clocks(List.of(-481L, 26L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        List<HistoryOp> history = new Simulation(2, config).run();
        assertThat(QuorumPromiseChecker.violations(history)).isEmpty();
    }

    /**
     * A known limitation, kept visible: a delete that one replica never got (a lost send to its
     * topic) comes back once the others have purged its tombstone, through a read's repair (here
     * a linearizable read's write-back) from the replica that missed it. As Cassandra's gc_grace,
     * the grace period is safe only if every replica gets every delete within it, and kquorum has
     * no anti-entropy repair yet. The properties therefore do not lose requests to replicas while
     * tombstones are purged; this test shows the invariants catch the resurrection when they do.
     */
    @Test
    void aDeleteThatMissedAReplicaComesBackAfterTheGracePeriod() {
        // (Found as seed 14 with R=1 and a 100 ms timeout, both since refused for linearizable
        // requests through the request topic; seed 108 shows the same with R=2 and 600 ms.)
        SimConfig config = new SimConfig(Mode.LINEARIZABLE, new SimConfig.Shape(3, 3, 2, 1, 2, 1, 8, 600),
                new SimConfig.Faults(0.09, 0.01, 13, 0, 0, 1, 0.0, 0.0, 1, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, true));
        Simulation sim = new Simulation(108, config);
        sim.lossyReplicaTopics = true;
        assertThatThrownBy(sim::run).hasMessageContaining("r2's version of k0 went back");
    }

    /**
     * What mixing modes does not keep, kept visible: a quorum-mode write (#5, its coordinator slow
     * in round 0) is read by linearizable reads (which write it back), then deleted (#8); the
     * write's round 0 then finds the delete above it and re-issues above it, so the value comes
     * back (#13): one write taking effect twice. The quorum promise holds (the write never
     * completed); linearizability needs every operation on the key in linearizable mode.
     */
    @Test
    void quorumModeWritesMixedWithLinearizableReadsAreNotLinearizable() {
        SimConfig config = new SimConfig(null, new SimConfig.Shape(4, 4, 2, 3, 4, 1, 10, 600),
                new SimConfig.Faults(0.0, 0.03, 50, 0, 3, 2, 0.0, 0.0, 0, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, true));
        // (Found by CI as seed 27064; after quorum-mode writes with an identity learned to wait for
        // a fresh quorum before re-issuing, that run no longer showed it, seed 699 did; since only
        // the execution a majority of replicas recorded first re-issues, seed 272 does. The story
        // above is 27064's.)
        Simulation sim = new Simulation(272, config);
        List<HistoryOp> history = sim.run();
        assertThat(QuorumPromiseChecker.violations(history)).isEmpty();
        assertThat(LinearizabilityChecker.firstViolation(sim.withoutQuorumReads())).isEqualTo("k0");
    }

    /**
     * Found once gateway takeovers were modelled as they happen (the new owner executes a request
     * while the revoked gateway's execution still runs): two executions of a linearizable write
     * whose queries saw different replicas, one of them holding a concurrent write (#14), chose
     * different versions. The first answered OK below #14, and a read (#20) begun after that
     * answer returned #14; then the second execution's version, just above #14, landed, and later
     * reads returned #15's value again. (Coordinator's {@code JepsenScenarios2Test} A1b, step by
     * step.) Now only a first execution chooses a version: the gateway marks a request it may have
     * taken up before, and such an execution only completes what an earlier one wrote. A zombie
     * gateway (paused past its session, still executing what it fetched) cannot know, and with
     * one the run failed as before, until a request's executions held a ballot: only the one
     * that a majority of replicas saw first (its query claims the request there) chooses.
     */
    @Test
    void overlappingExecutionsOfALinearizableWriteAgreeEvenWithAZombieGateway() {
        SimConfig config = new SimConfig(Mode.LINEARIZABLE, new SimConfig.Shape(3, 2, 2, 3, 4, 1, 8, 700),
                new SimConfig.Faults(0.0, 0.0, 220, 0, 0, 0, 0.6, 0.0, 0, false),
                new SimConfig.Clocks(List.of(0L, 420L, -60L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        assertThat(LinearizabilityChecker.firstViolation(run(654, config, false))).isNull();
        assertThat(LinearizabilityChecker.firstViolation(run(654, config, true))).isNull();
    }

    /**
     * The same, where it cost the quorum promise: linearizable write #19's second execution starts
     * 4 ms after its first (one coordinator here). Its query's answers came at t=43 and t=99,
     * before the first execution's writes arrived, and at t=184 from r1, which never got them but
     * by then held #21, a write begun at t=172, after #19's first answer at t=171. So it wrote #19
     * just above #21, and #21, acknowledged, was superseded.
     */
    @Test
    void anOverlappingExecutionOfALinearizableWriteSupersedesNothingEvenWithAZombieGateway() {
        SimConfig config = new SimConfig(null, new SimConfig.Shape(5, 3, 3, 1, 4, 1, 6, 610),
                new SimConfig.Faults(0.02, 0.05, 2, 3, 2, 1, 0.58, 0.05, 1, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        assertThat(QuorumPromiseChecker.violations(run(-9354, config, false))).isEmpty();
        assertThat(QuorumPromiseChecker.violations(run(-9354, config, true))).isEmpty();
    }

    /**
     * The same in quorum mode: an overlapping execution of delete #15 re-issued above writes #17
     * and #18, both begun after #15's first answer, and superseded them. With a zombie gateway it
     * did so until only the execution that a majority of replicas recorded first could re-issue.
     */
    @Test
    void anOverlappingExecutionOfAQuorumWriteReissuesNothingEvenWithAZombieGateway() {
        SimConfig config = new SimConfig(Mode.QUORUM, new SimConfig.Shape(3, 2, 2, 2, 4, 1, 8, 700),
                new SimConfig.Faults(0.02, 0.05, 2, 3, 0, 1, 0.6, 0.05, 0, false),
                new SimConfig.Clocks(List.of(0L, 300L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        assertThat(QuorumPromiseChecker.violations(run(4084, config, false))).isEmpty();
        assertThat(QuorumPromiseChecker.violations(run(4084, config, true))).isEmpty();
    }

    /**
     * Found by a Jepsen-style review (review 3): a client's retry with the same requestId is a new
     * record, with a new broker timestamp (so a new first version) and above every end offset (so
     * never marked a retake). Taken for a first execution, it chose its own version, and replicas
     * that missed the first attempt applied it. Seed 120 (linearizable, no skew): a write took
     * effect twice. Seed 9 (quorum, no skew): an OK answer at another execution's version that one
     * replica held, fewer than W. A retry now names its first attempt's issue time
     * ({@code firstIssuedAtMs}), and is executed as a retake of it: both seeds keep every promise.
     * A client that leaves the field out sends a new request under an old requestId: in quorum
     * mode its first version is its own, and seed 9 fails as before (KNOWN LIMIT, kept visible); in
     * linearizable mode the ballot (only the execution a majority recorded first chooses) keeps
     * seed 120's promise even so.
     */
    @Test
    void clientRetriesWithTheSameRequestIdTakeEffectOnce() {
        SimConfig quorum = new SimConfig(Mode.QUORUM, new SimConfig.Shape(3, 2, 2, 2, 4, 1, 8, 700),
                new SimConfig.Faults(0.05, 0.05, 2, 3, 0, 1, 0.6, 0.05, 0, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        SimConfig linearizable = new SimConfig(Mode.LINEARIZABLE, new SimConfig.Shape(3, 2, 2, 3, 4, 1, 8, 700),
                new SimConfig.Faults(0.0, 0.0, 220, 0, 0, 0, 0.6, 0.0, 0, false),
                new SimConfig.Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, 0, 1, false));
        assertThat(QuorumPromiseChecker.violations(retries(9, quorum, false))).isEmpty();
        assertThat(LinearizabilityChecker.firstViolation(retries(120, linearizable, false))).isNull();

        assertThatThrownBy(() -> retries(9, quorum, true)).hasMessageContaining("fewer than W");
        assertThat(LinearizabilityChecker.firstViolation(retries(120, linearizable, true))).isNull();
    }

    /**
     * Found by {@code WorkerZombieTest} on real processes, and modelled here: a replica's process
     * frozen past its session wakes up after its partitions moved on and applies the requests it
     * had fetched to its older store. Under at-least-once its changelog writes land after the new
     * owner's, so when the replica later restores from its changelog (a lost disk, or the next
     * move), a key goes back to an older version: an acknowledged write lost. Under exactly-once,
     * the worker's setting, the zombie's transaction is fenced and its writes never restored.
     */
    @Test
    void aZombieWorkersChangelogWritesAreFencedOff() {
        SimConfig config = SimConfig.of(Mode.QUORUM);
        brokenOnlyWithout(seed -> zombies(seed, config, false), seed -> zombies(seed, config, true), "went back");
    }

    /**
     * Found by review of the exactly-once worker: replies leave before the transaction commits,
     * so a replica killed in between has answered requests it must apply again after the restart,
     * on a clock that may have stepped back. Judged by that clock, a write accepted the first
     * time (its version within the max clock offset) can be refused the second: an acknowledged
     * write taken back. Judged by when the request reached the topic, the replay decides the same.
     */
    @Test
    void aWriteAppliedAgainAfterAnAbortedTransactionIsDecidedAsBefore() {
        SimConfig base = SimConfig.of(Mode.QUORUM);
        SimConfig.Faults f = base.faults();
        SimConfig config = new SimConfig(base.mode(), base.shape(), new SimConfig.Faults(f.drop(), f.duplicate(), f.maxDelayMs(),
                f.replicaCrashes(), f.coordinatorCrashes(), f.partitions(), f.redelivery(), 0.1, f.bogusVersions(), false), base.clocks());
        brokenOnlyWithout(seed -> aborts(seed, config, false), seed -> aborts(seed, config, true), "decided otherwise");
    }

    /**
     * A defence is needed and works: among the first 300 seeds one run {@code without} it fails
     * with {@code failure}, and every run {@code with} it up to that seed keeps the quorum promise.
     */
    private static void brokenOnlyWithout(LongFunction<List<HistoryOp>> without, LongFunction<List<HistoryOp>> with, String failure) {
        Long broken = null;
        for (long seed = 0; seed < 300 && broken == null; seed++) {
            try {
                without.apply(seed);
            } catch (AssertionError e) {
                assertThat(e).hasMessageContaining(failure);
                broken = seed;
            }
        }
        assertThat(broken).as("a run among 300 seeds that fails without the defence: %s", failure).isNotNull();
        for (long seed = 0; seed <= broken; seed++) {
            assertThat(QuorumPromiseChecker.violations(with.apply(seed))).as("seed %d, with the defence", seed).isEmpty();
        }
    }

    private static List<HistoryOp> aborts(long seed, SimConfig config, boolean byAppendTime) {
        return simulate(seed, config, sim -> {
            sim.abortsAfterReplies = true;
            sim.judgeByAppendTime = byAppendTime;
        });
    }

    private static List<HistoryOp> zombies(long seed, SimConfig config, boolean fenced) {
        return simulate(seed, config, sim -> {
            sim.zombieWorkers = true;
            sim.fencedZombies = fenced;
        });
    }

    private static List<HistoryOp> retries(long seed, SimConfig config, boolean naive) {
        return simulate(seed, config, sim -> {
            sim.clientRetries = true;
            sim.naiveRetries = naive;
        });
    }

    private static List<HistoryOp> run(long seed, SimConfig config, boolean zombieGateways) {
        return simulate(seed, config, sim -> sim.zombieGateways = zombieGateways);
    }

    /** The run of {@code seed} with the faults {@code setup} turns on, its unobserved unknown puts left out. */
    private static List<HistoryOp> simulate(long seed, SimConfig config, Consumer<Simulation> setup) {
        Simulation sim = new Simulation(seed, config);
        setup.accept(sim);
        return SimulationProperties.withoutUnobservedUnknownPuts(sim.run());
    }
}
