package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * What every call does the same way: send a round to all replicas, count each replica's answer to
 * the current round once (a rejection counts against), let the round's vote decide, and end
 * exactly once. A call says only what an answer tells it and what it does once a round is won.
 */
abstract class BaseCall implements Call {

    final long id;
    final Op op;
    final String key;
    final List<String> replicas;
    final long timeoutMs;
    final long deadlineMs;
    final Versions versions;
    /** The round in flight: replies to any other are ignored. */
    private Round round;
    private boolean done;
    private final List<String> rejections = new ArrayList<>();

    BaseCall(long id, Op op, String key, List<String> replicas, long timeoutMs, long nowMs, Versions versions) {
        this.id = id;
        this.op = op;
        this.key = key;
        this.replicas = replicas;
        this.timeoutMs = timeoutMs;
        this.deadlineMs = nowMs + timeoutMs;
        this.versions = versions;
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final long deadlineMs() {
        return deadlineMs;
    }

    final boolean isDone() {
        return done;
    }

    /** Starts {@code next}: its request to every replica; from now on only its replies count. */
    final Effects begin(Round next) {
        round = next;
        return Effects.send(next.outbound(id, deadlineMs));
    }

    /** The fewest replicas of which any two sets share one: a ballot won by that many is won by one execution only. */
    final int majority() {
        return replicas.size() / 2 + 1;
    }

    final Round round() {
        return round;
    }

    /**
     * A reply counts once, if it answers the round in flight; then the round's vote decides: won,
     * the call goes on ({@link #won}); lost, it ends QUORUM_NOT_REACHED saying why; else it waits.
     */
    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply, long nowMs) {
        ReplicaReply counted = count(replica, replyRound, reply, nowMs);
        if (counted == null) {
            return Effects.NONE;
        }
        take(replica, counted, nowMs);
        return switch (round.tracker().result()) {
            case WON -> won(nowMs);
            case LOST -> notReached(impossible());
            case PENDING -> Effects.NONE;
        };
    }

    /** What a counted reply tells the call, before the vote: a refusal comes as an {@code Invalid}. */
    abstract void take(String replica, ReplicaReply counted, long nowMs);

    /**
     * The round in flight is won: the next round, or the end. Asked again at each reply counted
     * after, for a call that waits for more answers instead.
     */
    abstract Effects won(long nowMs);

    /**
     * Counts a reply: the reply as counted when it is a first answer to the current round, of the
     * kind that counts there or a rejection (then an {@code Invalid}); null for everything to
     * ignore. A replica that shows a version beyond this coordinator's clock plus the max clock
     * offset is counted as a rejection: such a version comes from a broken clock or a stray
     * writer, and is neither followed, nor returned to a reader, nor taken as holding a write.
     */
    private ReplicaReply count(String replica, int replyRound, ReplicaReply reply, long nowMs) {
        if (done || replyRound != round.number()) {
            return null;
        }
        String refusal = reply instanceof ReplicaReply.Invalid invalid ? invalid.error() : fromTheFuture(reply, nowMs);
        if (refusal != null) {
            if (!round.tracker().add(replica, false)) {
                return null;
            }
            rejections.add(replica + ": " + refusal);
            return new ReplicaReply.Invalid(replica, refusal);
        }
        return round.counts(reply) && round.tracker().add(replica, true) ? reply : null;
    }

    private String fromTheFuture(ReplicaReply reply, long nowMs) {
        Version held = reply instanceof ReplicaReply.Ack ack ? ack.held()
                : reply instanceof ReplicaReply.Value value && value.held() != null ? value.held().version() : null;
        return held != null && versions.maxOffset().exceededBy(held, nowMs) ? versions.describeFuture(held, nowMs) : null;
    }

    /** Why the round cannot be won, once too many replicas rejected it, with every rejection so far. */
    final String impossible() {
        return round.shortfall(-1) + "; " + String.join("; ", rejections);
    }

    /** How the call ended, with the replicas that answered the round in flight: the deciding one. */
    final Outcome outcome(Status status, byte[] value, Version version, String error) {
        QuorumTracker tracker = round.tracker();
        return new Outcome(status, op, key, value, version, tracker.succeededCount(), tracker.required(),
                tracker.succeeded(), error);
    }

    /** A read's answer: the newest of the values read; NOT_FOUND (with its version) for a tombstone. */
    final Outcome read(Versioned newest) {
        Status status = newest == null || newest.isTombstone() ? Status.NOT_FOUND : Status.OK;
        return outcome(status, status == Status.OK ? newest.value() : null, newest == null ? null : newest.version(), null);
    }

    /** Ends the call as QUORUM_NOT_REACHED: nothing read, and what was written, if anything, unknown. */
    final Effects notReached(String error) {
        return end(outcome(Status.QUORUM_NOT_REACHED, null, null, error), List.of());
    }

    final Effects end(Outcome outcome, List<Outbound> send) {
        done = true;
        return Effects.done(id, outcome, send);
    }

    @Override
    public final Effects onTimeout() {
        return done ? Effects.NONE : timedOut();
    }

    /** The outcome at the deadline, for a call that has not ended: how far the round in flight got. */
    Effects timedOut() {
        return notReached(round.shortfall(timeoutMs));
    }
}
