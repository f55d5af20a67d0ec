package dev.kquorum.replica.store;

/**
 * How far a replica has got in one partition of its topic.
 *
 * @param next       the next offset to apply: every record before it is in the store
 * @param replayFrom where to resume after a crash: at or before {@code next}, at the first record
 *                   whose reply may not have reached Kafka. Records in between are applied again
 *                   (a no-op: applying twice is applying once) and answered again.
 */
public record PartitionPosition(long next, long replayFrom) {

    public PartitionPosition {
        if (replayFrom > next || replayFrom < 0) {
            throw new IllegalArgumentException("replayFrom " + replayFrom + " must be within 0.." + next);
        }
    }
}
