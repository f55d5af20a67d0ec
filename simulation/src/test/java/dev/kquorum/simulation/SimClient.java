package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.history.HistoryOp;

/**
 * A client running operations one after another against its coordinator, recording each. Most
 * writes carry an identity (as every request through the gateway does), and the gateway may
 * execute them again: after a coordinator crash, or after the answer (an uncommitted offset), by
 * the same or another coordinator, with the same issue time. Every execution belongs to the one
 * operation, invoked at the first invocation.
 */
final class SimClient {

    /** One operation and what its executions did. */
    final class Op {
        final int id;
        final String key;
        final boolean write;
        final boolean linearizable;
        final String value;
        final long invokedAt;
        private long completedAt = HistoryOp.UNKNOWN;
        private Version version;
        private String seen;
        /** The highest version its executions wrote before its first answer. */
        private Version sentBeforeAnswer;
        private int executions = 1;

        Op(int id, String key, boolean write, boolean linearizable, String value) {
            this.id = id;
            this.key = key;
            this.write = write;
            this.linearizable = linearizable;
            this.value = value;
            this.invokedAt = sim.now;
        }

        boolean answered() {
            return completedAt != HistoryOp.UNKNOWN;
        }

        /**
         * A write sent by one of its executions: one that began after the first answer may write
         * nothing above what the executions before the answer wrote (else it could supersede a
         * write that began after that answer).
         */
        void sent(Version v, boolean afterAnswer) {
            if (!afterAnswer) {
                sentBeforeAnswer = Version.max(sentBeforeAnswer, v);
            } else if (!sim.naiveRetries && (sentBeforeAnswer == null || v.compareTo(sentBeforeAnswer) > 0)) {
                sim.fail("execution " + executions + " of " + this + ", after its answer, writes " + v
                        + ", above everything written before that answer (" + sentBeforeAnswer + ")", key);
            }
        }

        void outcome(Outcome outcome, boolean redelivered) {
            if (outcome == null || outcome.status() == Status.QUORUM_NOT_REACHED) {
                return;
            }
            if (outcome.status() != Status.OK && outcome.status() != Status.NOT_FOUND) {
                if (!redelivered) {
                    sim.fail("unexpected " + outcome + " for " + this, key);
                }
                return; // a late or skewed redelivery refused, with nothing sent
            }
            Version v = outcome.version();
            if (!write && v == null) {
                v = sim.invariants.purgedTombstone(key);
            }
            if (!answered()) {
                completedAt = sim.now;
                version = v;
                seen = write ? value : outcome.value() == null ? null : text(outcome.value());
            } else if (write && !sim.naiveRetries) {
                // The checker sees the highest version any execution answered: a supersede shows.
                version = Version.max(version, v);
            }
            if (outcome.version() != null && (write || linearizable)) {
                sim.invariants.acknowledged(key, v);
            }
        }

        HistoryOp toHistoryOp() {
            if (!answered()) {
                return write ? new HistoryOp(id, name, key, true, value, null, invokedAt, HistoryOp.UNKNOWN) : null;
            }
            return new HistoryOp(id, name, key, write, seen, version, invokedAt, completedAt);
        }

        @Override
        public String toString() {
            return "#" + id + " " + name + " " + (linearizable ? "lin " : "quorum ") + (write ? "write " : "read ") + key + "="
                    + (write ? value : seen) + (version == null ? "" : " @" + version) + " [" + invokedAt + ", "
                    + (answered() ? completedAt : "?") + "]" + (executions > 1 ? " executed " + executions + " times" : "");
        }
    }

    private final Simulation sim;
    final String name;
    private final SimCoordinator coordinator;
    private int done;
    private boolean paused;

    SimClient(Simulation sim, String name, SimCoordinator coordinator) {
        this.sim = sim;
        this.name = name;
        this.coordinator = coordinator;
    }

    void next() {
        SimConfig.Shape shape = sim.config.shape();
        if (done == shape.opsPerClient()) {
            sim.clientsDone++;
            return;
        }
        if (done == shape.opsPerClient() / 2 && sim.config.clocks().pauseBeyondGrace() && !paused) {
            // Idle for longer than the grace period: tombstones written so far get purged.
            paused = true;
            sim.at(sim.config.graceMs() + sim.random.nextInt(500), this::next);
            return;
        }
        done++;
        String key = sim.keys.get(sim.random.nextInt(sim.keys.size()));
        int dice = sim.random.nextInt(10);
        dev.kquorum.common.protocol.Op kind = dice < 5 ? dev.kquorum.common.protocol.Op.GET
                : dice < 9 ? dev.kquorum.common.protocol.Op.PUT : dev.kquorum.common.protocol.Op.DELETE;
        boolean write = kind != dev.kquorum.common.protocol.Op.GET;
        Mode mode = sim.config.mode() != null ? sim.config.mode() : sim.random.nextBoolean() ? Mode.LINEARIZABLE : Mode.QUORUM;
        String value = kind == dev.kquorum.common.protocol.Op.PUT ? name + "-" + done : null;
        ExternalRequest request = new ExternalRequest(kind, key, value == null ? null : value.getBytes(UTF_8),
                Consistency.count(shape.w()), Consistency.count(shape.r()), shape.timeoutMs(), mode);
        boolean identified = write && sim.random.nextInt(3) != 0;
        Op op = new Op(sim.ops.size(), key, write, mode == Mode.LINEARIZABLE, value);
        sim.ops.add(op);
        ExternalRequest first = null;
        boolean retriable = false;
        if (identified) {
            // The gateway's issue time: its record's timestamp, the same on every execution.
            first = request.identified(name + "#" + done, coordinator.clock());
            retriable = sim.clientRetries;
            request = first;
        }
        ExternalRequest sent = first;
        boolean clientMayRetry = retriable;
        coordinator.submit(request, op, outcome -> {
            op.outcome(outcome, false);
            if (identified) {
                maybeRedeliver(sent, clientMayRetry, op, outcome == null ? 0.7 : sim.config.faults().redelivery(),
                        2 * sim.config.shape().timeoutMs());
            }
            sim.at(sim.random.nextInt(10), this::next);
        });
        if (identified && sim.config.faults().redelivery() > 0) {
            // A rebalance: the new owner of the request's partition executes it while the revoked
            // gateway's execution is still running, so the two overlap.
            maybeRedeliver(sent, clientMayRetry, op, sim.config.faults().redelivery() / 2, sim.config.shape().timeoutMs() / 2);
        }
    }

    /**
     * The request is executed again, within {@code withinMs}, on any coordinator; sometimes more
     * than once. The gateway that takes its record up again knows it may have been taken up
     * before (the record predates its ownership of the partition). With client retries, the client
     * retries it instead, with the same requestId: a new record, with a
     * new timestamp and above every end offset, so never marked a retake by the gateway; it names
     * its first attempt's issue time, as {@code firstIssuedAtMs} does on the wire, unless the client
     * is naive (then it is a new request under an old requestId).
     */
    private void maybeRedeliver(ExternalRequest first, boolean clientMayRetry, Op op, double chance, long withinMs) {
        if (sim.random.nextDouble() >= chance) {
            return;
        }
        sim.pendingRedeliveries++;
        SimCoordinator by = sim.coordinators.get(sim.random.nextInt(sim.coordinators.size()));
        sim.at(1 + sim.random.nextLong(withinMs), () -> {
            op.executions++;
            ExternalRequest again;
            if (clientMayRetry) {
                again = sim.naiveRetries ? first.identified(first.requestId(), by.clock()) : first.retryOf(first.issuedAtMs());
            } else {
                again = first.retaken(!sim.zombieGateways);
            }
            by.submit(again, op, outcome -> {
                op.outcome(outcome, true);
                maybeRedeliver(first, clientMayRetry, op, sim.config.faults().redelivery() / 2, 2 * sim.config.shape().timeoutMs());
                sim.pendingRedeliveries--;
            });
        });
    }

    static String text(byte[] value) {
        return value == null ? null : new String(value, UTF_8);
    }
}
