package dev.kquorum.coordinator.call;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.quorum.InvalidQuorumException;
import dev.kquorum.common.quorum.QuorumSpec;
import dev.kquorum.common.version.Version;

/**
 * The coordinator's protocol core, with no I/O (like etcd's raft): operations, replica replies and
 * clock ticks go in; requests to send and finished operations come out as {@link Effects}. It
 * keeps the table of calls in flight, bounded so that an overloaded coordinator says so at once
 * instead of queueing without end. Not thread-safe: one thread, or one lock, drives it.
 */
public final class CoordinatorCore {

    public static final long DEFAULT_TIMEOUT_MS = 2_000;
    /** The longest timeout a request may ask for; replicas remember request identities for longer. */
    public static final long MAX_TIMEOUT_MS = 600_000;

    private final List<String> replicas;
    private final Versions versions;
    private final Limits limits;
    private final int maxInFlight;
    private final Map<Long, Call> calls = new HashMap<>();
    private final NavigableSet<Call> byDeadline =
            new TreeSet<>(Comparator.comparingLong(Call::deadlineMs).thenComparingLong(Call::id));

    public CoordinatorCore(List<String> replicas, Versions versions, Limits limits, int maxInFlight) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("a coordinator needs at least one replica");
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException("replica ids must be distinct: " + replicas);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight must be at least 1, got " + maxInFlight);
        }
        this.replicas = List.copyOf(replicas);
        this.versions = versions;
        this.limits = limits;
        this.maxInFlight = maxInFlight;
    }

    public List<String> replicas() {
        return replicas;
    }

    public int inFlight() {
        return calls.size();
    }

    /**
     * Starts an operation under {@code callId} (unique while it is in flight). Bad input and
     * overload end it at once, with nothing sent.
     */
    public Effects submit(long callId, ExternalRequest request, long nowMs) {
        QuorumSpec spec;
        try {
            limits.check(request.key(), request.value());
            spec = QuorumSpec.of(replicas.size(),
                    request.w() == null ? Consistency.QUORUM : request.w(),
                    request.r() == null ? Consistency.QUORUM : request.r());
            if (request.mode() == Mode.LINEARIZABLE) {
                spec.requireLinearizable();
                // Its R must also meet the smallest write quorum any linearizable write may use,
                // whatever W this request names: a read is linearized against other requests' writes.
                int majority = replicas.size() / 2 + 1;
                if (spec.r() + majority <= replicas.size()) {
                    throw new InvalidQuorumException("linearizable mode needs R + " + majority + " > N (" + majority
                            + " is the smallest W a linearizable write may use), got R=" + spec.r() + ", N=" + replicas.size()
                            + ": a read of " + spec.r() + " could miss a write that a majority acknowledged");
                }
            }
            if (request.op() == Op.PUT && request.value() == null) {
                throw new ProtocolException("field 'value': a put needs a value");
            }
            if (request.requestId() != null) {
                ProtocolCodec.checkRequestId(request.requestId());
            }
            if (request.timeoutMs() != null && (request.timeoutMs() < 1 || request.timeoutMs() > MAX_TIMEOUT_MS)) {
                throw new ProtocolException("field 'timeoutMs': " + request.timeoutMs() + " is outside 1.." + MAX_TIMEOUT_MS);
            }
            if (request.issuedAtMs() != null) {
                checkIssued(request, nowMs);
            }
        } catch (ProtocolException | InvalidQuorumException e) {
            return Effects.done(callId, Outcome.invalid(request.op(), request.key(), e.getMessage()), List.of());
        }
        if (calls.size() >= maxInFlight) {
            return Effects.done(callId, Outcome.overloaded(request.op(), request.key(), maxInFlight), List.of());
        }
        long timeout = request.timeoutMs() == null ? DEFAULT_TIMEOUT_MS : request.timeoutMs();
        if (request.issuedAtMs() != null && nowMs - request.issuedAtMs() > timeout - versions.maxOffset().millis()) {
            // Executed only while no earlier execution can have answered it yet (less the max clock
            // offset between the hosts that judge it): so a second execution never begins after a
            // first answer of QUORUM_NOT_REACHED, and always within the replicas' dedup window.
            // Not executed now, but perhaps executed before a crash: its outcome is unknown.
            return Effects.done(callId, Outcome.late(request.op(), request.key(), nowMs - request.issuedAtMs(), timeout), List.of());
        }
        Call call = newCall(callId, request, spec, timeout, nowMs);
        calls.put(callId, call);
        byDeadline.add(call);
        return settle(call.start(nowMs));
    }

    /** A request with an issue time (its record's timestamp) must be datable by this coordinator's clock. */
    private void checkIssued(ExternalRequest request, long nowMs) {
        long offset = versions.maxOffset().millis();
        if (request.issuedAtMs() > nowMs + offset) {
            throw new ProtocolException("the request's record timestamp " + request.issuedAtMs() + " is "
                    + (request.issuedAtMs() - nowMs) + " ms ahead of this coordinator's clock (max clock offset " + offset
                    + " ms): the clock of the broker (LogAppendTime) or of the client (CreateTime) is wrong");
        }
        long timeout = request.timeoutMs() == null ? DEFAULT_TIMEOUT_MS : request.timeoutMs();
        if (timeout <= offset) {
            throw new ProtocolException("field 'timeoutMs': " + timeout + " ms is too short for the request topic: it must be"
                    + " more than the max clock offset (" + offset + " ms), within which a redelivered request is told apart"
                    + " from a late one");
        }
    }

    private Call newCall(long callId, ExternalRequest request, QuorumSpec spec, long timeout, long nowMs) {
        byte[] value = request.op() == Op.PUT ? request.value() : null;
        boolean linearizable = request.mode() == Mode.LINEARIZABLE;
        if (request.op() == Op.GET) {
            return linearizable
                    ? new AbdReadCall(callId, request.key(), replicas, spec.r(), spec.w(), timeout, nowMs, versions)
                    : new ReadCall(callId, request.key(), replicas, spec.r(), timeout, nowMs, versions);
        }
        ReplicaRequest.Origin origin = request.requestId() == null ? null
                : new ReplicaRequest.Origin(request.requestId(), versions.writerId() + ":" + callId, false);
        Version first = origin == null ? null
                : Versions.forRequest(request.requestId(), request.issuedAtMs() != null && request.issuedAtMs() >= 0 ? request.issuedAtMs() : nowMs);
        if (linearizable) {
            return new AbdWriteCall(callId, request.op(), request.key(), value, replicas, spec.r(), spec.w(), timeout, nowMs,
                    versions, origin, first, request.retaken());
        }
        long reissueUntil = request.issuedAtMs() == null ? Long.MAX_VALUE : request.issuedAtMs() + timeout - versions.maxOffset().millis();
        return new WriteCall(callId, request.op(), request.key(), value, replicas, spec.w(), timeout, nowMs, versions, origin, first,
                reissueUntil, request.retaken());
    }

    /** A replica's reply at {@code nowMs}; replies to calls that already ended, or from strangers, are ignored. */
    public Effects onReply(long correlation, ReplicaReply reply, long nowMs) {
        Call call = calls.get(Correlation.callId(correlation));
        if (call == null) {
            return Effects.NONE;
        }
        return settle(call.onReply(reply.replica(), Correlation.round(correlation), reply, nowMs));
    }

    /** How many versions replicas showed that were beyond the max clock offset, and so not followed. */
    public long ignoredFutureVersions() {
        return versions.ignoredFutureVersions();
    }

    /** Time has reached {@code nowMs}: calls past their deadline end with QUORUM_NOT_REACHED. */
    public Effects onTick(long nowMs) {
        Effects effects = Effects.NONE;
        while (!byDeadline.isEmpty() && byDeadline.first().deadlineMs() <= nowMs) {
            effects = effects.and(settle(byDeadline.pollFirst().onTimeout()));
        }
        return effects;
    }

    private Effects settle(Effects effects) {
        for (Effects.Completion c : effects.completed()) {
            Call ended = calls.remove(c.callId());
            if (ended != null) {
                byDeadline.remove(ended);
            }
        }
        return effects;
    }
}
