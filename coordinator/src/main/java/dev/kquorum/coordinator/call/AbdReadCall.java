package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Versioned;

/**
 * A linearizable read (ABD, Attiya, Bar-Noy and Dolev 1995): read a quorum of R; unless every
 * answer agrees, write the newest back to a quorum of W before answering. Once this read has
 * returned a value, a quorum holds it, so no later read can return anything older.
 */
final class AbdReadCall implements Call {

    private static final int QUERY = 0;
    private static final int WRITE_BACK = 1;

    private final long id;
    private final String key;
    private final List<String> replicas;
    private final int w;
    private final long timeoutMs;
    private final long deadlineMs;
    private final Versions versions;
    private final Map<String, Versioned> answers = new LinkedHashMap<>();
    private QuorumTracker tracker;
    private int round = QUERY;
    private Versioned newest;
    private boolean done;

    AbdReadCall(long id, String key, List<String> replicas, int r, int w, long timeoutMs, long nowMs, Versions versions) {
        this.id = id;
        this.key = key;
        this.replicas = replicas;
        this.w = w;
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
        List<Outbound> out = new ArrayList<>();
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(id, QUERY), new ReplicaRequest.Read(key), deadlineMs));
        }
        return Effects.send(out);
    }

    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply) {
        if (done || replyRound != round) {
            return Effects.NONE;
        }
        boolean ok = round == QUERY ? reply instanceof ReplicaReply.Value : reply instanceof ReplicaReply.Ack;
        if (!ok && !(reply instanceof ReplicaReply.Invalid)) {
            return Effects.NONE;
        }
        if (!tracker.add(replica, ok)) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Value value) {
            answers.put(replica, value.held());
            versions.observe(value.held() == null ? null : value.held().version());
        }
        if (tracker.enough()) {
            return round == QUERY ? queried() : finish(null);
        }
        if (tracker.impossible()) {
            return finish(tracker.shortfall(round == QUERY ? "answered" : "acknowledged the write-back", -1));
        }
        return Effects.NONE;
    }

    private Effects queried() {
        newest = ReadCall.newest(answers.values());
        boolean allAgree = answers.values().stream().allMatch(v -> Objects.equals(v, newest));
        if (allAgree || newest == null) {
            return finish(null);
        }
        round = WRITE_BACK;
        tracker = new QuorumTracker(replicas, w);
        List<Outbound> out = new ArrayList<>();
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(id, WRITE_BACK), new ReplicaRequest.Write(key, newest), deadlineMs));
        }
        return Effects.send(out);
    }

    @Override
    public Effects onTimeout() {
        if (done) {
            return Effects.NONE;
        }
        return finish(tracker.shortfall(round == QUERY ? "answered" : "acknowledged the write-back", timeoutMs));
    }

    private Effects finish(String error) {
        done = true;
        Status status = error != null ? Status.QUORUM_NOT_REACHED
                : newest == null || newest.isTombstone() ? Status.NOT_FOUND : Status.OK;
        Outcome outcome = new Outcome(status, Op.GET, key, status == Status.OK ? newest.value() : null,
                error == null && newest != null ? newest.version() : null,
                tracker.succeededCount(), tracker.required(), tracker.succeeded(), error);
        return Effects.done(id, outcome, List.of());
    }
}
