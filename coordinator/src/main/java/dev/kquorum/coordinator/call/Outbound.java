package dev.kquorum.coordinator.call;

import dev.kquorum.common.protocol.ReplicaRequest;

/**
 * A request the core wants sent to one replica. {@code correlation} comes back with the reply and
 * routes it to the call and round that asked ({@link Correlation}); {@code deadlineMs} tells the
 * replica when nobody waits any more.
 */
public record Outbound(String replica, long correlation, ReplicaRequest request, long deadlineMs) {

    /** A read repair: sent on the side, its ack changes nothing. */
    public boolean isRepair() {
        return Correlation.round(correlation) == Correlation.REPAIR_ROUND;
    }
}
