package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;

/**
 * One round of a call, as a value: the request sent to every replica, the replies needed to win
 * it, and the kind of reply that counts towards them (a {@link ReplicaReply.Value} for a query, an
 * {@link ReplicaReply.Ack} for a write). It owns the tally of its answers, so a call that moves on
 * to its next round leaves the last one's tally behind with it.
 */
final class Round {

    private final int number;
    private final ReplicaRequest request;
    private final List<String> replicas;
    private final Class<? extends ReplicaReply> counts;
    /** What a replica whose reply counts did, as an error tells it: "answered", "acknowledged". */
    private final String what;
    private final QuorumTracker tracker;

    private Round(int number, ReplicaRequest request, List<String> replicas, int needed,
                  Class<? extends ReplicaReply> counts, String what) {
        this.number = number;
        this.request = request;
        this.replicas = replicas;
        this.counts = counts;
        this.what = what;
        this.tracker = new QuorumTracker(replicas, needed);
    }

    /** Round {@code number}: ask every replica for what it holds, win with {@code needed} answers. */
    static Round query(int number, ReplicaRequest.Read request, List<String> replicas, int needed, String what) {
        return new Round(number, request, replicas, needed, ReplicaReply.Value.class, what);
    }

    /** Round {@code number}: write to every replica, win with {@code needed} acks. */
    static Round write(int number, ReplicaRequest.Write request, List<String> replicas, int needed, String what) {
        return new Round(number, request, replicas, needed, ReplicaReply.Ack.class, what);
    }

    /** The round of the correlation its requests carry; replies name it. */
    int number() {
        return number;
    }

    boolean isQuery() {
        return counts == ReplicaReply.Value.class;
    }

    /** Whether {@code reply} counts towards winning this round (a refusal counts against it). */
    boolean counts(ReplicaReply reply) {
        return counts.isInstance(reply);
    }

    QuorumTracker tracker() {
        return tracker;
    }

    /** The request to every replica, correlated with this round of call {@code callId}. */
    List<Outbound> outbound(long callId, long deadlineMs) {
        List<Outbound> out = new ArrayList<>(replicas.size());
        for (String replica : replicas) {
            out.add(new Outbound(replica, Correlation.of(callId, number), request, deadlineMs));
        }
        return out;
    }

    /** How many of how many replicas {@link #what} by {@code timeoutMs} (-1: no time to tell). */
    String shortfall(long timeoutMs) {
        return tracker.shortfall(what, timeoutMs);
    }
}
