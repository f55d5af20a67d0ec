package dev.kquorum.coordinator.call;

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
final class AbdWriteCall extends BaseCall {

    private static final int QUERY = 0;
    private static final int WRITE = 1;

    private final Op op;
    private final byte[] value;
    private final int r;
    private final int w;
    private Version version;

    AbdWriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int r, int w,
                 long timeoutMs, long nowMs, Versions versions) {
        super(id, key, replicas, timeoutMs, nowMs, versions);
        this.op = op;
        this.value = value;
        this.r = r;
        this.w = w;
    }

    @Override
    public Effects start() {
        return broadcast(QUERY, new ReplicaRequest.Read(key), r);
    }

    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply) {
        Class<? extends ReplicaReply> counts = round == QUERY ? ReplicaReply.Value.class : ReplicaReply.Ack.class;
        if (!count(replica, replyRound, reply, counts)) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Value v && v.held() != null) {
            versions.observe(v.held().version());
        } else if (reply instanceof ReplicaReply.Ack ack) {
            versions.observe(ack.held());
        }
        if (tracker.enough()) {
            if (round == QUERY) {
                // Above everything the query quorum holds: the clock has observed all of it.
                version = versions.next();
                return broadcast(WRITE, new ReplicaRequest.Write(key, new Versioned(version, value)), w);
            }
            return finish(Status.OK, null);
        }
        if (tracker.impossible()) {
            return finish(Status.QUORUM_NOT_REACHED, impossible(round == QUERY ? "answered the version query" : "acknowledged"));
        }
        return Effects.NONE;
    }

    @Override
    Effects timedOut() {
        return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall(round == QUERY ? "answered the version query" : "acknowledged", timeoutMs)
                + (round == WRITE ? "; the write may still become visible" : ""));
    }

    private Effects finish(Status status, String error) {
        return end(new Outcome(status, op, key, null, status == Status.OK ? version : null,
                tracker.succeededCount(), tracker.required(), tracker.succeeded(), error), List.of());
    }
}
