package dev.kquorum.replica.worker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches whose replies may not all have reached Kafka yet. A worker commits a batch before it
 * sends the batch's replies (an ack must never precede the write it acknowledges), so a SIGKILL
 * in between would lose replies for requests the store already holds. Each commit therefore also
 * stores, per partition, the first offset of the oldest batch still unanswered; a restarted
 * worker resumes there, applies those records again (a no-op) and answers them again.
 *
 * <p>Used by the worker's loop thread; replies complete on the producer's thread.
 */
final class UnansweredBatches {

    /** One committed batch: where it began in each partition, and how many replies are in flight. */
    static final class Batch {
        private final Map<Integer, Long> starts;
        private final AtomicInteger inFlight;

        private Batch(Map<Integer, Long> starts, int replies) {
            this.starts = starts;
            this.inFlight = new AtomicInteger(replies);
        }

        /** One reply reached Kafka, or failed for good; either way nothing more will come of it. */
        void replyDone() {
            inFlight.decrementAndGet();
        }
    }

    private final Deque<Batch> batches = new ArrayDeque<>();

    /**
     * Where each of {@code starts}' partitions should resume if the batch beginning at
     * {@code starts} is committed now and its replies are lost.
     */
    Map<Integer, Long> replayFrom(Map<Integer, Long> starts) {
        while (!batches.isEmpty() && batches.peekFirst().inFlight.get() == 0) {
            batches.removeFirst();
        }
        Map<Integer, Long> from = new HashMap<>(starts);
        for (Batch older : batches) {
            older.starts.forEach((partition, start) -> from.computeIfPresent(partition, (p, own) -> Math.min(own, start)));
        }
        return from;
    }

    /** Records a committed batch whose {@code replies} are about to be sent. */
    Batch committed(Map<Integer, Long> starts, int replies) {
        Batch batch = new Batch(starts, replies);
        if (replies > 0) {
            batches.addLast(batch);
        }
        return batch;
    }
}
