package dev.kquorum.replica.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class UnansweredBatchesTest {

    private final UnansweredBatches batches = new UnansweredBatches();

    @Test
    void aBatchWithNothingInFlightBeforeItReplaysOnlyItself() {
        assertThat(batches.replayFrom(Map.of(0, 100L))).isEqualTo(Map.of(0, 100L));
    }

    @Test
    void resumesAtTheOldestBatchWhoseRepliesAreStillInFlight() {
        UnansweredBatches.Batch first = batches.committed(Map.of(0, 100L, 1, 40L), 2);
        batches.committed(Map.of(0, 150L), 1);
        assertThat(batches.replayFrom(Map.of(0, 200L, 1, 60L))).isEqualTo(Map.of(0, 100L, 1, 40L));

        first.replyDone();
        first.replyDone();
        assertThat(batches.replayFrom(Map.of(0, 200L, 1, 60L))).isEqualTo(Map.of(0, 150L, 1, 60L));
    }

    @Test
    void aBatchWithoutRepliesIsNeverWaitedFor() {
        batches.committed(Map.of(0, 10L), 0);
        assertThat(batches.replayFrom(Map.of(0, 20L))).isEqualTo(Map.of(0, 20L));
    }
}
