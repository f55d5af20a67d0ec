package dev.kquorum.coordinator.call;

/**
 * Where a round's vote stands, as etcd's raft {@code quorum.VoteResult}: one answer instead of two
 * questions (is it enough? can it still be?), so that no call can ask them in the wrong order or
 * forget the second.
 */
enum VoteResult {
    /** Not enough replicas have succeeded yet, and those yet to answer still could make enough. */
    PENDING,
    /** Enough replicas have succeeded; further answers do not change that. */
    WON,
    /** So many replicas have failed that the rest, however they answer, cannot make enough. */
    LOST
}
