package dev.kquorum.coordinator.call;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts the answers of one round, as Riak's put core does: add a result, then ask where the vote
 * stands ({@link VoteResult}). Each replica counts once, however often its reply is delivered.
 */
final class QuorumTracker {

    private final List<String> replicas;
    private final int required;
    private final Set<String> succeeded = new LinkedHashSet<>();
    private final Set<String> failed = new LinkedHashSet<>();

    QuorumTracker(List<String> replicas, int required) {
        this.replicas = replicas;
        this.required = required;
    }

    /** Records a replica's answer; false if it had answered already (or is unknown). */
    boolean add(String replica, boolean ok) {
        if (!replicas.contains(replica) || succeeded.contains(replica) || failed.contains(replica)) {
            return false;
        }
        (ok ? succeeded : failed).add(replica);
        return true;
    }

    /**
     * WON once {@code required} replicas succeeded, LOST once too many failed for that ever to
     * happen, else PENDING. Never both: the successes are at most the replicas that did not fail.
     */
    VoteResult result() {
        if (succeeded.size() >= required) {
            return VoteResult.WON;
        }
        return replicas.size() - failed.size() < required ? VoteResult.LOST : VoteResult.PENDING;
    }

    /** Replicas that have not answered this round yet. */
    int unanswered() {
        return replicas.size() - succeeded.size() - failed.size();
    }

    int failedCount() {
        return failed.size();
    }

    int succeededCount() {
        return succeeded.size();
    }

    int required() {
        return required;
    }

    List<String> succeeded() {
        return new ArrayList<>(succeeded);
    }

    /** A plain sentence: how many of how many answered, who, and what was needed. */
    String shortfall(String what, long timeoutMs) {
        StringBuilder s = new StringBuilder();
        s.append(succeeded.size()).append(" of ").append(replicas.size()).append(" replicas ").append(what);
        s.append(timeoutMs >= 0 ? " within " + timeoutMs + " ms" : "");
        s.append(" (needed ").append(required).append(")");
        s.append(succeeded.isEmpty() ? "" : ": " + String.join(", ", succeeded));
        if (!failed.isEmpty()) {
            s.append("; rejected by ").append(String.join(", ", failed));
        }
        return s.toString();
    }
}
