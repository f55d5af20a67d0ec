package dev.kquorum.history;

import dev.kquorum.common.version.Version;

/**
 * One operation of a recorded history of a key-value store: a write (put or delete) or a read of
 * one key, by one client, with the times at which it was invoked and completed. Times are from
 * one monotonic clock (any unit, any origin), so that real-time order between operations is
 * known: {@code a} precedes {@code b} when {@code a} completed before {@code b} was invoked.
 *
 * <p>A write whose outcome is unknown (no quorum, no answer, or its coordinator crashed) may have
 * taken effect at any time after its invocation, or never: its completion is {@link #UNKNOWN}. A
 * read without an answer tells nothing and is left out of the history.
 *
 * @param id          unique within the history
 * @param client      who issued it; one client issues one operation at a time
 * @param key         the key; keys are independent registers
 * @param write       a write (true) or a read (false)
 * @param value       for a write, the value written (null: a delete); for a read, the value seen
 *                    (null: not found). Values written should be unique, so that a read maps back
 *                    to its write
 * @param version     the version written or read, when the answer said; null otherwise
 * @param invokedAt   when the client sent it
 * @param completedAt when the client got the answer, or {@link #UNKNOWN}
 */
public record HistoryOp(int id, String client, String key, boolean write, String value, Version version,
                        long invokedAt, long completedAt) {

    /** The completion time of a write whose outcome is unknown. */
    public static final long UNKNOWN = Long.MAX_VALUE;

    /** The outcome is known: the operation was answered. */
    public boolean completed() {
        return completedAt != UNKNOWN;
    }

    /** This operation finished before {@code other} began: real-time order. */
    public boolean precedes(HistoryOp other) {
        return completedAt < other.invokedAt;
    }

    @Override
    public String toString() {
        return "#" + id + " " + client + " " + (write ? "write " : "read ") + key + "=" + value
                + (version == null ? "" : " @" + version) + " [" + invokedAt + ", " + (completed() ? completedAt : "?") + "]";
    }
}
