package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * A get: ask all N replicas, decide on the first R answers by the highest version (a tombstone
 * reads as not found), and send that version to every answering replica that held an older one:
 * read repair, sent with the answer and never delaying it.
 */
final class ReadCall implements Call {

    private final long id;
    private final String key;
    private final List<String> replicas;
    private final long timeoutMs;
    private final long deadlineMs;
    private final Versions versions;
    private final QuorumTracker tracker;
    private final Map<String, Versioned> answers = new LinkedHashMap<>();
    private final List<String> rejections = new ArrayList<>();
    private boolean done;

    ReadCall(long id, String key, List<String> replicas, int r, long timeoutMs, long nowMs, Versions versions) {
        this.id = id;
        this.key = key;
        this.replicas = replicas;
        this.timeoutMs = timeoutMs;
        this.deadlineMs = nowMs + timeoutMs;
        this.versions = versions;
        this.tracker = new QuorumTracker(replicas, r);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long deadlineMs() {
        return deadlineMs;
    }

    @Override
    public Effects start() {
        List<Outbound> out = new ArrayList<>(replicas.size());
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(id, 0), new ReplicaRequest.Read(key), deadlineMs));
        }
        return Effects.send(out);
    }

    @Override
    public Effects onReply(String replica, int round, ReplicaReply reply) {
        if (done || round != 0) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Value value) {
            if (!tracker.add(replica, true)) {
                return Effects.NONE;
            }
            answers.put(replica, value.held());
            versions.observe(value.held() == null ? null : value.held().version());
        } else if (reply instanceof ReplicaReply.Invalid invalid) {
            if (tracker.add(replica, false)) {
                rejections.add(replica + ": " + invalid.error());
            }
        } else {
            return Effects.NONE;
        }
        if (tracker.enough()) {
            return decide();
        }
        if (tracker.impossible()) {
            done = true;
            return Effects.done(id, outcome(Status.QUORUM_NOT_REACHED, null,
                    tracker.shortfall("answered", -1) + "; " + String.join("; ", rejections)), List.of());
        }
        return Effects.NONE;
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

    private Effects decide() {
        done = true;
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
        Status status = newest == null || newest.isTombstone() ? Status.NOT_FOUND : Status.OK;
        return Effects.done(id, outcome(status, newest, null), repairs);
    }

    private Outcome outcome(Status status, Versioned newest, String error) {
        Version version = newest == null ? null : newest.version();
        byte[] value = status == Status.OK ? newest.value() : null;
        return new Outcome(status, Op.GET, key, value, version, tracker.succeededCount(), tracker.required(),
                tracker.succeeded(), error);
    }

    @Override
    public Effects onTimeout() {
        if (done) {
            return Effects.NONE;
        }
        done = true;
        return Effects.done(id, outcome(Status.QUORUM_NOT_REACHED, null, tracker.shortfall("answered", timeoutMs)), List.of());
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
