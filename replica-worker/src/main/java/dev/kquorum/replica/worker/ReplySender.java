package dev.kquorum.replica.worker;

import java.time.Duration;
import java.util.Properties;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.protocol.ReplyAddress;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a process's replies with a producer of their own, outside the tasks' transactions. A
 * reply is not state: coordinators read replies uncommitted, so it would gain nothing from the
 * transaction, and it would cost it everything, because under exactly-once any record Kafka
 * refuses aborts the whole transaction and brings the same requests back. A requester can name a
 * reply topic Kafka refuses a reply on (compacted, so a keyless record is invalid; records
 * smaller than the reply; deleted after it was looked up), which would then stop the replica for
 * good. Here a refused reply is dropped and counted, as its requester's timeout expects; the
 * request stays applied.
 *
 * <p>Answering before the commit is safe because a replay decides as the first run did: a
 * version is judged by the time Kafka appended its request ({@code TopicGuard#checkTimestamps}),
 * not by this host's clock, so an aborted transaction's requests apply again the same way.
 */
final class ReplySender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);
    /**
     * How long a send may hold the stream thread: for a reply topic's metadata (the topic was just
     * looked up, so only one deleted since waits) or for room in the producer's buffer.
     */
    private static final String MAX_BLOCK_MS = "500";
    /**
     * How long a reply may wait to be delivered before it is dropped: longer than any requester
     * waits for it, and short, so that replies Kafka keeps refusing for a passing reason (a topic
     * without enough in-sync replicas) do not fill the buffer for the default two minutes.
     */
    private static final String DELIVERY_TIMEOUT_MS = "10000";
    private static final String REQUEST_TIMEOUT_MS = "5000";

    private final KafkaProducer<byte[], byte[]> producer;
    private final ReplyTopics replyTopics;
    private final WorkerMetrics metrics;
    private final String replicaId;

    ReplySender(KafkaSettings kafka, String clientId, ReplyTopics replyTopics, WorkerMetrics metrics, String replicaId) {
        Properties p = kafka.producer(clientId + "-replies");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        this.producer = new KafkaProducer<>(p);
        this.replyTopics = replyTopics;
        this.metrics = metrics;
        this.replicaId = replicaId;
    }

    /** Sends {@code body} to the address its request named; never throws, never blocks for long. */
    void send(ReplyAddress address, byte[] body, Headers headers) {
        try {
            producer.send(new ProducerRecord<byte[], byte[]>(address.topic(), address.partition(), null, null, body, headers), (meta, error) -> {
                if (error != null) {
                    dropped(address, error);
                }
            });
        } catch (RuntimeException e) {
            dropped(address, e);
        }
    }

    private void dropped(ReplyAddress address, Exception error) {
        metrics.replyUndeliverable();
        replyTopics.forget(address.topic());
        log.warn("Replica {}: a reply to {}-{} could not be delivered and is dropped ({}); its request stays applied",
                replicaId, address.topic(), address.partition(), error.toString());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
