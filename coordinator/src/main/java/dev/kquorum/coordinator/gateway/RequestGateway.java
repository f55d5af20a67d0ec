package dev.kquorum.coordinator.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.api.QuorumClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integration point: JSON requests from any Kafka client on {@code <prefix>.requests}, answered
 * on the topic the request names ({@code kafka_replyTopic}, default {@code <prefix>.responses}),
 * Spring Kafka's request-reply convention. Coordinators consume the request topic as one group.
 * Bad input is answered INVALID, or dead-lettered when no answer can be delivered, and never holds
 * up the requests behind it. An offset is committed only after the answers up to it are published.
 */
public final class RequestGateway implements AutoCloseable {

    /** Partitions of the request topic when the gateway creates it: room for four gateways to share the load. */
    public static final int REQUEST_PARTITIONS = 4;


    private static final Logger log = LoggerFactory.getLogger(RequestGateway.class);
    /**
     * How long a send may block a responder thread. Answers go only to topics that
     * {@link ReplyTopics} found, so metadata comes at once from a healthy cluster; this bounds the
     * wait when Kafka is not healthy (Kafka's default is 60 s).
     */
    private static final String MAX_BLOCK_MS = "1000";
    /** Tries at writing a dead letter before the request is left for redelivery. */
    private static final int DEAD_LETTER_ATTEMPTS = 3;

    private static final Duration FIRST_ASSIGNMENT_TIMEOUT = Duration.ofSeconds(15);
    /**
     * How often answered offsets are committed, at most. A commit after every poll was thousands
     * of commits a second under load, each a write to {@code __consumer_offsets} on the broker.
     * A crash redelivers at most this much more, which a request's identity makes harmless; a
     * rebalance and a clean close commit at once. (Measured with bench on a shared 2-core host:
     * CPU per put through the request topic at c=32 went from 664 µs to 442-675 µs; the spread
     * between runs is as large as the gain.)
     */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);

    private final QuorumClient client;
    /** The request topic's id: part of a request's default identity. */
    private final String requestTopicId;
    private final TopicNames topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final OffsetTracker offsets = new OffsetTracker();
    /** Answers are published off the coordinator's I/O thread: a slow reply topic must not hold it. */
    private final ExecutorService responders = Executors.newFixedThreadPool(2, r -> new Thread(r, "kq-gateway-responder"));
    private final ReplyTopics replyTopics;
    private final Counter deadLetters;
    /** Answers by status, looked up once rather than per request. */
    private final Map<Status, Counter> answered = new EnumMap<>(Status.class);
    private final Thread loop;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the loop ended on an error; null while it runs or after a clean close. */
    private volatile String failure;
    /** Touched only on the loop thread (commitAsync callbacks run inside poll). */
    private boolean commitInFlight;
    private long lastCommitNanos;
    private final PartitionOwnership ownership;
    private final CompletableFuture<String> loopFailure = new CompletableFuture<>();

    private RequestGateway(QuorumClient client, KafkaSettings kafka, TopicNames topics, String clientId, MeterRegistry registry,
                           String requestTopicId) {
        this.client = client;
        this.requestTopicId = requestTopicId;
        this.topics = topics;
        for (Status status : Status.values()) {
            answered.put(status, Counter.builder("kquorum.gateway.requests").tag("status", status.name())
                    .description("Requests answered by the gateway, by status").register(registry));
        }
        this.consumer = new KafkaConsumer<>(GatewayMembership.consumer(kafka, clientId, topics.gatewayGroup()));
        this.ownership = new PartitionOwnership(consumer);
        var producerProps = kafka.producer(clientId);
        producerProps.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        this.producer = new KafkaProducer<>(producerProps);
        this.replyTopics = new ReplyTopics(kafka, clientId, "Gateway " + clientId);
        this.deadLetters = Counter.builder("kquorum.gateway.dlq")
                .description("Requests that could not be answered, sent to the dead-letter topic").register(registry);
        this.loop = new Thread(this::run, clientId);
    }

    /** Creates the gateway's topics when absent and starts consuming requests. */
    public static RequestGateway start(QuorumClient client, KafkaSettings kafka, TopicNames topics, String clientId,
                                       MeterRegistry registry) {
        GatewayTopics.prepare(kafka, topics);
        RequestGateway gateway = new RequestGateway(client, kafka, topics, clientId, registry,
                TopicAdmin.topicId(kafka, topics.requests()));
        gateway.consumer.subscribe(List.of(topics.requests()), gateway.new Rebalance());
        gateway.loop.start();
        log.info("Gateway {} consuming {} as group {}", clientId, topics.requests(), topics.gatewayGroup());
        // A request published before this gateway owns its partition counts as maybe taken up before
        // (a linearizable put then needs an earlier execution's write): be in the group before
        // anyone is told the gateway is up.
        try {
            if (!gateway.ownership.awaitFirst(FIRST_ASSIGNMENT_TIMEOUT)) {
                log.warn("Gateway {} has no partitions of {} after {} s; it goes on joining group {}, and requests published"
                        + " until it does count as maybe taken up before", clientId, topics.requests(),
                        FIRST_ASSIGNMENT_TIMEOUT.toSeconds(), topics.gatewayGroup());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return gateway;
    }

    /** False once the loop has ended (closed, or failed). */
    public boolean isRunning() {
        return running && loop.isAlive();
    }

    /** Why the loop ended on an error, or null. */
    public String failure() {
        return failure;
    }

    /** Completes with {@link #failure()} if the loop ever fails; never on a clean close. */
    public CompletableFuture<String> loopFailure() {
        return loopFailure.copy();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            var commit = offsets.committable();
            if (!commit.isEmpty()) {
                consumer.commitSync(commit);
                offsets.committed(commit);
            }
            partitions.forEach(offsets::forget);
            ownership.revoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            ownership.assigned(partitions);
        }
    }

    /**
     * Commits what is answered, one commit at a time and at most every {@link #COMMIT_INTERVAL};
     * an offset counts as committed only when Kafka confirms it, so a failed commit is tried again
     * on a later turn.
     */
    private void commitAnswered() {
        long now = System.nanoTime();
        if (commitInFlight || now - lastCommitNanos < COMMIT_INTERVAL.toNanos()) {
            return;
        }
        lastCommitNanos = now;
        var commit = offsets.committable();
        if (commit.isEmpty()) {
            return;
        }
        commitInFlight = true;
        consumer.commitAsync(commit, (done, error) -> {
            commitInFlight = false;
            if (error == null) {
                offsets.committed(commit);
            } else {
                log.warn("Gateway offset commit failed, retrying on the next turn (until it succeeds, requests may be"
                        + " answered again after a restart or rebalance): {}", error.getMessage());
            }
        });
    }

    private void run() {
        try {
            while (running) {
                ownership.learnMissing();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    handle(record);
                }
                commitAnswered();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException | Error e) {
            failure = "gateway loop failed: " + describe(e);
            running = false;
            log.error("Gateway {}; requests are no longer consumed, and those not yet answered will be redelivered"
                    + " to a coordinator of group {}. Restart the process", failure, topics.gatewayGroup(), e);
            loopFailure.complete(failure);
        }
    }

    /** The exception and its root cause, which is usually what an operator needs. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        offsets.started(tp, record.offset());
        ReplyAddress address;
        try {
            address = replyAddress(record);
        } catch (ProtocolException e) {
            responders.execute(() -> deadLetter(record, tp, e.getMessage()));
            return;
        }
        ExternalRequest request;
        try {
            request = ProtocolCodec.decodeExternalRequest(record.value());
        } catch (ProtocolException e) {
            answer(record, tp, address, Outcome.invalid(null, null, e.getMessage()));
            return;
        }
        ExternalRequest identified = RequestIdentity.of(request, requestTopicId, record.partition(), record.offset(),
                record.timestamp(), ownership.maybeTakenUpBefore(tp, record.offset()));
        client.execute(identified).whenComplete((outcome, error) -> answer(record, tp, address, error == null
                ? outcome
                : Outcome.invalid(request.op(), request.key(), "internal error: " + error.getMessage())));
    }

    /**
     * Where to answer: the request's reply headers, else the default response topic. The client's
     * correlation id is echoed as it came, whatever its form (a Spring ReplyingKafkaTemplate's, say).
     */
    private ReplyAddress replyAddress(ConsumerRecord<byte[], byte[]> record) {
        ReplyAddress address = ReplyAddress.from(record.headers(), topics.responses());
        try {
            Topic.validate(address.topic());
        } catch (RuntimeException e) {
            throw new ProtocolException("header '" + KqHeaders.REPLY_TOPIC + "': " + e.getMessage());
        }
        return address;
    }

    private void answer(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, ReplyAddress address, Outcome response) {
        answered.get(response.status()).increment();
        // Waits, without holding a thread, for this topic's lookup only; a bad reply topic costs
        // its own requests and no others.
        replyTopics.partitions(address.topic()).whenCompleteAsync((partitions, lookupError) -> {
            if (lookupError != null) {
                Throwable cause = lookupError.getCause() != null ? lookupError.getCause() : lookupError;
                deadLetter(record, tp, "cannot answer on " + address.topic() + ": " + cause.getMessage());
                return;
            }
            if (address.partition() != null && address.partition() >= partitions) {
                deadLetter(record, tp, "header '" + KqHeaders.REPLY_PARTITION + "': partition " + address.partition()
                        + " does not exist in " + address.topic() + " (" + partitions + " partitions)");
                return;
            }
            try {
                RecordHeaders headers = new RecordHeaders();
                address.echoTo(headers);
                producer.send(new ProducerRecord<>(address.topic(), address.partition(), null, record.key(),
                        ProtocolCodec.encode(response), headers), (meta, error) -> {
                            if (error == null) {
                                offsets.answered(tp, record.offset());
                            } else {
                                replyTopics.forget(address.topic());
                                responders.execute(() -> deadLetter(record, tp, "cannot answer on " + address.topic() + ": " + error.getMessage()));
                            }
                        });
            } catch (RuntimeException e) {
                replyTopics.forget(address.topic());
                deadLetter(record, tp, "cannot answer on " + address.topic() + ": " + e.getMessage());
            }
        }, responders);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, String reason) {
        log.warn("Gateway dead-letters {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        deadLetters.increment();
        deadLetter(record, tp, reason, 1);
    }

    /**
     * Writes the dead letter; only once it is written does the request count as done. A failed
     * write is tried again a few times, then the request stays unanswered: its offset is not
     * committed, so it is redelivered after a restart or rebalance rather than lost without a trace.
     */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, String reason, int attempt) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(KqHeaders.ERROR, reason.getBytes(UTF_8));
        try {
            producer.send(new ProducerRecord<>(topics.requestsDlq(), null, null, record.key(), record.value(), headers), (meta, error) -> {
                if (error == null) {
                    offsets.answered(tp, record.offset());
                } else {
                    deadLetterFailed(record, tp, reason, attempt, error);
                }
            });
        } catch (RuntimeException e) {
            deadLetterFailed(record, tp, reason, attempt, e);
        }
    }

    private void deadLetterFailed(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, String reason, int attempt, Throwable error) {
        if (attempt < DEAD_LETTER_ATTEMPTS && running) {
            log.warn("Gateway could not dead-letter {}-{}@{} (attempt {} of {}), trying again in {} s: {}", record.topic(),
                    record.partition(), record.offset(), attempt, DEAD_LETTER_ATTEMPTS, attempt, error.getMessage());
            CompletableFuture.runAsync(() -> deadLetter(record, tp, reason, attempt + 1),
                    CompletableFuture.delayedExecutor(attempt, TimeUnit.SECONDS, responders));
            return;
        }
        log.error("Gateway could not dead-letter {}-{}@{} ({}) after {} attempts: {}. It stays unanswered, and offsets of"
                + " {} are not committed past it, so it is redelivered after a restart or rebalance. Check that {} exists"
                + " and is writable", record.topic(), record.partition(), record.offset(), reason, attempt, error.getMessage(),
                tp, topics.requestsDlq());
    }

    @Override
    public void close() {
        // Not the running flag: a loop that failed still has clients to close.
        if (closed.getAndSet(true)) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        responders.shutdown();
        try {
            responders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        replyTopics.close();
        var commit = offsets.committable();
        try {
            if (!commit.isEmpty()) {
                consumer.commitSync(commit, Duration.ofSeconds(5));
            }
        } catch (RuntimeException e) {
            log.warn("Gateway could not commit its last offsets: {}", e.getMessage());
        } finally {
            // A static member does not leave on a plain close; this one does, so that a peer takes
            // its partitions now rather than after the session timeout.
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(5)));
        }
    }
}
