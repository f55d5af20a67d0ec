package dev.kquorum.coordinator.call;

/**
 * A correlation id names a call and a round of it (a write's re-issue, a read's repair), so a
 * reply to an earlier round is told apart from one to the current round. On the wire it is the
 * sequence of the coordinator's {@link dev.kquorum.common.protocol.CorrelationId}, whose
 * incarnation tells this run's replies from strays.
 */
public final class Correlation {

    static final int ROUND_BITS = 8;
    /** Repair writes use this round; their acks change nothing. */
    static final int REPAIR_ROUND = (1 << ROUND_BITS) - 1;

    private Correlation() {
    }

    public static long of(long callId, int round) {
        return (callId << ROUND_BITS) | round;
    }

    public static long callId(long correlation) {
        return correlation >>> ROUND_BITS;
    }

    public static int round(long correlation) {
        return (int) (correlation & ((1 << ROUND_BITS) - 1));
    }
}
