package dev.kquorum.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LostWriteChecker;

/**
 * The real coordinator core and the real {@code Replica} over a simulated network and clock, all
 * driven by one seed and one {@link SimConfig}: one scheduler, simulated milliseconds, no threads,
 * no Kafka. The parts: {@link SimReplica} (store, topic backlog, retention, purge, crashes between
 * commit and reply), {@link SimCoordinator} (the core, skewed clocks, restarts with a new
 * incarnation and a clock stepped back), {@link SimClient} (operations and gateway redelivery),
 * {@link Faults} (what goes wrong, and when) and {@link Invariants} (checked after every event).
 * Clients record the history of invocations and completions; the same seed and config give the
 * same history.
 */
final class Simulation {

    private record Event(long time, long seq, Runnable action) {
    }

    /** Simulated wall clocks start here, so that a clock skewed or stepped backwards is still positive. */
    static final long CLOCK_BASE = 1_000_000;
    private static final long LIMIT_MS = 600_000;

    final long seed;
    final SimConfig config;
    final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    long now;
    private long seq;
    final List<SimReplica> replicas = new ArrayList<>();
    final Map<String, SimReplica> replicaById = new HashMap<>();
    final List<SimCoordinator> coordinators = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    /** Links cut by a partition: "coordinator/replica" until the time they heal. */
    final Map<String, Long> cut = new HashMap<>();
    final List<SimClient.Op> ops = new ArrayList<>();
    final Invariants invariants;
    int clientsDone;
    int pendingRedeliveries;
    private List<HistoryOp> finalReads = List.of();
    /**
     * Whether requests to replicas can be lost (a failed produce), not only delayed. Not while
     * tombstones are purged: a delete one replica never got comes back after the grace period,
     * through a read's repair from that replica (kquorum has no anti-entropy repair yet, see
     * {@code SimulationFindings}). Replies can always be lost.
     */
    boolean lossyReplicaTopics;
    /**
     * Whether two executions of a request can both be taken for its first: a zombie gateway, paused
     * past its session, still executing what it fetched after its partitions moved on. Then only
     * the replicas' ballot keeps the second from choosing a version too (see {@code
     * SimulationFindings}); the properties turn it on for every third seed.
     */
    boolean zombieGateways;
    /**
     * Whether a redelivery is instead the client retrying with the same requestId: a new record,
     * with a new broker timestamp, above every end offset (so never marked a retake by the
     * gateway), naming its first attempt's issue time ({@code firstIssuedAtMs}). The properties
     * turn it on for every other seed.
     */
    boolean clientRetries;
    /**
     * Whether those retries leave out {@code firstIssuedAtMs}, as a client that ignores the
     * protocol would: then each is a new request with the same requestId, which may take effect
     * twice (see {@code SimulationFindings}). The after-answer invariant and the checker's
     * highest-answered-version rule do not apply then.
     */
    boolean naiveRetries;
    /**
     * Whether a replica crash may wipe its disk (a third of them): it then replays its topic from
     * the beginning. The properties turn it on for every fifth seed; off, older runs replay as they were.
     */
    boolean wipedDisks;
    /**
     * Whether a replica's process freezes with requests fetched and wakes up a zombie after its
     * partitions moved on, and the replica's disk is lost later ({@link SimReplica#freeze}). The
     * properties turn it on for every seventh seed.
     */
    boolean zombieWorkers;
    /**
     * Whether a zombie worker's changelog writes are aborted, as under exactly-once (the worker's
     * setting); off, they land after the new owner's, as under at-least-once ({@code
     * SimulationFindings} shows what that loses).
     */
    boolean fencedZombies = true;
    /**
     * Whether a replica can be killed after its reply went out and before its transaction
     * committed (at the chance of {@code crashBeforeReply}), and restart with its clock stepped
     * back, applying the request again. The properties turn it on for every fourth seed.
     */
    boolean abortsAfterReplies;
    /**
     * Whether replicas judge a version by when its request reached their topic (the broker's
     * append time, the worker's rule); off, by their clock when they apply it, which a replay
     * after an aborted transaction does not repeat ({@code SimulationFindings}).
     */
    boolean judgeByAppendTime = true;
    /** Set once a replica refused a write by its rules (a version beyond its clock plus the offset). */
    boolean writesRefused;
    /** Whether replicas purge tombstones: only where requests to them are never lost (a finding may insist). */
    boolean purgeTombstones;

    Simulation(long seed, SimConfig config) {
        this.seed = seed;
        this.config = config;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < config.shape().keys(); i++) {
            keys.add("k" + i);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= config.shape().n(); i++) {
            SimReplica replica = new SimReplica(this, "r" + i, config.clocks().replicaSkews().get(i - 1));
            replicas.add(replica);
            replicaById.put(replica.id, replica);
            ids.add(replica.id);
        }
        for (int i = 0; i < config.shape().coordinators(); i++) {
            coordinators.add(new SimCoordinator(this, "c" + i, ids, config.clocks().coordinatorSkews().get(i)));
        }
        this.invariants = new Invariants(this);
        this.lossyReplicaTopics = !config.clocks().pauseBeyondGrace();
        this.purgeTombstones = !lossyReplicaTopics;
    }

    /** Runs every client to the end (and every redelivery), checking the invariants after each event; returns the history. */
    List<HistoryOp> run() {
        new Faults(this).schedule();
        for (SimCoordinator c : coordinators) {
            at(10, c::tick);
        }
        for (SimReplica r : replicas) {
            at(r.purgeEvery(), r::purge);
        }
        for (int k = 0; k < config.shape().clients(); k++) {
            SimClient client = new SimClient(this, "client" + k, coordinators.get(k % coordinators.size()));
            at(random.nextInt(20), client::next);
        }
        while (!events.isEmpty() && (clientsDone < config.shape().clients() || pendingRedeliveries > 0)) {
            Event e = events.poll();
            now = e.time;
            e.action.run();
            invariants.check();
            if (now > LIMIT_MS) {
                fail("the simulation did not finish in " + LIMIT_MS / 1000 + " simulated seconds", null);
            }
        }
        finalReads = finalReads();
        return history();
    }

    /** The history: every operation, each execution of a redelivered request counted as one. */
    List<HistoryOp> history() {
        return ops.stream().map(SimClient.Op::toHistoryOp).filter(op -> op != null).toList();
    }

    /** The linearizable reads and every write: what mixing modes on one key keeps linearizable. */
    List<HistoryOp> withoutQuorumReads() {
        return ops.stream().filter(op -> op.write || op.linearizable).map(SimClient.Op::toHistoryOp).filter(op -> op != null).toList();
    }

    /**
     * After the run, one read per key of what the replicas' stores hold (a purged tombstone counts
     * as held), as {@link LostWriteChecker#FINAL_READER}: no acknowledged write may be missing. A
     * replica refusing to serve for being out of retention still has its store: it is waiting for
     * a rebuild, not lost.
     */
    List<HistoryOp> finalReads() {
        List<HistoryOp> reads = new ArrayList<>();
        int id = 1_000_000;
        for (String key : keys) {
            Versioned newest = null;
            for (SimReplica r : replicas) {
                Versioned held = invariants.effective(r, key);
                if (held != null && (newest == null || held.version().isNewerThan(newest.version()))) {
                    newest = held;
                }
            }
            reads.add(new HistoryOp(id++, LostWriteChecker.FINAL_READER, key, false,
                    newest == null || newest.isTombstone() ? null : SimClient.text(newest.value()),
                    newest == null ? null : newest.version(), now + 1, now + 2));
        }
        return reads;
    }

    List<HistoryOp> historyWithFinalReads() {
        List<HistoryOp> all = new ArrayList<>(history());
        all.addAll(finalReads);
        return all;
    }

    void at(long delay, Runnable action) {
        events.add(new Event(now + delay, seq++, action));
    }

    void atTime(long time, Runnable action) {
        events.add(new Event(time, seq++, action));
    }

    /**
     * Sends over the simulated network: maybe lost (a request to a replica only when
     * {@link #lossyReplicaTopics}), maybe twice, always late.
     */
    void send(String link, boolean toReplica, Runnable delivery) {
        SimConfig.Faults f = config.faults();
        boolean lossy = !toReplica || lossyReplicaTopics;
        Long healsAt = cut.get(link);
        if (healsAt != null && now < healsAt) {
            if (lossy) {
                return;
            }
            // A partition from a replica's topic delays, as Kafka keeps the record.
            long wait = healsAt - now;
            at(wait, () -> send(link, toReplica, delivery));
            return;
        }
        double drop = random.nextDouble();
        if (lossy && drop < f.drop()) {
            return;
        }
        at(1 + random.nextInt(f.maxDelayMs()), delivery);
        if (random.nextDouble() < f.duplicate()) {
            at(1 + random.nextInt(f.maxDelayMs()), delivery);
        }
    }

    /** Ends the run with everything needed to replay it and the history of the key concerned. */
    void fail(String what, String key) {
        StringBuilder s = new StringBuilder("seed ").append(seed).append(", at ").append(now).append(" ms: ").append(what)
                .append("\n  replay: new Simulation(").append(seed).append("L, ").append(config).append(").run()");
        if (key != null) {
            s.append("\n  history of ").append(key).append(":");
            ops.stream().filter(op -> op.key.equals(key)).forEach(op -> s.append("\n    ").append(op));
            for (SimReplica r : replicas) {
                s.append("\n  ").append(r.id).append(" holds ").append(invariants.effective(r, key))
                        .append(r.refusing() ? " (refusing: out of retention)" : "");
            }
        }
        throw new AssertionError(s.toString());
    }

    static Version max(Version a, Version b) {
        return Version.max(a, b);
    }
}
