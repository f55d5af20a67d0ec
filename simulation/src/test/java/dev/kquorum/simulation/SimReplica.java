package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.coordinator.call.Outbound;
import dev.kquorum.replica.Replica;
import dev.kquorum.replica.ReplicaRules;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;

/**
 * A replica: the real {@link Replica} rules over a store that survives crashes. Every change to the
 * store is also logged to its changelog, as Kafka Streams does; a wiped disk is restored from the
 * changelog (the last committed change of each key). A process of the replica can freeze past its
 * session while its partitions move on and wake up as a zombie that applies what it had fetched:
 * fenced (exactly-once, the worker's setting) its changelog writes are aborted; unfenced
 * (at-least-once) they land after the new owner's. While it is down,
 * requests wait in its topic (the backlog: it is catching up while some wait). Down for longer
 * than its topic's retention, it refuses to serve (no replies, nothing applied) until rebuilt,
 * never skipping what it missed. It can crash between a store commit and its reply; on restart it
 * replays the unanswered request and answers. It purges with the replica's own rule at its own
 * time, with a short grace period.
 */
final class SimReplica {

    private final Simulation sim;
    final String id;
    /** How far this replica's clock is off; it steps back across a restart after an aborted transaction. */
    private long skew;
    final Replica replica;
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    /** Every request its worker took from its topic, in order: what a frozen process had fetched. */
    private final List<Outbound> topic = new ArrayList<>();
    /** Applies the aborted transaction's request again, once this replica is back; null when none waits. */
    private Runnable abortedAgain;
    /** Writes of an aborted transaction whose requests are applied again at restart (they were answered). */
    private final Map<String, Versioned> pending = new HashMap<>();
    /** Every change to the store, in order, as Kafka Streams logs it: what a wiped replica restores. */
    private final List<Change> changelog = new ArrayList<>();
    private long downUntil;
    /** From when it refuses to serve: it came back after its topic's retention had dropped what it missed. */
    private long refusingFrom = Long.MAX_VALUE;
    private int backlog;

    /** A changelog record: a key's new value, or null when it was purged; aborted ones are never restored. */
    private record Change(String key, Versioned value, boolean aborted) {
    }

    SimReplica(Simulation sim, String id, long skew) {
        this.sim = sim;
        this.id = id;
        this.skew = skew;
        // The dedup window cannot be shorter than the longest request timeout (10 min), which is
        // longer than any run: identities are never purged here. Tombstones are, after a short grace.
        this.replica = new Replica(id, new ReplicaRules(Limits.DEFAULT, MaxClockOffset.DEFAULT,
                Duration.ofMillis(sim.config.graceMs()), ReplicaRules.DEFAULT_DEDUP_WINDOW));
    }

    long clock() {
        return sim.now + skew + Simulation.CLOCK_BASE;
    }

    boolean down() {
        return sim.now < downUntil;
    }

    boolean refusing() {
        return sim.now >= refusingFrom;
    }

    /** Down for {@code length} ms; longer than the retention, it comes back refusing to serve. */
    void crash(long length) {
        crash(length, false);
    }

    /**
     * Down for {@code length} ms; with {@code wiped}, its disk is lost too: it comes back with the
     * store restored from its changelog, before what waited while it was down.
     */
    void crash(long length, boolean wiped) {
        if (length > sim.config.retentionMs()) {
            refusingFrom = Math.min(refusingFrom, sim.now + length);
        }
        downUntil = Math.max(downUntil, sim.now + length);
        if (abortedAgain != null) {
            sim.at(downUntil - sim.now + 1, this::applyAbortedAgain);
        }
        if (wiped) {
            sim.at(downUntil - sim.now, () -> store = restored());
        }
    }

    /** A store as Kafka Streams restores it: the last change of each key the changelog holds committed. */
    private InMemoryReplicaStore restored() {
        Map<String, Versioned> last = new HashMap<>();
        for (Change change : changelog) {
            if (!change.aborted()) {
                last.put(change.key(), change.value());
            }
        }
        InMemoryReplicaStore restored = new InMemoryReplicaStore();
        StoreBatch batch = new StoreBatch(restored);
        last.forEach((key, value) -> {
            if (value != null) {
                batch.put(key, value);
            }
        });
        restored.commit(batch);
        return restored;
    }

    /** Commits {@code batch} to {@code into}, logging its changes (aborted ones stay in the log, unread). */
    private void commit(InMemoryReplicaStore into, StoreBatch batch, boolean aborted) {
        into.commit(batch);
        batch.values().forEach((key, value) -> changelog.add(new Change(key, value, aborted)));
    }

    /**
     * The process running this replica freezes (a GC pause, a stalled VM) with the next few
     * requests fetched and not yet applied. Its partitions move to another process, which restores
     * them and applies those requests and what follows; this is the replica from then on. After
     * {@code pauseMs} the frozen one wakes and applies what it had fetched to its own, older store
     * before it learns it lost them; some time later the replica's disk is lost, and it restores.
     */
    void freeze(long pauseMs) {
        if (down() || refusing()) {
            return;
        }
        InMemoryReplicaStore zombie = restored();
        int fetchedFrom = topic.size();
        sim.at(pauseMs, () -> {
            int fetchedTo = Math.min(topic.size(), fetchedFrom + 1 + sim.random.nextInt(4));
            for (Outbound request : topic.subList(fetchedFrom, fetchedTo)) {
                StoreBatch batch = new StoreBatch(zombie);
                // Its replies are those the new owner sent for the same requests from the same state: duplicates.
                replica.receive(request.request(), new Replica.Delivery(request.deadlineMs(), clock(), false), batch);
                commit(zombie, batch, sim.fencedZombies);
            }
            sim.at(1 + sim.random.nextInt(200), () -> crash(20 + sim.random.nextInt(100), true));
        });
    }

    long purgeEvery() {
        return Math.max(50, sim.config.graceMs() / 4);
    }

    void receive(Outbound request, SimCoordinator from) {
        receive(request, from, clock());
    }

    /**
     * @param appendedMs when the request reached this replica's topic (the broker's append time,
     *                   here this replica's clock then): the time the real rule judges a version by
     */
    private void receive(Outbound request, SimCoordinator from, long appendedMs) {
        if (refusing()) {
            return;
        }
        if (down()) {
            backlog++;
            sim.at(downUntil - sim.now + 1 + sim.random.nextInt(5), () -> {
                backlog--;
                receive(request, from, appendedMs);
            });
            return;
        }
        applyAbortedAgain();
        topic.add(request);
        StoreBatch batch = new StoreBatch(store);
        // The replica's own clock against the coordinator's deadline (by the coordinator's clock): the real rule decides.
        Replica.Decision decision = replica.receive(request.request(), delivery(request, appendedMs), batch);
        if (decision.kind() == Replica.Kind.REFUSED && request.request() instanceof ReplicaRequest.Write) {
            // A write refused for a clock beyond the offset is, to this replica, a write it never got.
            sim.writesRefused = true;
        }
        if (decision.reply() != null && sim.abortsAfterReplies && sim.random.nextDouble() < sim.config.faults().crashBeforeReply()) {
            abortAfterReply(request, from, appendedMs, batch, decision.reply());
            return;
        }
        commit(store, batch, false);
        if (decision.reply() == null) {
            return;
        }
        if (sim.random.nextDouble() < sim.config.faults().crashBeforeReply()) {
            // Committed, then killed before the reply went out: on restart it replays the unanswered request.
            crash(20 + sim.random.nextInt(200));
            sim.at(downUntil - sim.now + 1, () -> receive(request, from));
            return;
        }
        sim.send(from.id + "/" + id, false, () -> from.receive(request.correlation(), decision.reply()));
    }

    private Replica.Delivery delivery(Outbound request, long appendedMs) {
        return delivery(request, appendedMs, backlog > 0);
    }

    private Replica.Delivery delivery(Outbound request, long appendedMs, boolean catchingUp) {
        return sim.judgeByAppendTime ? new Replica.Delivery(request.deadlineMs(), clock(), catchingUp, appendedMs)
                : new Replica.Delivery(request.deadlineMs(), clock(), catchingUp);
    }

    /**
     * Answered before its transaction committed (replies leave at once), then killed: the
     * transaction aborts, so the store and changelog never get the batch, and the restarted
     * replica, its clock stepped back, applies the request again from its topic. It must decide
     * as it did the first time, or an answer already counted is taken back.
     */
    private void abortAfterReply(Outbound request, SimCoordinator from, long appendedMs, StoreBatch aborted, ReplicaReply first) {
        pending.putAll(aborted.values());
        sim.send(from.id + "/" + id, false, () -> from.receive(request.correlation(), first));
        crash(20 + sim.random.nextInt(200));
        skew -= sim.config.clocks().stepBackMs();
        abortedAgain = () -> {
            pending.clear();
            StoreBatch batch = new StoreBatch(store);
            // Not catching up, so that the decision's answer is there to compare (one catching up drops it, stale).
            Replica.Decision again = replica.receive(request.request(), delivery(request, appendedMs, false), batch);
            commit(store, batch, false);
            if (request.request() instanceof ReplicaRequest.Write && !first.equals(again.reply())) {
                sim.fail(id + " applied a write again after its transaction aborted and decided otherwise: first " + first
                        + ", then " + again.reply(), request.request().key());
            }
        };
        sim.at(downUntil - sim.now + 1, this::applyAbortedAgain);
    }

    /**
     * Back up, a replica applies its aborted transaction's request again before anything else: it
     * resumes its topic from the last commit, and the request comes first.
     */
    private void applyAbortedAgain() {
        if (abortedAgain != null && !down()) {
            Runnable again = abortedAgain;
            abortedAgain = null;
            again.run();
        }
    }

    /** What an aborted transaction of this replica wrote, while its requests wait to be applied again. */
    Versioned pending(String key) {
        return pending.get(key);
    }

    /** A stray writer's version far beyond this replica's clock plus the max clock offset: refused, nothing stored. */
    void injectBogus(String key) {
        if (down() || refusing()) {
            return;
        }
        long ahead = MaxClockOffset.DEFAULT.millis() + 1 + sim.random.nextLong(1_000_000_000L);
        long physical = sim.random.nextInt(4) == 0 ? (1L << 47) - 1 : clock() + ahead;
        Version bogus = new Version(HybridClock.pack(physical, sim.random.nextInt(1 << 16)), "zz");
        Versioned before = store.get(key);
        StoreBatch batch = new StoreBatch(store);
        Replica.Decision decision = replica.receive(new ReplicaRequest.Write(key, new Versioned(bogus, "bogus".getBytes(UTF_8))),
                new Replica.Delivery(null, clock(), backlog > 0), batch);
        commit(store, batch, false);
        if (decision.kind() != Replica.Kind.REFUSED || store.get(key) != before) {
            sim.fail(id + " did not refuse the far-future version " + bogus + ": " + decision, key);
        }
    }

    /** Between batches, as the worker does: drop what the replica's own rule says can go. */
    void purge() {
        // A delete that some replica never got (lost to it, or refused by it for a clock beyond the
        // max offset) comes back once the others purge its tombstone (SimulationFindings): a known
        // limit, so no tombstone is purged in such a run.
        if (!down() && !refusing() && !sim.writesRefused && sim.purgeTombstones) {
            long at = clock();
            store.purge((key, held) -> {
                boolean gone = replica.purgeable(key, held, at);
                if (gone) {
                    changelog.add(new Change(key, null, false));
                }
                if (gone && Replica.isDataKey(key)) {
                    sim.invariants.purged(this, key, held);
                }
                return gone;
            });
        }
        sim.at(purgeEvery(), this::purge);
    }
}
