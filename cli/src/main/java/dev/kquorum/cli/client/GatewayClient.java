package dev.kquorum.cli.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.KafkaUnavailableException;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A client of the request topic, as any external system would be: it publishes a JSON request
 * with a correlation id and waits for the answer on the response topic. It needs only the
 * bootstrap address and the rights to write the request topic and read the response topic; it
 * creates no topic (a client has no such right on a secured cluster: the coordinator creates
 * them). Used by {@code kquorum put/get/delete}; one request at a time.
 */
public final class GatewayClient implements AutoCloseable {

    private final KafkaSettings kafka;
    private final TopicNames topics;
    private final Duration connectTimeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Tells this client's answers on the shared response topic from other clients'. */
    private final long incarnation = CorrelationId.newIncarnation();
    private long calls;

    public GatewayClient(KafkaSettings kafka, TopicNames topics) {
        this(kafka, topics, Duration.ofSeconds(30));
    }

    /**
     * Connects and finds both topics, within {@code connectTimeout}.
     *
     * @throws KafkaUnavailableException when Kafka does not answer in time, refuses access, or
     *                                   lacks the request or response topic
     */
    public GatewayClient(KafkaSettings kafka, TopicNames topics, Duration connectTimeout) {
        this.kafka = kafka;
        this.topics = topics;
        this.connectTimeout = connectTimeout;
        String clientId = "kq-cli-" + UUID.randomUUID();
        Properties producerProps = kafka.producer(clientId);
        // A send waits for metadata up to max.block.ms (60 s by default): bound it by our own budget.
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(connectTimeout.toMillis()));
        Properties consumerProps = kafka.consumer(clientId, null);
        // Looking up a missing topic must not create it with the broker's defaults.
        consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        try {
            this.producer = new KafkaProducer<>(producerProps);
        } catch (KafkaException e) {
            throw KafkaUnavailableException.from(e, kafka, connectTimeout,
                    "to connect, read " + topics.responses() + " and look up " + topics.requests());
        }
        try {
            this.consumer = new KafkaConsumer<>(consumerProps);
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw KafkaUnavailableException.from(e, kafka, connectTimeout,
                    "to connect, read " + topics.responses() + " and look up " + topics.requests());
        }
        try {
            long deadline = System.nanoTime() + connectTimeout.toNanos();
            List<TopicPartition> partitions = partitionsOf(topics.responses(), deadline);
            partitionsOf(topics.requests(), deadline);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // Resolve the positions now, so that no answer published after this point is missed.
            partitions.forEach(tp -> consumer.position(tp, remaining(deadline)));
        } catch (KafkaException e) {
            close(Duration.ZERO);
            throw KafkaUnavailableException.from(e, kafka, connectTimeout,
                    "to connect, read " + topics.responses() + " and look up " + topics.requests());
        } catch (KafkaUnavailableException e) {
            close(Duration.ZERO);
            throw e;
        }
    }

    private List<TopicPartition> partitionsOf(String topic, long deadline) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, remaining(deadline))) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        if (partitions.isEmpty()) {
            throw KafkaUnavailableException.missingTopic(topic, kafka.bootstrapServers());
        }
        return partitions;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Sends the request and waits for its answer; empty if none came within {@code wait}. */
    public Optional<Outcome> call(ExternalRequest request, Duration wait) {
        CorrelationId correlation = new CorrelationId(incarnation, ++calls);
        Envelope envelope = Envelope.request(correlation, topics.responses(), null, null);
        try {
            producer.send(new ProducerRecord<>(topics.requests(), null, null, KqHeaders.utf8(request.key()),
                    ProtocolCodec.encode(request), envelope.headers())).get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw KafkaUnavailableException.from(e.getCause(), kafka, connectTimeout,
                    "to write a request to " + topics.requests());
        } catch (TimeoutException e) {
            throw KafkaUnavailableException.from(e, kafka, connectTimeout,
                    "to write a request to " + topics.requests());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (correlation.equals(CorrelationId.of(r.headers()))) {
                    try {
                        return Optional.of(ProtocolCodec.decodeOutcome(r.value()));
                    } catch (ProtocolException e) {
                        throw new IllegalStateException("the answer could not be read: " + e.getMessage(), e);
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private void close(Duration wait) {
        producer.close(wait);
        consumer.close(wait);
    }
}
