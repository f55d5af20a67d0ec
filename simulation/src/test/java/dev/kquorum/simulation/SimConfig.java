package dev.kquorum.simulation;

import java.util.List;

import dev.kquorum.common.protocol.Mode;

/**
 * Everything a simulated run depends on besides its seed: printed whole by a failing property, so
 * {@code new Simulation(seed, config).run()} replays it.
 *
 * @param mode null for mixed modes on every key (each operation picks quorum or linearizable)
 */
record SimConfig(Mode mode, Shape shape, Faults faults, Clocks clocks) {

    /**
     * @param w, r every write needs W acks, every read R answers; W > N/2 and R + W > N
     */
    record Shape(int n, int w, int r, int coordinators, int clients, int keys, int opsPerClient, long timeoutMs) {
        Shape {
            if (w <= n / 2 || r + w <= n || r > n || w > n) {
                throw new IllegalArgumentException("not an allowed shape: N=" + n + " W=" + w + " R=" + r);
            }
        }
    }

    /**
     * @param redelivery       chance that the gateway executes an answered request with an identity again
     * @param crashBeforeReply chance that a replica crashes between its store commit and its reply
     * @param bogusVersions    far-future versions sent straight to replicas by a stray writer
     * @param longOutage       one replica is down for longer than its topic's retention
     */
    record Faults(double drop, double duplicate, int maxDelayMs, int replicaCrashes, int coordinatorCrashes,
                  int partitions, double redelivery, double crashBeforeReply, int bogusVersions, boolean longOutage) {
    }

    /**
     * @param coordinatorSkews  ms each coordinator's clock is off (three: one per possible coordinator)
     * @param replicaSkews      ms each replica's clock is off (five, within 100 ms)
     * @param stepBackMs        how far a coordinator's clock steps back across each restart
     * @param graceMarginMs     how much longer than {@link #graceMs()}'s lower bound the grace period is
     * @param retentionMarginMs how much longer than the grace period the replica topics' retention is
     * @param pauseBeyondGrace  clients pause half-way for longer than the grace period, so tombstones are purged
     */
    record Clocks(List<Long> coordinatorSkews, List<Long> replicaSkews, long stepBackMs, long graceMarginMs,
                  long retentionMarginMs, boolean pauseBeyondGrace) {
        Clocks {
            coordinatorSkews = List.copyOf(coordinatorSkews);
            replicaSkews = List.copyOf(replicaSkews);
        }
    }

    /**
     * The tombstone grace period, in simulated ms. As Cassandra's gc_grace, it must exceed how late
     * a write older than a tombstone can still reach a replica: how far a coordinator's clock can
     * lag (its skew, and its steps back across restarts), replicas' skews, a request's time in
     * flight (its timeout, delays, a replica down for a while). A real deployment's 10 days do.
     */
    long graceMs() {
        long lag = 0;
        for (int i = 0; i < shape.coordinators(); i++) {
            lag = Math.max(lag, -clocks.coordinatorSkews().get(i));
        }
        lag += clocks.stepBackMs() * faults.coordinatorCrashes() + 200;
        long inFlight = 2 * shape.timeoutMs() + 450L * faults.replicaCrashes() + 250 + 2L * faults.maxDelayMs();
        return lag + inFlight + clocks.graceMarginMs();
    }

    /** Each replica topic's retention: longer than the grace period, as the worker requires. */
    long retentionMs() {
        return graceMs() + clocks.retentionMarginMs();
    }

    /** The former fixed shape: N=3 with majorities, two coordinators, moderate faults, skews of up to half a second. */
    static SimConfig of(Mode mode) {
        return new SimConfig(mode, new Shape(3, 2, 2, 2, 4, 2, 8, 700),
                new Faults(0.03, 0.03, 30, 2, 1, 1, 0.2, 0.01, 1, false),
                new Clocks(List.of(-400L, 350L, 0L), List.of(0L, 20L, -20L, 0L, 0L), 600, 500, 1_000, false));
    }

    SimConfig calm() {
        return new SimConfig(mode, shape, new Faults(0, 0, faults.maxDelayMs(), 0, 0, 0, 0, 0, 0, false),
                new Clocks(List.of(0L, 0L, 0L), List.of(0L, 0L, 0L, 0L, 0L), 0, clocks.graceMarginMs(), clocks.retentionMarginMs(), false));
    }
}
