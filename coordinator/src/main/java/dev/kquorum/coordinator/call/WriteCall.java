package dev.kquorum.coordinator.call;

import java.util.List;

import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * A put or delete: send the versioned value (or tombstone) to all N replicas, win with W acks.
 *
 * <p>An ack carries the version the replica now holds. When the first round's quorum shows a
 * version above ours (another coordinator's clock runs ahead, or a later write landed first), the
 * write is re-issued once, above the highest version seen. Any write acknowledged before this one
 * began is held by a quorum, which intersects the quorum of our first round; so the re-issued
 * write lands above it and is never silently hidden by it, clock skew or not.
 */
final class WriteCall extends BaseCall {

    private final Op op;
    private final byte[] value;
    private final int w;
    private Version version;
    private Version highestHeld;

    WriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int w,
              long timeoutMs, long nowMs, Versions versions) {
        super(id, key, replicas, timeoutMs, nowMs, versions);
        this.op = op;
        this.value = value;
        this.w = w;
    }

    @Override
    public Effects start() {
        return sendRound(0);
    }

    private Effects sendRound(int r) {
        version = versions.next();
        highestHeld = null;
        return broadcast(r, new ReplicaRequest.Write(key, new Versioned(version, value)), w);
    }

    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply) {
        if (reply instanceof ReplicaReply.Ack ack && replyRound == round) {
            versions.observe(ack.held());
        }
        if (!count(replica, replyRound, reply, ReplicaReply.Ack.class)) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Ack ack) {
            highestHeld = Version.max(highestHeld, ack.held());
        }
        if (tracker.enough()) {
            if (round == 0 && highestHeld.isNewerThan(version)) {
                // Out-versioned: re-issue once, above everything this quorum holds.
                return sendRound(1);
            }
            return finish(Status.OK, null);
        }
        if (tracker.impossible()) {
            return finish(Status.QUORUM_NOT_REACHED, impossible("acknowledged"));
        }
        return Effects.NONE;
    }

    @Override
    Effects timedOut() {
        return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall("acknowledged", timeoutMs)
                + "; the write may still become visible");
    }

    private Effects finish(Status status, String error) {
        return end(new Outcome(status, op, key, null, status == Status.OK ? version : null,
                tracker.succeededCount(), w, tracker.succeeded(), error), List.of());
    }
}
