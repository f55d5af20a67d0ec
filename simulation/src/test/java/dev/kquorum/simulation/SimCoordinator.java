package dev.kquorum.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.coordinator.call.CoordinatorCore;
import dev.kquorum.coordinator.call.Correlation;
import dev.kquorum.coordinator.call.Effects;
import dev.kquorum.coordinator.call.Outbound;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.call.Versions;

/**
 * A coordinator: the real core, a skewed clock, and its calls in flight (lost if it crashes). Each
 * run writes as {@code <id>~<incarnation>}, as the real edge does; a restart keeps the id, starts a
 * new incarnation, and may find its clock stepped back.
 */
final class SimCoordinator {

    /** A call in flight: who waits, for which operation, and whether it began after that operation's first answer. */
    private record Pending(Consumer<Outcome> done, SimClient.Op op, boolean afterAnswer) {
    }

    private final Simulation sim;
    final String id;
    private final List<String> replicaIds;
    private long skew;
    private int incarnation;
    private CoordinatorCore core;
    private long nextCallId;
    private final Map<Long, Pending> waiting = new HashMap<>();
    private long downUntil;

    SimCoordinator(Simulation sim, String id, List<String> replicaIds, long skew) {
        this.sim = sim;
        this.id = id;
        this.replicaIds = replicaIds;
        this.skew = skew;
        this.core = newCore();
    }

    private CoordinatorCore newCore() {
        return new CoordinatorCore(replicaIds, new Versions(id + "~" + incarnation, MaxClockOffset.DEFAULT), Limits.DEFAULT, 10_000);
    }

    long clock() {
        return sim.now + skew + Simulation.CLOCK_BASE;
    }

    boolean down() {
        return sim.now < downUntil;
    }

    /** Executes {@code request} for {@code op}; {@code done} gets the outcome, or null if this coordinator crashed first. */
    void submit(ExternalRequest request, SimClient.Op op, Consumer<Outcome> done) {
        if (down()) {
            done.accept(null);
            return;
        }
        long callId = ++nextCallId;
        waiting.put(callId, new Pending(done, op, op.answered()));
        apply(core.submit(callId, request, clock()));
    }

    void receive(long correlation, ReplicaReply reply) {
        if (!down()) {
            apply(core.onReply(correlation, reply, clock()));
        }
    }

    void tick() {
        if (!down()) {
            apply(core.onTick(clock()));
        }
        sim.at(10, this::tick);
    }

    /** Killed: every call in flight is lost; it restarts with the same id, a new incarnation and its clock stepped back. */
    void crash() {
        downUntil = sim.now + 50 + sim.random.nextInt(350);
        skew -= sim.config.clocks().stepBackMs();
        incarnation++;
        core = newCore();
        List<Pending> lost = new ArrayList<>(waiting.values());
        waiting.clear();
        lost.forEach(p -> p.done().accept(null));
    }

    private void apply(Effects effects) {
        for (Outbound out : effects.send()) {
            Pending pending = waiting.get(Correlation.callId(out.correlation()));
            if (pending != null && pending.op() != null && out.request() instanceof ReplicaRequest.Write write && !out.isRepair()) {
                pending.op().sent(write.versioned().version(), pending.afterAnswer());
            }
            SimReplica target = sim.replicaById.get(out.replica());
            sim.send(id + "/" + out.replica(), true, () -> target.receive(out, this));
        }
        for (Effects.Completion c : effects.completed()) {
            Pending pending = waiting.remove(c.callId());
            if (pending != null) {
                pending.done().accept(c.outcome());
            }
        }
    }
}
