package dev.kquorum.coordinator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The bookkeeping behind the gateway's commits: an offset counts as committed only once the commit succeeded. */
class OffsetTrackerTest {

    private final TopicPartition tp = new TopicPartition("kq.requests", 0);

    @Test
    void aCommitThatDidNotSucceedIsOfferedAgain() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.started(tp, 0);
        tracker.started(tp, 1);
        tracker.answered(tp, 0);

        Map<TopicPartition, OffsetAndMetadata> first = tracker.committable();
        assertThat(first).containsExactly(Map.entry(tp, new OffsetAndMetadata(1)));
        // The commit failed (or is still on its way): nothing was recorded, so it is offered again.
        assertThat(tracker.committable()).isEqualTo(first);

        tracker.committed(first);
        assertThat(tracker.committable()).isEmpty();
        tracker.answered(tp, 1);
        assertThat(tracker.committable()).containsExactly(Map.entry(tp, new OffsetAndMetadata(2)));
    }
}
