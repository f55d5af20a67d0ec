package dev.kquorum.simulation;

import java.util.HashMap;
import java.util.Map;

import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * Checked after every event of a run, not only at the end:
 * <ul>
 *   <li>a replica's version of a key never decreases (a purged tombstone counts as still held: a
 *   write older than it stored after the purge is a delete undone);</li>
 *   <li>every acknowledged write, and every value a linearizable read returned, stays held by W
 *   replicas at a version at least its own. Versions held never decrease, so it is enough to
 *   check the highest such version of each key.</li>
 * </ul>
 * The stores count whether their replica is up, down or refusing to serve: they are durable.
 */
final class Invariants {

    private final Simulation sim;
    /** Per replica and key: the version of the tombstone purged there, if nothing has been stored since. */
    private final Map<String, Map<String, Versioned>> purged = new HashMap<>();
    private final Map<String, Map<String, Version>> last = new HashMap<>();
    private final Map<String, Version> mustHold = new HashMap<>();
    /** Per key: the highest tombstone version purged anywhere. */
    private final Map<String, Version> highestPurged = new HashMap<>();

    Invariants(Simulation sim) {
        this.sim = sim;
        for (SimReplica r : sim.replicas) {
            purged.put(r.id, new HashMap<>());
            last.put(r.id, new HashMap<>());
        }
    }

    /** What {@code r} holds for {@code key}, a purged tombstone included. */
    Versioned effective(SimReplica r, String key) {
        Versioned held = r.store.get(key);
        if (held == null) {
            held = purged.get(r.id).get(key);
        }
        // An aborted transaction's write counts while its request waits to be applied again: the
        // replay is checked to decide as the first run did (SimReplica#abortAfterReply).
        Versioned pending = r.pending(key);
        return pending != null && (held == null || pending.version().isNewerThan(held.version())) ? pending : held;
    }

    void purged(SimReplica r, String key, Versioned tombstone) {
        purged.get(r.id).put(key, tombstone);
        highestPurged.merge(key, tombstone.version(), Version::max);
    }

    /**
     * The version a read that found nothing stands for: the highest tombstone purged, if any.
     * (After the grace period a deleted key holds nothing, and reads as never written.)
     */
    Version purgedTombstone(String key) {
        return highestPurged.get(key);
    }

    /** An acknowledged write, or a linearizable read's answer, at {@code version}. */
    void acknowledged(String key, Version version) {
        mustHold.merge(key, version, Version::max);
    }

    void check() {
        for (SimReplica r : sim.replicas) {
            Map<String, Version> previous = last.get(r.id);
            for (String key : sim.keys) {
                Versioned now = effective(r, key);
                Version before = previous.get(key);
                if (before != null && (now == null || now.version().compareTo(before) < 0)) {
                    sim.fail(r.id + "'s version of " + key + " went back from " + before + " to " + now, key);
                }
                if (now != null) {
                    previous.put(key, now.version());
                }
            }
        }
        int w = sim.config.shape().w();
        for (Map.Entry<String, Version> e : mustHold.entrySet()) {
            int holding = 0;
            for (SimReplica r : sim.replicas) {
                Versioned held = effective(r, e.getKey());
                if (held != null && held.version().compareTo(e.getValue()) >= 0) {
                    holding++;
                }
            }
            if (holding < w) {
                sim.fail("acknowledged version " + e.getValue() + " of " + e.getKey() + " is held by " + holding
                        + " replicas, fewer than W=" + w, e.getKey());
            }
        }
    }
}
