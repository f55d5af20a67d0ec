package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What becomes of a reply that Kafka accepted and then failed to deliver. A single local broker
 * cannot be made to fail a delivery and then recover (an acks=all write to a one-replica topic
 * succeeds whatever min.insync.replicas says), so these use kafka-clients' own MockProducer,
 * whose callbacks arrive, as the real producer's do, on another thread than the send.
 */
class ReplySenderTest {

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplySender sender = new ReplySender(producer, "r1", new WorkerMetrics(registry, "r1"));
    private final UnansweredBatches batches = new UnansweredBatches();

    private static ProducerRecord<byte[], byte[]> reply() {
        return new ProducerRecord<>("kq.replies", 0, null, "answer".getBytes(UTF_8));
    }

    /** From the producer's thread, as the real producer's callbacks come. */
    private static void onProducerThread(Runnable r) throws InterruptedException {
        Thread t = new Thread(r, "producer-network");
        t.start();
        t.join();
    }

    /**
     * Defect 12 of issue 10: such a reply was dropped, so its coordinator waited out its timeout
     * although the write was applied. Now it is sent again, and its batch stays unanswered (so a
     * restart would replay it) until it is delivered. (Failed before ReplySender kept failed
     * replies: one send only, and the batch counted as answered.)
     */
    @Test
    void aReplyKafkaCouldNotDeliverIsSentAgainAndItsBatchWaitsForIt() throws InterruptedException {
        UnansweredBatches.Batch batch = batches.committed(Map.of(0, 100L), 1);
        sender.send(reply(), batch);
        onProducerThread(() -> producer.errorNext(new TimeoutException("Expiring 1 record(s) for kq.replies-0")));
        assertThat(batches.replayFrom(Map.of(0, 101L))).as("still unanswered: a restart replays it").isEqualTo(Map.of(0, 100L));

        sender.resendFailed();
        assertThat(producer.history()).as("sent again").hasSize(2);
        onProducerThread(producer::completeNext);
        assertThat(batches.replayFrom(Map.of(0, 101L))).as("answered").isEqualTo(Map.of(0, 101L));
        assertThat(registry.get("kquorum.worker.replies.failed").counter().count()).isEqualTo(1);
        assertThat(registry.get("kquorum.worker.replies.undeliverable").counter().count()).isZero();
    }

    /** A reply Kafka refuses for good is dropped once, counted, and does not hold its batch. */
    @Test
    void aReplyKafkaRefusesForGoodIsDroppedAndItsBatchCountsAsAnswered() throws InterruptedException {
        UnansweredBatches.Batch batch = batches.committed(Map.of(0, 100L), 1);
        sender.send(reply(), batch);
        onProducerThread(() -> producer.errorNext(new RecordTooLargeException("too large")));
        sender.resendFailed();
        assertThat(producer.history()).hasSize(1);
        assertThat(batches.replayFrom(Map.of(0, 101L))).isEqualTo(Map.of(0, 101L));
        assertThat(registry.get("kquorum.worker.replies.undeliverable").counter().count()).isEqualTo(1);
    }
}
