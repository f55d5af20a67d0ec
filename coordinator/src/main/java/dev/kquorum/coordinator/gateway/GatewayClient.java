package dev.kquorum.coordinator.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.nio.ByteBuffer;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.ExternalResponse;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplyAddress;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A client of the request topic, as any external system would be: it publishes a JSON request
 * with a correlation id and waits for the answer on the response topic. It needs only the
 * bootstrap address. Used by {@code kquorum put/get/delete}; one request at a time.
 */
public final class GatewayClient implements AutoCloseable {

    private final TopicNames topics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;

    public GatewayClient(KafkaSettings kafka, TopicNames topics) {
        this.topics = topics;
        TopicAdmin.ensure(kafka, java.util.Map.of(topics.responses(), 1));
        String clientId = "kq-cli-" + UUID.randomUUID();
        this.producer = new KafkaProducer<>(kafka.producer(clientId));
        this.consumer = new KafkaConsumer<>(kafka.consumer(clientId, null));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topics.responses(), Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the positions now, so that no answer published after this point is missed.
        partitions.forEach(consumer::position);
    }

    /** Sends the request and waits for its answer; empty if none came within {@code wait}. */
    public Optional<ExternalResponse> call(ExternalRequest request, Duration wait) {
        byte[] correlation = ByteBuffer.allocate(16).putLong(System.nanoTime()).putLong(UUID.randomUUID().getLeastSignificantBits()).array();
        RecordHeaders headers = new RecordHeaders();
        new ReplyAddress(topics.responses(), null, correlation).writeTo(headers);
        producer.send(new ProducerRecord<>(topics.requests(), null, null, KqHeaders.utf8(request.key()),
                ProtocolCodec.encode(request), headers));
        producer.flush();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (Arrays.equals(correlation, KqHeaders.bytes(r.headers(), KqHeaders.CORRELATION_ID))) {
                    try {
                        return Optional.of(ProtocolCodec.decodeExternalResponse(r.value()));
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
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
