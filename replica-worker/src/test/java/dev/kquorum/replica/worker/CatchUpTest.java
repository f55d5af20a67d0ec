package dev.kquorum.replica.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** A replica's lag and catch-up, read from metrics tagged as Kafka's consumer tags them. */
class CatchUpTest {

    private final Map<MetricName, Metric> metrics = new HashMap<>();
    private final CatchUp catchUp = new CatchUp("kq.replica.r1", () -> metrics);

    /** The consumer's records-lag of one partition: Kafka tags a topic's dots as underscores. */
    private void lag(int partition, double records) {
        MetricName name = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "c", "topic", "kq_replica_r1", "partition", Integer.toString(partition)));
        metrics.put(name, new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return records;
            }
        });
    }

    @Test
    void aDottedTopicsLagIsFoundAndAPartitionCatchesUpOnceItReachesTheEnd() {
        lag(0, 120);
        lag(3, 7);
        catchUp.update();
        assertThat(catchUp.lag()).isEqualTo(127);
        assertThat(catchUp.catchingUp(0)).isTrue();

        lag(0, 0);
        catchUp.update();
        assertThat(catchUp.catchingUp(0)).isFalse();
        // Behind again under load: that is the stream, not a backlog.
        lag(0, 40);
        catchUp.update();
        assertThat(catchUp.catchingUp(0)).isFalse();
        assertThat(catchUp.catchingUp(3)).isTrue();

        catchUp.taken(0);
        assertThat(catchUp.catchingUp(0)).as("taken again: caught up on anew").isTrue();
    }

    @Test
    void aPartitionWhoseLagIsNotKnownHasNothingToCatchUpOn() {
        assertThat(catchUp.catchingUp(5)).isFalse();
        assertThat(catchUp.lag()).isZero();
    }
}
