package dev.kquorum.coordinator.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which request offsets have been answered, so that an offset is committed only once the answer
 * to it, and to every request before it in its partition, has been published. Requests finish out
 * of order; the committable offset is the first one still unanswered.
 */
final class OffsetTracker {

    private final Map<TopicPartition, NavigableSet<Long>> unanswered = new HashMap<>();
    private final Map<TopicPartition, Long> nextToRead = new HashMap<>();
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();

    /** A request was read and is now being answered (called on the gateway's loop thread). */
    synchronized void started(TopicPartition tp, long offset) {
        unanswered.computeIfAbsent(tp, k -> new ConcurrentSkipListSet<>()).add(offset);
        nextToRead.merge(tp, offset + 1, Math::max);
    }

    /** Its answer is published (called on any thread). */
    synchronized void answered(TopicPartition tp, long offset) {
        NavigableSet<Long> set = unanswered.get(tp);
        if (set != null) {
            set.remove(offset);
        }
    }

    /**
     * Offsets that can be committed now and are not known to be committed. Offered again until
     * {@link #committed} records them, so a commit that failed is retried on the next turn.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        nextToRead.forEach((tp, next) -> {
            NavigableSet<Long> set = unanswered.get(tp);
            long upTo = set == null || set.isEmpty() ? next : set.first();
            if (!Long.valueOf(upTo).equals(lastCommitted.get(tp))) {
                commit.put(tp, new OffsetAndMetadata(upTo));
            }
        });
        return commit;
    }

    /** Kafka confirmed these commits. */
    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> {
            if (nextToRead.containsKey(tp)) {
                lastCommitted.merge(tp, offset.offset(), Math::max);
            }
        });
    }

    /** Forgets a partition this gateway no longer owns. */
    synchronized void forget(TopicPartition tp) {
        unanswered.remove(tp);
        nextToRead.remove(tp);
        lastCommitted.remove(tp);
    }
}
