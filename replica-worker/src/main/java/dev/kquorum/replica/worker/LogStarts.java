package dev.kquorum.replica.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kquorum.common.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first offset a partition still holds: what tells records deleted before a replica applied
 * them from offsets it never sees because they were never requests (a transactional producer's
 * commit markers and aborted records, which a read_committed consumer skips). Looked up only when
 * a task meets a gap, so its client is made on first use.
 */
final class LogStarts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogStarts.class);
    private static final long WAIT_SECONDS = 10;

    private final KafkaSettings kafka;
    private final String clientId;
    private Admin admin;

    LogStarts(KafkaSettings kafka, String clientId) {
        this.kafka = kafka;
        this.clientId = clientId;
    }

    /** The partition's log start offset, or -1 when Kafka does not say within 10 s. */
    synchronized long of(TopicPartition tp) {
        try {
            if (admin == null) {
                admin = Admin.create(kafka.admin(clientId + "-log-starts"));
            }
            return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get(WAIT_SECONDS, TimeUnit.SECONDS)
                    .offset();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Cannot read the log start of {}: {}", tp, e instanceof ExecutionException ? e.getCause() : "no answer in 10 s");
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
