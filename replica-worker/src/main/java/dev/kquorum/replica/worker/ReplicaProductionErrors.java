package dev.kquorum.replica.worker;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a replica does when Kafka will not take a record of a task's transaction: a changelog
 * record or a dead letter (replies leave outside it, by {@link ReplySender}, and a dead letter too
 * large to write whole was already made a reference by the processor). Neither may be dropped, and
 * under exactly-once a refused record aborts the transaction anyway: a passing failure (a broker
 * restarting, a leader moving) is retried, which aborts the transaction and processes its records
 * again from the last commit; anything else stops the worker, naming the topic, rather than lose
 * a record.
 */
public final class ReplicaProductionErrors implements ProductionExceptionHandler {

    /** Streams config key: the replica's dead-letter topic. */
    static final String DLQ_TOPIC = "kquorum.worker.dlq.topic";

    private static final Logger log = LoggerFactory.getLogger(ReplicaProductionErrors.class);

    private String dlqTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        dlqTopic = String.valueOf(configs.get(DLQ_TOPIC));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception error) {
        if (error instanceof RetriableException) {
            log.warn("Kafka did not take a record for {} ({}); the task processes its records again from its last commit",
                    record.topic(), error.toString());
            return Response.retry();
        }
        log.error("Kafka refuses records for {} ({}); the worker stops rather than lose one.{}", record.topic(), error.toString(),
                record.topic().equals(dlqTopic) ? " Check that the dead-letter topic exists and is writable" : "");
        return Response.fail();
    }
}
