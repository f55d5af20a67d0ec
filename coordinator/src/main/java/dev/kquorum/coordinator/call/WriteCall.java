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
 * write lands above it and is never silently hidden by it, clock skew or not. A version beyond
 * the max clock offset is not followed: the write says so rather than claim a success it lacks.
 *
 * <p>A request with an identity is first written at the version made from it, the same on every
 * execution. When replicas answer that another execution already wrote it ({@code duplicateOf}),
 * this execution re-issues nothing above what it found: it only makes sure a write quorum holds
 * the version the request was written at, and answers with that. Every later write is above that
 * version, so executing the request again never supersedes a write that began after its answer.
 */
final class WriteCall extends BaseCall {

    private final Op op;
    private final byte[] value;
    private final int w;
    private final ReplicaRequest.Origin origin;
    private final Version first;
    private Version version;
    private Version highestHeld;
    private Version lowestHeld;
    private Version duplicateOf;

    /**
     * @param origin the request's identity and this execution, or null
     * @param first  the version to write first (made from the identity), or null for a fresh one
     */
    WriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int w,
              long timeoutMs, long nowMs, Versions versions, ReplicaRequest.Origin origin, Version first) {
        super(id, key, replicas, timeoutMs, nowMs, versions);
        this.op = op;
        this.value = value;
        this.w = w;
        this.origin = origin;
        this.first = first;
    }

    @Override
    public Effects start(long nowMs) {
        return sendRound(0, first != null ? first : versions.next(nowMs), origin);
    }

    private Effects sendRound(int r, Version v, ReplicaRequest.Origin o) {
        version = v;
        highestHeld = null;
        lowestHeld = null;
        return broadcast(r, new ReplicaRequest.Write(key, new Versioned(version, value), o), w);
    }

    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply, long nowMs) {
        if (reply instanceof ReplicaReply.Ack ack && replyRound == round) {
            versions.observe(ack.held(), nowMs);
        }
        if (!count(replica, replyRound, reply, ReplicaReply.Ack.class)) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Ack ack) {
            highestHeld = Version.max(highestHeld, ack.held());
            lowestHeld = lowestHeld == null || ack.held().compareTo(lowestHeld) < 0 ? ack.held() : lowestHeld;
            duplicateOf = Version.max(duplicateOf, ack.duplicateOf());
        }
        if (tracker.enough()) {
            return round == 0 ? firstRoundWon(nowMs) : finish(Status.OK, null);
        }
        if (tracker.impossible()) {
            return finish(Status.QUORUM_NOT_REACHED, impossible("acknowledged"));
        }
        return Effects.NONE;
    }

    private Effects firstRoundWon(long nowMs) {
        if (duplicateOf != null) {
            // Executed before: its version must be held by a write quorum, and nothing goes above it.
            return lowestHeld.compareTo(duplicateOf) >= 0 ? finishAt(duplicateOf) : sendRound(1, duplicateOf, origin.reissued());
        }
        if (!highestHeld.isNewerThan(version)) {
            return finish(Status.OK, null);
        }
        if (!versions.observe(highestHeld, nowMs)) {
            return finish(Status.QUORUM_NOT_REACHED, versions.describeFuture(highestHeld, nowMs)
                    + "; the write was not re-issued above it and is hidden by it");
        }
        // Out-versioned: re-issue once, above everything this quorum holds.
        return sendRound(1, versions.next(nowMs), origin == null ? null : origin.reissued());
    }

    private Effects finishAt(Version written) {
        version = written;
        return finish(Status.OK, null);
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
