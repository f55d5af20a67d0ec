package dev.kquorum.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The floor of the request topic's path, built from the same parts with no kquorum logic: a relay
 * reads a request topic (as many partitions as {@code kq.requests}), fans each request out to N
 * echo topics ({@link EchoBaseline}), waits for W echoes and answers on the reply topic the
 * request names. Four hops, as through the gateway: client to relay, relay to echo, echo to
 * relay, relay to client. It parses no JSON and answers with fixed bytes of an answer's size.
 */
final class RelayBaseline implements AutoCloseable {

    private static final byte[] ANSWER = ProtocolCodec.encode(new Outcome(Status.OK, Op.PUT, "key-1", null,
            Version.parse("1795694522319.0@bench~0000"), 2, 2, List.of("r1", "r2"), null));

    private final String requestTopic;
    private final EchoBaseline echo;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ConsumerLoop loop;
    private long relayed;

    RelayBaseline(KafkaSettings kafka, String prefix, int requestPartitions, int n, int w) {
        requestTopic = prefix + ".relay.requests";
        TopicAdmin.ensure(kafka, Map.of(requestTopic, requestPartitions));
        echo = new EchoBaseline(kafka, prefix + ".relay", n, w);
        producer = new KafkaProducer<>(kafka.producer("bench-relay"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < requestPartitions; p++) {
            partitions.add(new TopicPartition(requestTopic, p));
        }
        loop = new ConsumerLoop("bench-relay", new KafkaConsumer<>(kafka.consumer("bench-relay", null)), partitions, this::relay);
    }

    String requestTopic() {
        return requestTopic;
    }

    private void relay(ConsumerRecord<byte[], byte[]> request) {
        ReplyAddress replyTo = Envelope.from(request.headers()).replyTo();
        echo.call(++relayed, request.key(), request.value()).thenRun(() -> {
            RecordHeaders headers = new RecordHeaders();
            replyTo.echoTo(headers);
            producer.send(new ProducerRecord<>(replyTo.topic(), replyTo.partition(), null, null, ANSWER, headers));
        });
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        producer.close(Duration.ofSeconds(2));
        echo.close();
    }
}
