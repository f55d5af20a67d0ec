package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * A linearizable write (ABD): ask a quorum of R for the highest version it holds, then write a
 * version above it to a quorum of W. Every write that completed before this one began is held by
 * a write quorum that the query quorum meets, so this write is ordered after all of them, whatever
 * the coordinators' clocks say.
 */
final class AbdWriteCall implements Call {

    private static final int QUERY = 0;
    private static final int WRITE = 1;

    private final long id;
    private final Op op;
    private final String key;
    private final byte[] value;
    private final List<String> replicas;
    private final int w;
    private final long timeoutMs;
    private final long deadlineMs;
    private final Versions versions;
    private QuorumTracker tracker;
    private int round = QUERY;
    private Version version;
    private boolean done;

    AbdWriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int r, int w,
                 long timeoutMs, long nowMs, Versions versions) {
        this.id = id;
        this.op = op;
        this.key = key;
        this.value = value;
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
        if (reply instanceof ReplicaReply.Value v && v.held() != null) {
            versions.observe(v.held().version());
        } else if (reply instanceof ReplicaReply.Ack ack) {
            versions.observe(ack.held());
        }
        if (tracker.enough()) {
            return round == QUERY ? write() : finish(Status.OK, null);
        }
        if (tracker.impossible()) {
            return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall(round == QUERY ? "answered the version query" : "acknowledged", -1));
        }
        return Effects.NONE;
    }

    /** Above everything the query quorum holds: the clock has observed all of it. */
    private Effects write() {
        round = WRITE;
        version = versions.next();
        tracker = new QuorumTracker(replicas, w);
        Versioned versioned = new Versioned(version, value);
        List<Outbound> out = new ArrayList<>();
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(id, WRITE), new ReplicaRequest.Write(key, versioned), deadlineMs));
        }
        return Effects.send(out);
    }

    @Override
    public Effects onTimeout() {
        if (done) {
            return Effects.NONE;
        }
        return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall(round == QUERY ? "answered the version query" : "acknowledged", timeoutMs)
                + (round == WRITE ? "; the write may still become visible" : ""));
    }

    private Effects finish(Status status, String error) {
        done = true;
        Outcome outcome = new Outcome(status, op, key, null, status == Status.OK ? version : null,
                tracker.succeededCount(), tracker.required(), tracker.succeeded(), error);
        return Effects.done(id, outcome, List.of());
    }
}
