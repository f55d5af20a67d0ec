package dev.kquorum.replica;

import java.time.Duration;
import java.util.Objects;

import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;

/**
 * The settings a {@link Replica}'s rules depend on.
 *
 * @param tombstoneGrace how long a tombstone is kept (as Cassandra's gc_grace_seconds): time for
 *                       every replica to learn of a delete
 * @param dedupWindow    how long a replica remembers that a request (by its identity) was written,
 *                       so that executing it again within that time supersedes nothing newer
 */
public record ReplicaRules(Limits limits, MaxClockOffset maxClockOffset, Duration tombstoneGrace, Duration dedupWindow) {

    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofDays(10);
    /** Redelivery after a crash or rebalance comes within minutes, client retries soon after: an hour covers both. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(1);
    /** The longest timeout a request may ask for (the protocol's timeoutMs limit). */
    public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    public static final ReplicaRules DEFAULT =
            new ReplicaRules(Limits.DEFAULT, MaxClockOffset.DEFAULT, DEFAULT_TOMBSTONE_GRACE, DEFAULT_DEDUP_WINDOW);

    public ReplicaRules {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(maxClockOffset, "maxClockOffset");
        requirePositive("tombstone grace", tombstoneGrace);
        requirePositive("dedup window", dedupWindow);
        long minimum = MAX_REQUEST_TIMEOUT.toMillis() + 2 * maxClockOffset.millis();
        if (dedupWindow.toMillis() < minimum) {
            // Coordinators execute a request only within its timeout from issue (the broker's clock);
            // the replicas, by their own clocks, must remember it at least that long, plus the offset
            // either way, or a late second execution would go unrecognised.
            throw new IllegalArgumentException("dedup window must be at least the longest request timeout ("
                    + MAX_REQUEST_TIMEOUT.toSeconds() + " s) plus twice the max clock offset, " + minimum + " ms; got "
                    + dedupWindow.toMillis() + " ms");
        }
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
