package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.coordinator.call.CoordinatorCore;
import dev.kquorum.coordinator.call.Effects;
import dev.kquorum.coordinator.call.Outbound;
import dev.kquorum.coordinator.call.Outcome;
import dev.kquorum.coordinator.call.Versions;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.replica.Replica;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;

/**
 * The real {@link CoordinatorCore} and the real {@link Replica} over a simulated network and clock,
 * all driven by one seed: one scheduler, simulated milliseconds, no threads, no Kafka. Faults:
 * message loss, duplication, delay and so reordering, replicas crashing and restarting with their
 * store kept (requests wait for them, as in their Kafka topic), coordinators crashing and losing
 * every call in flight, network partitions between coordinators and replicas, and skewed clocks.
 * Clients record the history of invocations and completions; the same seed gives the same history.
 */
final class Simulation {

    record Config(int replicas, int coordinators, int clients, int keys, int opsPerClient, Mode mode,
                  double drop, double duplicate, int maxDelayMs, long maxSkewMs, boolean crashes, boolean partitions,
                  long timeoutMs) {

        static Config of(Mode mode) {
            return new Config(3, 2, 4, 2, 8, mode, 0.03, 0.03, 30, 500, true, true, 300);
        }

        Config calm() {
            return new Config(replicas, coordinators, clients, keys, opsPerClient, mode, 0, 0, maxDelayMs, maxSkewMs,
                    false, false, timeoutMs);
        }
    }

    private record Event(long time, long seq, Runnable action) {
    }

    /** Simulated wall clocks start here, so that a clock skewed backwards is still positive. */
    private static final long CLOCK_BASE = 1_000_000;

    private final long seed;
    private final Config config;
    private final Random random;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;
    private final List<String> replicaIds = new ArrayList<>();
    private final Map<String, SimReplica> replicas = new HashMap<>();
    private final List<SimCoordinator> coordinators = new ArrayList<>();
    /** Links cut by a partition: "coordinator/replica" until the time they heal. */
    private final Map<String, Long> cut = new HashMap<>();
    private final List<HistoryOp> history = new ArrayList<>();
    private int opIds;
    private int clientsDone;

    Simulation(long seed, Config config) {
        this.seed = seed;
        this.config = config;
        this.random = new Random(seed);
        for (int i = 1; i <= config.replicas(); i++) {
            replicaIds.add("r" + i);
            replicas.put("r" + i, new SimReplica("r" + i));
        }
        for (int i = 0; i < config.coordinators(); i++) {
            coordinators.add(new SimCoordinator(i, "c" + i, (long) ((random.nextDouble() * 2 - 1) * config.maxSkewMs())));
        }
    }

    /** Runs every client to the end and returns the history. */
    List<HistoryOp> run() {
        scheduleFaults();
        for (SimCoordinator c : coordinators) {
            at(10, c::tick);
        }
        for (int k = 0; k < config.clients(); k++) {
            Client client = new Client("client" + k, coordinators.get(k % coordinators.size()));
            at(random.nextInt(20), client::next);
        }
        while (!events.isEmpty() && clientsDone < config.clients()) {
            Event e = events.poll();
            now = e.time;
            e.action.run();
            if (now > 600_000) {
                throw new AssertionError("seed " + seed + ": simulation did not finish in 600 simulated seconds");
            }
        }
        return history;
    }

    private void at(long delay, Runnable action) {
        events.add(new Event(now + delay, seq++, action));
    }

    private void scheduleFaults() {
        if (config.crashes()) {
            for (String id : replicaIds) {
                for (int i = random.nextInt(3); i > 0; i--) {
                    long start = random.nextInt(2_000);
                    long length = 50 + random.nextInt(400);
                    events.add(new Event(start, seq++, () -> replicas.get(id).downUntil = now + length));
                }
            }
            for (SimCoordinator c : coordinators) {
                if (random.nextBoolean()) {
                    events.add(new Event(random.nextInt(2_000), seq++, c::crash));
                }
            }
        }
        if (config.partitions()) {
            for (int i = random.nextInt(3); i > 0; i--) {
                long start = random.nextInt(2_000);
                long length = 100 + random.nextInt(500);
                String link = coordinators.get(random.nextInt(coordinators.size())).id + "/" + replicaIds.get(random.nextInt(replicaIds.size()));
                events.add(new Event(start, seq++, () -> cut.put(link, now + length)));
            }
        }
    }

    /** Sends over the simulated network: maybe lost, maybe twice, always late. */
    private void send(String link, Runnable delivery) {
        Long healsAt = cut.get(link);
        if (healsAt != null && now < healsAt) {
            return;
        }
        if (random.nextDouble() < config.drop()) {
            return;
        }
        at(1 + random.nextInt(config.maxDelayMs()), delivery);
        if (random.nextDouble() < config.duplicate()) {
            at(1 + random.nextInt(config.maxDelayMs()), delivery);
        }
    }

    /** A replica with its store; while it is down, requests wait in its topic. */
    private final class SimReplica {
        final Replica replica;
        final InMemoryReplicaStore store = new InMemoryReplicaStore();
        long downUntil;
        /** Requests waiting for this replica to come back: while there are some, it is catching up. */
        int backlog;

        SimReplica(String id) {
            this.replica = new Replica(id);
        }

        void receive(Outbound request, SimCoordinator from) {
            if (now < downUntil) {
                backlog++;
                at(downUntil - now + 1 + random.nextInt(5), () -> {
                    backlog--;
                    receive(request, from);
                });
                return;
            }
            Versioned before = store.get(request.request().key());
            StoreBatch batch = new StoreBatch(store);
            // The replica's own clock (unskewed) against the coordinator's deadline (skewed): the real rule decides.
            Replica.Decision decision = replica.receive(request.request(),
                    new Replica.Delivery(request.deadlineMs(), now + CLOCK_BASE, backlog > 0), batch);
            store.commit(batch);
            Versioned after = store.get(request.request().key());
            if (before != null && (after == null || after.version().compareTo(before.version()) < 0)) {
                throw new AssertionError("seed " + seed + ": replica " + replica.id() + " went back from " + before + " to " + after);
            }
            if (decision.reply() != null) {
                send(from.id + "/" + replica.id(), () -> from.receive(request.correlation(), decision.reply()));
            }
        }
    }

    /** A coordinator: the real core, a skewed clock, and its calls in flight (lost if it crashes). */
    private final class SimCoordinator {
        final int index;
        final String id;
        final long skew;
        CoordinatorCore core;
        long nextCallId;
        final Map<Long, Consumer<Outcome>> waiting = new HashMap<>();
        long downUntil;

        SimCoordinator(int index, String id, long skew) {
            this.index = index;
            this.id = id;
            this.skew = skew;
            this.core = newCore();
        }

        private CoordinatorCore newCore() {
            return new CoordinatorCore(replicaIds, new Versions(id, MaxClockOffset.DEFAULT), Limits.DEFAULT, 10_000);
        }

        long clock() {
            return now + skew + CLOCK_BASE;
        }

        void submit(ExternalRequest request, Consumer<Outcome> done) {
            if (now < downUntil) {
                done.accept(null);
                return;
            }
            long callId = ++nextCallId;
            waiting.put(callId, done);
            apply(core.submit(callId, request, clock()));
        }

        void receive(long correlation, ReplicaReply reply) {
            if (now >= downUntil) {
                apply(core.onReply(correlation, reply, clock()));
            }
        }

        void tick() {
            if (now >= downUntil) {
                apply(core.onTick(clock()));
            }
            at(10, this::tick);
        }

        void crash() {
            downUntil = now + 50 + random.nextInt(300);
            core = newCore();
            List<Consumer<Outcome>> lost = new ArrayList<>(waiting.values());
            waiting.clear();
            lost.forEach(c -> c.accept(null));
        }

        private void apply(Effects effects) {
            for (Outbound out : effects.send()) {
                SimReplica target = replicas.get(out.replica());
                send(id + "/" + out.replica(), () -> target.receive(out, this));
            }
            for (Effects.Completion c : effects.completed()) {
                Consumer<Outcome> done = waiting.remove(c.callId());
                if (done != null) {
                    done.accept(c.outcome());
                }
            }
        }
    }

    /** Runs operations one after another against its coordinator, recording each. */
    private final class Client {
        final String name;
        final SimCoordinator coordinator;
        int done;

        Client(String name, SimCoordinator coordinator) {
            this.name = name;
            this.coordinator = coordinator;
        }

        void next() {
            if (done == config.opsPerClient()) {
                clientsDone++;
                return;
            }
            done++;
            String key = "k" + random.nextInt(config.keys());
            int dice = random.nextInt(10);
            Op op = dice < 5 ? Op.GET : dice < 9 ? Op.PUT : Op.DELETE;
            String value = op == Op.PUT ? name + "-" + done : null;
            ExternalRequest request = new ExternalRequest(op, key, value == null ? null : value.getBytes(UTF_8),
                    null, null, config.timeoutMs(), config.mode());
            long invokedAt = now;
            coordinator.submit(request, outcome -> {
                record(op, key, value, invokedAt, outcome);
                at(random.nextInt(10), this::next);
            });
        }

        private void record(Op op, String key, String value, long invokedAt, Outcome outcome) {
            int id = opIds++;
            boolean write = op != Op.GET;
            if (outcome == null || outcome.status() == Status.QUORUM_NOT_REACHED) {
                // Unknown: a write may still take effect; a read had none.
                if (write) {
                    history.add(new HistoryOp(id, name, key, true, value, null, invokedAt, HistoryOp.UNKNOWN));
                }
                return;
            }
            if (outcome.status() != Status.OK && outcome.status() != Status.NOT_FOUND) {
                throw new AssertionError("seed " + seed + ": unexpected " + outcome);
            }
            String seen = write ? value : outcome.value() == null ? null : new String(outcome.value(), UTF_8);
            Version version = outcome.version();
            history.add(new HistoryOp(id, name, key, write, seen, version, invokedAt, now));
        }
    }
}
