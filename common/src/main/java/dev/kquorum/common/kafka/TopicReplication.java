package dev.kquorum.common.kafka;

/**
 * How many copies of each of kquorum's topics Kafka keeps, and how many of them must have a
 * record before Kafka acknowledges it: kquorum's decision, stated when it creates a topic and
 * checked at start, rather than the cluster's defaults (replication factor 1 on a stock broker,
 * where one disk lost is every request that replica had not applied yet).
 *
 * <p>0 means "decide by the cluster": a replication factor of {@code min(3, brokers)}, and
 * {@code min.insync.replicas} of one less (at least 1): on three brokers or more, an acknowledged
 * record is on two of them, and one broker at a time can die without losing it or stopping writes.
 */
public record TopicReplication(int replicationFactor, int minInsyncReplicas) {

    /** Decided by the cluster's size. */
    public static final TopicReplication BY_CLUSTER = new TopicReplication(0, 0);

    public TopicReplication {
        if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                    + " is not a number of brokers (0 for min(3, brokers))");
        }
        if (minInsyncReplicas < 0) {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas
                    + " is negative (0 for one less than the replication factor)");
        }
        if (replicationFactor > 0 && minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas + " is more than the replication factor "
                    + replicationFactor + ": no write could ever be acknowledged");
        }
    }

    /** Both numbers, for a cluster of {@code brokers} brokers. */
    public TopicReplication forCluster(int brokers, String bootstrap) {
        int rf = replicationFactor > 0 ? replicationFactor : Math.min(3, brokers);
        if (rf > brokers) {
            throw new IllegalStateException("replication factor " + rf + " needs " + rf + " brokers; the cluster at " + bootstrap
                    + " has " + brokers);
        }
        int minIsr = minInsyncReplicas > 0 ? minInsyncReplicas : Math.max(1, rf - 1);
        if (minIsr > rf) {
            throw new IllegalStateException("min.insync.replicas " + minIsr + " is more than the replication factor " + rf);
        }
        return new TopicReplication(rf, minIsr);
    }

    @Override
    public String toString() {
        return (replicationFactor == 0 ? "replication factor min(3, brokers)" : "replication factor " + replicationFactor)
                + ", " + (minInsyncReplicas == 0 ? "min.insync.replicas one less" : "min.insync.replicas " + minInsyncReplicas);
    }
}
