package dev.kquorum.simulation;

import dev.kquorum.common.version.Version;

/**
 * One operation of a recorded history. A write whose outcome is unknown (no quorum, or its
 * coordinator crashed) may have taken effect at any time after its invocation, or never: its
 * completion is {@link Long#MAX_VALUE}.
 *
 * @param value   for a write, the value written (null: a delete); for a read, the value seen (null: not found)
 * @param version the version written or read, when the outcome says
 */
record HistoryOp(int id, String client, String key, boolean write, String value, Version version,
                 long invokedAt, long completedAt) {

    static final long UNKNOWN = Long.MAX_VALUE;

    boolean completed() {
        return completedAt != UNKNOWN;
    }

    /** This operation finished before {@code other} began: real-time order. */
    boolean precedes(HistoryOp other) {
        return completedAt < other.invokedAt;
    }

    @Override
    public String toString() {
        return "#" + id + " " + client + " " + (write ? "write " : "read ") + key + "=" + value
                + (version == null ? "" : " @" + version) + " [" + invokedAt + ", " + (completed() ? completedAt : "?") + "]";
    }
}
