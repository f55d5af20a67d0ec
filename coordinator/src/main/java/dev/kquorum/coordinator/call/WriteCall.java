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
 * A put or delete: send the versioned value (or tombstone) to all N replicas, win with W acks.
 *
 * <p>An ack carries the version the replica now holds. When the first round's quorum shows a
 * version above ours (another coordinator's clock runs ahead, or a later write landed first), the
 * write is re-issued once, above the highest version seen. Any write acknowledged before this one
 * began is held by a quorum, which intersects the quorum of our first round; so the re-issued
 * write lands above it and is never silently hidden by it, clock skew or not.
 */
final class WriteCall implements Call {

    private final long id;
    private final Op op;
    private final String key;
    private final byte[] value;
    private final List<String> replicas;
    private final int w;
    private final long timeoutMs;
    private final long deadlineMs;
    private final Versions versions;

    private int round;
    private Version version;
    private Version highestHeld;
    private QuorumTracker tracker;
    private final List<String> rejections = new ArrayList<>();
    private boolean done;

    WriteCall(long id, Op op, String key, byte[] value, List<String> replicas, int w,
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
        return sendRound(0);
    }

    private Effects sendRound(int r) {
        round = r;
        version = versions.next();
        highestHeld = null;
        tracker = new QuorumTracker(replicas, w);
        Versioned versioned = new Versioned(version, value);
        List<Outbound> out = new ArrayList<>(replicas.size());
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(id, r), new ReplicaRequest.Write(key, versioned), deadlineMs));
        }
        return Effects.send(out);
    }

    @Override
    public Effects onReply(String replica, int replyRound, ReplicaReply reply) {
        if (done || replyRound != round) {
            return Effects.NONE;
        }
        if (reply instanceof ReplicaReply.Ack ack) {
            versions.observe(ack.held());
            if (!tracker.add(replica, true)) {
                return Effects.NONE;
            }
            highestHeld = Version.max(highestHeld, ack.held());
        } else if (reply instanceof ReplicaReply.Invalid invalid) {
            if (tracker.add(replica, false)) {
                rejections.add(replica + ": " + invalid.error());
            }
        } else {
            return Effects.NONE;
        }
        if (tracker.enough()) {
            if (round == 0 && highestHeld.isNewerThan(version)) {
                // Out-versioned: re-issue once, above everything this quorum holds.
                return sendRound(1);
            }
            return finish(Status.OK, null);
        }
        if (tracker.impossible()) {
            return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall("acknowledged", -1) + "; " + String.join("; ", rejections));
        }
        return Effects.NONE;
    }

    @Override
    public Effects onTimeout() {
        if (done) {
            return Effects.NONE;
        }
        return finish(Status.QUORUM_NOT_REACHED, tracker.shortfall("acknowledged", timeoutMs)
                + "; the write may still become visible");
    }

    private Effects finish(Status status, String error) {
        done = true;
        Outcome outcome = new Outcome(status, op, key, null, status == Status.OK ? version : null,
                tracker.succeededCount(), w, tracker.succeeded(), error);
        return Effects.done(id, outcome, List.of());
    }
}
