package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Outcome;
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
 * execution, and other executions of it may be running or done (a redelivery, a takeover during
 * a rebalance). Every execution therefore answers as any of them may have: never above a write
 * that began after an answer, never below one acknowledged before the request began. Replicas
 * say what other executions did ({@link ReplicaReply.Duplicate}); this one's own first round
 * counts the same way.
 * <ul>
 *   <li>If it was re-issued somewhere, that execution may have answered OK at the re-issued
 *   version, which is above everything acknowledged before: make a write quorum hold it, answer it.</li>
 *   <li>Else, if a write quorum took its first version as the newest ("fresh"), it is above
 *   everything acknowledged before the request began: answer it.</li>
 *   <li>Else, if even the replicas yet to answer could not make such a quorum, no execution can
 *   have answered OK: this one re-issues above what it found, if it is still early enough (the
 *   request's issue time plus its timeout, less the max clock offset), before any execution can
 *   have answered QUORUM_NOT_REACHED, and if it is the request's first execution (the gateway
 *   marks one that may be retaken) and the one a majority of replicas recorded first (a zombie
 *   gateway may take itself for the first too): two executions choosing versions could answer at
 *   one and later land the other above a write begun after that answer. Otherwise it answers
 *   QUORUM_NOT_REACHED itself.</li>
 *   <li>Else wait for more replicas, up to the deadline; once every replica has answered and some
 *   refused (their records unknown), answer QUORUM_NOT_REACHED rather than guess.</li>
 * </ul>
 */
final class WriteCall extends BaseCall {

    private final byte[] value;
    private final int w;
    private final ReplicaRequest.Origin origin;
    private final Version first;
    /** Past this time (the request's issue time plus its timeout, less the max clock offset) nothing is re-issued. */
    private final long reissueUntilMs;
    /** Maybe not the request's first execution: then it never re-issues (only a first execution chooses a version). */
    private final boolean retaken;
    private Version version;
    private Version highestHeld;
    private Version lowestHeld;
    /** The highest version another execution wrote the request at, as the replicas say; null if none does. */
    private Version duplicate;
    private boolean duplicateReissued;
    /** Replicas of round 0 that say the request's first version was applied there as the newest. */
    private int freshBefore;
    /** What the replicas of round 0 that had not seen the request before now hold. */
    private final List<Version> heldByNewcomers = new ArrayList<>();
    /** Replicas of round 0 that record this execution as the request's first (they had seen no other). */
    private int recordedFirst;

    /**
     * @param origin the request's identity and this execution, or null
     * @param first  the version to write first (made from the identity), or null for a fresh one
     * @param reissueUntilMs the last time a re-issue may be decided (Long.MAX_VALUE: any time)
     * @param retaken        the request may have been taken up before: never re-issue
     */
    WriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int w, long timeoutMs, long nowMs,
              Versions versions, ReplicaRequest.Origin origin, Version first, long reissueUntilMs, boolean retaken) {
        super(id, op, key, replicas, timeoutMs, nowMs, versions);
        this.value = value;
        this.w = w;
        this.origin = origin;
        this.first = first;
        this.reissueUntilMs = reissueUntilMs;
        this.retaken = retaken;
    }

    @Override
    public Effects start(long nowMs) {
        return sendRound(0, first != null ? first : versions.next(nowMs), origin);
    }

    private Effects sendRound(int r, Version v, ReplicaRequest.Origin o) {
        version = v;
        highestHeld = null;
        lowestHeld = null;
        duplicate = null;
        duplicateReissued = false;
        freshBefore = 0;
        heldByNewcomers.clear();
        recordedFirst = 0;
        return begin(Round.write(r, new ReplicaRequest.Write(key, new Versioned(version, value), o), replicas, w, "acknowledged"));
    }

    /**
     * Every ack to the round in flight is shown to the clock, whether it counts or not (a second
     * delivery; one refused for a version beyond the max clock offset, which the clock counts as
     * ignored rather than follows).
     */
    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply, long nowMs) {
        if (reply instanceof ReplicaReply.Ack ack && replyRound == round().number()) {
            versions.observe(ack.held(), nowMs);
        }
        return super.onReply(replica, replyRound, reply, nowMs);
    }

    @Override
    void take(String replica, ReplicaReply counted, long nowMs) {
        if (counted instanceof ReplicaReply.Ack ack) {
            highestHeld = Version.max(highestHeld, ack.held());
            lowestHeld = lowestHeld == null || ack.held().compareTo(lowestHeld) < 0 ? ack.held() : lowestHeld;
            ReplicaReply.Duplicate d = ack.duplicate();
            if (d != null) {
                duplicateReissued |= d.reissued();
                duplicate = Version.max(duplicate, d.written());
                freshBefore += d.firstFresh() ? 1 : 0;
            } else {
                heldByNewcomers.add(ack.held());
                recordedFirst++;
            }
        }
    }

    /** The first round, then at most one re-issue. */
    @Override
    Effects won(long nowMs) {
        return round().number() == 0 ? firstRoundWon(nowMs) : finishAt(version);
    }

    /** Round 0 has a quorum of answers (and is asked again as more arrive, while it waits). */
    private Effects firstRoundWon(long nowMs) {
        if (origin == null) {
            return highestHeld.isNewerThan(version) ? reissue(nowMs) : finishAt(version);
        }
        // A request with an identity may have other executions running or done: decide as any of
        // them may have answered, whichever this one is.
        if (duplicateReissued) {
            return lowestHeld.compareTo(duplicate) >= 0 ? finishAt(duplicate) : sendRound(1, duplicate, origin.reissued());
        }
        Version target = duplicate != null ? duplicate : version;
        // Replicas that had not seen the request hold this execution's version: they count as fresh
        // for the target only if it is that version (another execution's may differ: a client's
        // retry that did not name its first attempt), and where what they hold is not above it.
        long fresh = freshBefore + (target.equals(version)
                ? heldByNewcomers.stream().filter(h -> !h.isNewerThan(target)).count() : 0);
        if (fresh >= w) {
            return finishAt(target);
        }
        // A replica yet to answer, or one whose answer was refused, may be fresh too.
        QuorumTracker tracker = round().tracker();
        if (fresh + tracker.unanswered() + tracker.failedCount() >= w) {
            return tracker.unanswered() > 0 ? Effects.NONE : notReached(
                    "whether an execution of this request at " + target + " took effect cannot be told, since replicas"
                            + " refused to answer: " + impossible());
        }
        if (retaken) {
            // Two executions that each chose a version could answer at one and later land the other,
            // above a write begun after that answer. So only the first execution chooses.
            return notReached("out-versioned at " + target + ", and not re-issued: this request may"
                    + " have been taken up before (after a rebalance or restart), and only its first execution re-issues;"
                    + " the write may still become visible");
        }
        if (nowMs > reissueUntilMs) {
            // Another execution may have answered by now; a re-issue could land above a write begun after it.
            return notReached("out-versioned at " + target + " too late to re-issue: past the request's"
                    + " timeout less the max clock offset; the write may still become visible");
        }
        // Two executions can both count themselves first (a zombie gateway): only the one that a
        // majority of replicas recorded first chooses, and there is at most one such.
        int majority = majority();
        if (recordedFirst < majority) {
            return recordedFirst + tracker.unanswered() >= majority ? Effects.NONE : notReached("out-versioned at " + target
                    + ", and not re-issued: another execution of this request (a gateway that lost its partitions but did not"
                    + " yet know it) was recorded first by a majority of replicas, and only that one re-issues; the write may"
                    + " still become visible");
        }
        return reissue(nowMs);
    }

    /** Out-versioned: re-issue once, above everything this quorum holds (replies beyond the max
     * clock offset were refused on arrival, so the clock can follow all of these). */
    private Effects reissue(long nowMs) {
        versions.observe(highestHeld, nowMs);
        return sendRound(1, versions.next(nowMs), origin == null ? null : origin.reissued());
    }

    private Effects finishAt(Version written) {
        version = written;
        return end(outcome(Status.OK, null, version, null), List.of());
    }

    @Override
    Effects timedOut() {
        return notReached(round().shortfall(timeoutMs) + "; the write may still become visible");
    }
}
