package dev.kquorum.common.protocol;

/** How every operation ends: exactly one of these. */
public enum Status {
    /** Write committed by W replicas, or value found by a read of R. */
    OK,
    /** R replicas answered and none holds a live value (absent or deleted). */
    NOT_FOUND,
    /** Too few replicas answered in time. A write in this state is indeterminate: it may become visible later. */
    QUORUM_NOT_REACHED,
    /** Bad input: nothing was sent; the error says what and why. */
    INVALID,
    /** Too many requests in flight: nothing was sent. */
    OVERLOADED
}
