package dev.kquorum.coordinator.gateway;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which requests a gateway may be taking up for the second time. A record below its partition's
 * end offset at the time the partition was assigned here may have been taken up before: by the
 * previous owner, whose execution may still run, or by this gateway before a rebalance. Only a
 * request's first execution may choose a version for a write; an execution that may be a retake
 * only completes what an earlier one wrote. Records appended after the assignment were never
 * fetched by another gateway, short of a zombie (paused past its session, it has not yet learned
 * its partitions moved); for that case the replicas hold a ballot, and only the execution that a
 * majority of them recorded first chooses.
 *
 * <p>Loop thread only, as the consumer's rebalance callbacks are, except {@link #awaitFirst}.
 */
final class PartitionOwnership {

    private static final Logger log = LoggerFactory.getLogger(PartitionOwnership.class);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<?, ?> consumer;
    /** Per owned partition, its end offset when assigned here; absent while not known (every record then counts). */
    private final Map<TopicPartition, Long> endAtAssignment = new HashMap<>();
    private final CountDownLatch firstAssignment = new CountDownLatch(1);

    PartitionOwnership(Consumer<?, ?> consumer) {
        this.consumer = consumer;
    }

    void assigned(Collection<TopicPartition> partitions) {
        learnEnds(partitions);
        firstAssignment.countDown();
        log.info("Gateway now answers requests from {}; requests below offsets {} may have been taken up before, and"
                + " their writes only complete what an earlier execution wrote", partitions, endAtAssignment);
    }

    void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(endAtAssignment::remove);
    }

    /** Tries again, each turn of the loop, for partitions whose end offset could not be read when assigned. */
    void learnMissing() {
        if (endAtAssignment.size() < consumer.assignment().size()) {
            learnEnds(consumer.assignment().stream().filter(tp -> !endAtAssignment.containsKey(tp)).toList());
        }
    }

    boolean maybeTakenUpBefore(TopicPartition tp, long offset) {
        Long end = endAtAssignment.get(tp);
        return end == null || offset < end;
    }

    /** Waits, from any thread, until the gateway has had its first assignment (maybe of no partition). */
    boolean awaitFirst(Duration timeout) throws InterruptedException {
        return firstAssignment.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void learnEnds(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        try {
            endAtAssignment.putAll(consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT));
        } catch (KafkaException e) {
            log.warn("Gateway could not read the end offsets of {} ({}); until it can, their writes re-issue nothing",
                    partitions, e.getMessage());
        }
    }
}
