package dev.kquorum.coordinator.call;

import java.util.List;

import dev.kquorum.common.protocol.Outcome;
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
 *
 * <p>With an identity, the query also asks whether the request was already written; if so, this
 * execution writes that same version again instead of one above everything (which would supersede
 * writes that began after the first answer), so that a write quorum holds it. When it was not,
 * the version depends only on the request and the query's answers ({@link
 * Versions#forRequestAbove}). Only a first execution chooses it: one that may be retaken (the
 * gateway says) and finds no earlier write answers QUORUM_NOT_REACHED, since two executions whose
 * queries saw different replicas would choose different versions, and the later-landing one could
 * supersede a write begun after the other's answer. Two executions can both count themselves
 * first (a zombie gateway, paused past its session, still executing what it fetched), so the
 * query also claims the request at each replica, which records the first claim and keeps it: only
 * an execution that a majority of replicas recorded first chooses.
 */
final class AbdWriteCall extends BaseCall {

    private static final int QUERY = 0;
    private static final int WRITE = 1;

    private final byte[] value;
    private final int r;
    private final int w;
    private final ReplicaRequest.Origin origin;
    private final Version first;
    /** Maybe not the request's first execution: it only writes a version an earlier one wrote. */
    private final boolean retaken;
    private Version version;
    private Version duplicateOf;
    private Version highestSeen;
    /** Replicas that record this execution as the request's first. */
    private int claims;

    AbdWriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int r, int w,
                 long timeoutMs, long nowMs, Versions versions, ReplicaRequest.Origin origin, Version first, boolean retaken) {
        super(id, op, key, replicas, timeoutMs, nowMs, versions);
        this.value = value;
        this.r = r;
        this.w = w;
        this.origin = origin;
        this.first = first;
        this.retaken = retaken;
    }

    @Override
    public Effects start(long nowMs) {
        // A retake chooses nothing, so it claims nothing either (else it could keep a first
        // execution that is still running from choosing).
        ReplicaRequest.Read query = origin == null ? new ReplicaRequest.Read(key)
                : new ReplicaRequest.Read(key, origin.requestId(), retaken ? null : origin.attempt());
        return begin(Round.query(QUERY, query, replicas, r, "answered the version query"));
    }

    @Override
    void take(String replica, ReplicaReply counted, long nowMs) {
        if (counted instanceof ReplicaReply.Value v) {
            if (v.held() != null) {
                versions.observe(v.held().version(), nowMs);
                highestSeen = Version.max(highestSeen, v.held().version());
            }
            duplicateOf = Version.max(duplicateOf, v.duplicate() == null ? null : v.duplicate().written());
            claims += v.claimed() ? 1 : 0;
        } else if (counted instanceof ReplicaReply.Ack ack) {
            versions.observe(ack.held(), nowMs);
        }
    }

    /** The version query round, then the write round at the version it chose. */
    @Override
    Effects won(long nowMs) {
        return round().isQuery() ? queried(nowMs) : end(outcome(Status.OK, null, version, null), List.of());
    }

    private Effects queried(long nowMs) {
        if (duplicateOf != null) {
            version = duplicateOf;
        } else if (!versions.observe(highestSeen, nowMs)) {
            return notReached(versions.describeFuture(highestSeen, nowMs) + "; nothing was written above it");
        } else if (retaken) {
            return notReached("not written: this request may have been taken up before (after a"
                    + " rebalance or restart), no replica asked holds that execution's write, and only a first execution"
                    + " chooses a version; an earlier execution's write may still become visible");
        } else if (first != null) {
            int majority = majority();
            if (claims < majority) {
                // Wait while the replicas yet to answer could still make a majority.
                return claims + round().tracker().unanswered() >= majority ? Effects.NONE : notReached(
                        "not written: another execution of this request (a gateway that lost its partitions but did not yet"
                                + " know it) was recorded first by a majority of replicas, and only that one chooses a"
                                + " version; its write may still become visible");
            }
            // Not from the clock: another execution that queried the same replicas must write this
            // same version, not one above a write that began after this one was answered.
            version = Versions.forRequestAbove(first, highestSeen);
        } else {
            // Above everything the query quorum holds: the clock has observed all of it.
            version = versions.next(nowMs);
        }
        return begin(Round.write(WRITE, new ReplicaRequest.Write(key, new Versioned(version, value),
                origin == null ? null : origin.reissued()), replicas, w, "acknowledged"));
    }

    @Override
    Effects timedOut() {
        return notReached(round().shortfall(timeoutMs) + (round().isQuery() ? "" : "; the write may still become visible"));
    }
}
