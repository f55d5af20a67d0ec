package dev.kquorum.coordinator.call;

import dev.kquorum.common.protocol.ReplicaReply;

/**
 * One operation in flight: replies and time in, requests and a decision out. Once a call has
 * completed, everything it is given is ignored.
 */
interface Call {

    long id();

    long deadlineMs();

    /** The requests of the first round, at time {@code nowMs}. */
    Effects start(long nowMs);

    /** A replica answered round {@code round} of this call, at time {@code nowMs}. */
    Effects onReply(String replica, int round, ReplicaReply reply, long nowMs);

    /** The deadline has passed: the call ends with QUORUM_NOT_REACHED unless it already ended. */
    Effects onTimeout();
}
