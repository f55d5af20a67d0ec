package dev.kquorum.replica.worker;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Which partitions of the replica topic this process is still catching up on: from when it takes
 * a partition until it first reaches the partition's end. While catching up, reads nobody waits
 * for any more are skipped ({@link dev.kquorum.replica.Replica}); after that a lag is the normal
 * stream under load, not a backlog. Learned from the consumer's own per-partition lag.
 */
final class CatchUp {

    /**
     * The topic as the consumer's metrics tag it: Kafka writes a topic name's dots as underscores
     * there, so matching the name itself never finds a dotted topic's lag.
     */
    private final String metricTopic;
    /** Partitions whose lag was read on a record's arrival since they were taken: once each, the read is costly. */
    private final Set<Integer> askedOnArrival = ConcurrentHashMap.newKeySet();
    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final Set<Integer> caughtUp = ConcurrentHashMap.newKeySet();
    /** Records not yet applied, per partition this process runs, at the last update. */
    private volatile Map<Integer, Long> lags = Map.of();

    /** @param metrics the metrics of the process's Kafka clients, where each partition's lag is */
    CatchUp(String topic, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metricTopic = topic.replace('.', '_');
        this.metrics = metrics;
    }

    /**
     * Whether {@code partition} has not reached its end since this process took it. Its lag is read
     * every second ({@link #update}); until it is first known, it is read once now, on the caller's
     * thread: a task's first records must not wait a second to be judged. A partition whose lag
     * Kafka has not reported yet has had no records fetched, so nothing to catch up on.
     */
    boolean catchingUp(int partition) {
        if (caughtUp.contains(partition)) {
            return false;
        }
        Long lag = lags.get(partition);
        if (lag == null && askedOnArrival.add(partition)) {
            update();
            lag = lags.get(partition);
        }
        return lag != null && lag > 0;
    }

    /** A partition given to this process again is caught up on anew. */
    void taken(int partition) {
        caughtUp.remove(partition);
        askedOnArrival.remove(partition);
    }

    /** Records of the replica topic not yet applied, over the partitions this process runs. */
    long lag() {
        return lags.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reads the lag of each partition from the metrics of the process's consumers. */
    void update() {
        Map<Integer, Long> now = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> m : metrics.get().entrySet()) {
            MetricName name = m.getKey();
            if (name.name().equals("records-lag") && metricTopic.equals(name.tags().get("topic"))
                    && m.getValue().metricValue() instanceof Double lag && !lag.isNaN()) {
                int partition = Integer.parseInt(name.tags().get("partition"));
                now.put(partition, lag.longValue());
                if (lag == 0.0) {
                    caughtUp.add(partition);
                }
            }
        }
        lags = Map.copyOf(now);
    }
}
