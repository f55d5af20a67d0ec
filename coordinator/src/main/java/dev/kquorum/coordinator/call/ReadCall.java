package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Versioned;

/**
 * A get: ask all N replicas, decide on the first R answers by the highest version (a tombstone
 * reads as not found), and send that version to every answering replica that held an older one:
 * read repair, sent with the answer and never delaying it.
 */
final class ReadCall extends BaseCall {

    private final int r;
    private final Map<String, Versioned> answers = new LinkedHashMap<>();

    ReadCall(long id, String key, List<String> replicas, int r, long timeoutMs, long nowMs, Versions versions) {
        super(id, Op.GET, key, replicas, timeoutMs, nowMs, versions);
        this.r = r;
    }

    @Override
    public Effects start(long nowMs) {
        return begin(Round.query(0, new ReplicaRequest.Read(key), replicas, r, "answered"));
    }

    @Override
    void take(String replica, ReplicaReply counted, long nowMs) {
        if (counted instanceof ReplicaReply.Value value) {
            answers.put(replica, value.held());
            versions.observe(value.held() == null ? null : value.held().version(), nowMs);
        }
    }

    /** The highest version among the answers, or null when none holds anything. */
    static Versioned newest(Iterable<Versioned> answers) {
        Versioned newest = null;
        for (Versioned held : answers) {
            if (held != null && (newest == null || held.version().isNewerThan(newest.version()))) {
                newest = held;
            }
        }
        return newest;
    }

    /** R answered: decide on the newest, and repair the answering replicas that are behind it. */
    @Override
    Effects won(long nowMs) {
        Versioned newest = newest(answers.values());
        List<Outbound> repairs = new ArrayList<>();
        if (newest != null) {
            for (Map.Entry<String, Versioned> answer : answers.entrySet()) {
                Versioned held = answer.getValue();
                if (held == null || newest.version().isNewerThan(held.version())) {
                    repairs.add(new Outbound(answer.getKey(), Correlation.of(id, Correlation.REPAIR_ROUND),
                            new ReplicaRequest.Write(key, newest), deadlineMs));
                }
            }
        }
        return end(read(newest), repairs);
    }

    /** Which replicas a finished read sent repairs to; for tests and metrics. */
    static List<String> repairTargets(Effects effects) {
        List<String> targets = new ArrayList<>();
        for (Outbound o : effects.send()) {
            if (o.isRepair()) {
                targets.add(o.replica());
            }
        }
        return targets;
    }
}
