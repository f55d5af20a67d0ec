package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Limits;
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
 * A replica: the real {@link Replica} rules over a store that survives crashes (unless its disk is
 * wiped: then it replays its topic). While it is down,
 * requests wait in its topic (the backlog: it is catching up while some wait). Down for longer
 * than its topic's retention, it refuses to serve (no replies, nothing applied) until rebuilt,
 * never skipping what it missed. It can crash between a store commit and its reply; on restart it
 * replays the unanswered request and answers. It purges with the replica's own rule at its own
 * time, with a short grace period.
 */
final class SimReplica {

    private final Simulation sim;
    final String id;
    final long skew;
    final Replica replica;
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    /** Every request its worker took from its topic, in order: what a wiped replica replays. */
    private final List<Outbound> topic = new ArrayList<>();
    private long downUntil;
    /** From when it refuses to serve: it came back after its topic's retention had dropped what it missed. */
    private long refusingFrom = Long.MAX_VALUE;
    private int backlog;

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
     * Down for {@code length} ms; with {@code wiped}, its disk is lost too: it comes back with an
     * empty store and, as the worker does with no position stored, replays its topic from the
     * beginning (retention infinite), catching up, before what waited while it was down.
     */
    void crash(long length, boolean wiped) {
        if (length > sim.config.retentionMs()) {
            refusingFrom = Math.min(refusingFrom, sim.now + length);
        }
        downUntil = Math.max(downUntil, sim.now + length);
        if (wiped) {
            sim.at(downUntil - sim.now, this::rebuild);
        }
    }

    private void rebuild() {
        store = new InMemoryReplicaStore();
        for (Outbound request : topic) {
            StoreBatch batch = new StoreBatch(store);
            // Replies to it went out before the wipe (or were lost with the process): none now.
            replica.receive(request.request(), new Replica.Delivery(request.deadlineMs(), clock(), true), batch);
            store.commit(batch);
        }
    }

    long purgeEvery() {
        return Math.max(50, sim.config.graceMs() / 4);
    }

    void receive(Outbound request, SimCoordinator from) {
        if (refusing()) {
            return;
        }
        if (down()) {
            backlog++;
            sim.at(downUntil - sim.now + 1 + sim.random.nextInt(5), () -> {
                backlog--;
                receive(request, from);
            });
            return;
        }
        topic.add(request);
        StoreBatch batch = new StoreBatch(store);
        // The replica's own clock against the coordinator's deadline (by the coordinator's clock): the real rule decides.
        Replica.Decision decision = replica.receive(request.request(),
                new Replica.Delivery(request.deadlineMs(), clock(), backlog > 0), batch);
        if (decision.kind() == Replica.Kind.REFUSED && request.request() instanceof ReplicaRequest.Write) {
            // A write refused for a clock beyond the offset is, to this replica, a write it never got.
            sim.writesRefused = true;
        }
        store.commit(batch);
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
        store.commit(batch);
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
                if (gone && Replica.isDataKey(key)) {
                    sim.invariants.purged(this, key, held);
                }
                return gone;
            });
        }
        sim.at(purgeEvery(), this::purge);
    }
}
