package dev.kquorum.replica.worker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a worker's replies without letting one requester hold up the others. The requester names
 * the reply address, so it may be illegal, absent or unwritable; such a reply is dropped (its own
 * request still applied) and the address remembered for a while, so the producer's wait for
 * metadata (bounded by {@code max.block.ms}) is paid once per bad address, not once per request.
 * A reply Kafka accepted but could not deliver in time is sent again, and its batch stays
 * unanswered meanwhile, so a restart answers it too ({@link UnansweredBatches}).
 *
 * <p>{@link #send} and {@link #resendFailed} run on the worker's loop thread; completions arrive on
 * the producer's thread.
 */
final class ReplySender {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);
    /** Long enough that a stream of bad requests costs little; short enough that a topic created later is used soon. */
    static final long BAD_ADDRESS_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_REMEMBERED = 10_000;

    private record Failed(ProducerRecord<byte[], byte[]> reply, UnansweredBatches.Batch batch) {
    }

    private final Producer<byte[], byte[]> producer;
    private final String replicaId;
    private final WorkerMetrics metrics;
    /** Address ("topic" or "topic-partition") -> why, and until when (System.nanoTime). Loop thread only. */
    private final Map<String, BadAddress> badAddresses = new LinkedHashMap<>();
    private final Queue<Failed> failed = new ConcurrentLinkedQueue<>();

    private record BadAddress(String reason, long untilNanos) {
    }

    ReplySender(Producer<byte[], byte[]> producer, String replicaId, WorkerMetrics metrics) {
        this.producer = producer;
        this.replicaId = replicaId;
        this.metrics = metrics;
    }

    /** Sends one reply of {@code batch}; the batch learns when it is delivered or can never be. */
    void send(ProducerRecord<byte[], byte[]> reply, UnansweredBatches.Batch batch) {
        String bad = knownBad(reply);
        if (bad != null) {
            metrics.replyUndeliverable();
            log.debug("Replica {} drops a reply to {}: {}", replicaId, address(reply), bad);
            batch.replyDone();
            return;
        }
        Thread caller = Thread.currentThread();
        producer.send(reply, (meta, error) -> {
            if (error == null) {
                batch.replyDone();
            } else if (Thread.currentThread() == caller) {
                // Called back before send() returned: Kafka would not even take the record.
                rejected(reply, error, batch);
            } else if (error instanceof RetriableException) {
                metrics.replyFailed();
                log.warn("Replica {} could not deliver a reply to {}-{} ({}); sending it again",
                        replicaId, reply.topic(), reply.partition(), error.getMessage());
                failed.add(new Failed(reply, batch));
            } else {
                undeliverable(reply, error.getMessage(), batch);
            }
        });
    }

    /** Sends again, from the loop thread, the replies whose delivery failed since the last call. */
    void resendFailed() {
        for (Failed f = failed.poll(); f != null; f = failed.poll()) {
            send(f.reply(), f.batch());
        }
    }

    private void rejected(ProducerRecord<byte[], byte[]> reply, Exception error, UnansweredBatches.Batch batch) {
        if (error instanceof BufferExhaustedException) {
            // Kafka is slow, not the address bad: try again next turn.
            metrics.replyFailed();
            failed.add(new Failed(reply, batch));
            return;
        }
        String reason = error.getMessage();
        if (error instanceof TimeoutException || error instanceof InvalidTopicException) {
            // The topic or partition could not be found within max.block.ms: the address is bad.
            remember(address(reply), reason);
        }
        undeliverable(reply, reason, batch);
    }

    private String knownBad(ProducerRecord<byte[], byte[]> reply) {
        try {
            Topic.validate(reply.topic());
        } catch (InvalidTopicException e) {
            return "illegal reply topic name: " + e.getMessage();
        }
        BadAddress bad = badAddresses.get(address(reply));
        if (bad == null) {
            return null;
        }
        if (System.nanoTime() - bad.untilNanos() > 0) {
            badAddresses.remove(address(reply));
            return null;
        }
        return bad.reason();
    }

    private void remember(String address, String reason) {
        long now = System.nanoTime();
        if (badAddresses.size() >= MAX_REMEMBERED) {
            // Expired ones first, then the oldest: hostile input cannot grow it without bound.
            badAddresses.values().removeIf(b -> now - b.untilNanos() > 0);
            Iterator<String> oldest = badAddresses.keySet().iterator();
            while (badAddresses.size() >= MAX_REMEMBERED && oldest.hasNext()) {
                oldest.next();
                oldest.remove();
            }
        }
        badAddresses.put(address, new BadAddress(reason, now + BAD_ADDRESS_MEMORY_NANOS));
    }

    private static String address(ProducerRecord<byte[], byte[]> reply) {
        return reply.partition() == null ? reply.topic() : reply.topic() + "-" + reply.partition();
    }

    private void undeliverable(ProducerRecord<byte[], byte[]> reply, String reason, UnansweredBatches.Batch batch) {
        metrics.replyUndeliverable();
        log.warn("Replica {} drops a reply to {}{}: {}", replicaId, reply.topic(),
                reply.partition() == null ? "" : "-" + reply.partition(), reason);
        batch.replyDone();
    }
}
