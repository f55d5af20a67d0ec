package dev.kquorum.replica.worker;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a replica does when Kafka will not take a record it sends, by what the record is:
 * <ul>
 *   <li>a reply: dropped and counted (the requester named an address that cannot be written to,
 *   or it went away; the request itself is applied, and the requester times out and retries);</li>
 *   <li>a dead letter that cannot be written whole (too large once the reason is added): a small
 *   reference to its record is written instead, so no single record can stop a replica;</li>
 *   <li>anything else (the store's changelog, a dead letter Kafka refuses for a passing reason):
 *   the task fails and processes its records again from the last commit, rather than lose them.</li>
 * </ul>
 */
public final class ReplicaProductionErrors implements ProductionExceptionHandler {

    /** Streams config key for the {@link WorkerMetrics} to count on (passed as an object). */
    static final String METRICS = "kquorum.worker.metrics";
    /** Streams config key: the replica's dead-letter topic. */
    static final String DLQ_TOPIC = "kquorum.worker.dlq.topic";

    private static final Logger log = LoggerFactory.getLogger(ReplicaProductionErrors.class);

    private WorkerMetrics metrics;
    private String dlqTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        metrics = (WorkerMetrics) configs.get(METRICS);
        dlqTopic = String.valueOf(configs.get(DLQ_TOPIC));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception error) {
        if (record.topic().equals(dlqTopic)) {
            if (DeadLetterReference.cannotBeWrittenWhole(error) && !record.headers().headers(DeadLetterReference.HEADER).iterator().hasNext()) {
                log.warn("The dead letter of {} cannot be written whole ({}); writing a reference to it",
                        context.topic() + "-" + context.partition() + "@" + context.offset(), error.getMessage());
                if (metrics != null) {
                    metrics.deadLetterReference();
                }
                return Response.resume(List.of(DeadLetterReference.of(record, error)));
            }
            log.error("Cannot write a dead letter to {} ({}); the task stops and processes its records again rather than"
                    + " lose one. Check that the topic exists and is writable", dlqTopic, error.toString());
            return Response.fail();
        }
        if (record.topic().endsWith("-changelog")) {
            return Response.fail();
        }
        if (metrics != null) {
            metrics.replyUndeliverable();
        }
        log.warn("A reply to {}-{} could not be delivered and is dropped ({}); its request stays applied",
                record.topic(), record.partition(), error.toString());
        return Response.resume();
    }
}
