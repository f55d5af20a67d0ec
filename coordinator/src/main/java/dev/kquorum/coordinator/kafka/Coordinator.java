package dev.kquorum.coordinator.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.ReplicaTopicSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.kafka.TopicReplicationCheck;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.SteadyClock;
import dev.kquorum.coordinator.api.QuorumClient;
import dev.kquorum.coordinator.call.CoordinatorCore;
import dev.kquorum.coordinator.call.Effects;
import dev.kquorum.coordinator.call.Outbound;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.call.Versions;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator at the Kafka edge: it drives a {@link CoordinatorCore} with operations from
 * callers, replies from its own partition of the reply topic (assigned, no consumer group: no
 * rebalance can take replies away from it) and a clock tick, and carries out what the core
 * decides: requests to {@code <prefix>.replica.<id>} and completed futures.
 *
 * <p>Requests carry an {@link Envelope} whose {@link CorrelationId} holds a random incarnation and
 * the call and round ({@link dev.kquorum.coordinator.call.Correlation}), so replies meant for
 * another coordinator that was given the same partition by mistake, or for an earlier run of this
 * one, are ignored.
 */
public final class Coordinator implements QuorumClient {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
    private static final Duration POLL = Duration.ofMillis(20);
    /**
     * How long a send may wait for a topic's metadata or for buffer space. Kafka's default of 60 s
     * would stall the caller, or the I/O loop, behind one topic that Kafka cannot serve; replica
     * topics exist before the first send, so a healthy cluster answers well within this.
     */
    static final String SEND_MAX_BLOCK_MS = "1000";
    /** After a send to a topic failed, sends to it are skipped for this long: each retry would block again. */
    private static final long UNSERVABLE_BACKOFF_NANOS = Duration.ofSeconds(5).toNanos();

    private final CoordinatorConfig config;
    private final CoordinatorCore core;
    /** The core's one time input: wall time that never steps ({@link SteadyClock}), so timeouts hold when the wall clock does. */
    private final LongSupplier clock;
    private final CoordinatorMetrics metrics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> replies;
    private final long incarnation = CorrelationId.newIncarnation();
    private final AtomicLong callIds = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, String> replicaTopics = new HashMap<>();
    /** Replica topics whose last send failed at once, and until when (System.nanoTime) they are skipped. */
    private final Map<String, Long> unservableUntil = new ConcurrentHashMap<>();
    private final Thread loop;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the I/O loop ended on an error; null while it runs or after a clean close. */
    private volatile String failure;
    private final CompletableFuture<String> loopFailure = new CompletableFuture<>();

    private record Pending(CompletableFuture<Outcome> future, long startedNanos) {
    }

    private Coordinator(CoordinatorConfig config, MeterRegistry registry, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        // One run of this coordinator writes as <id>~<incarnation>: a restart with the same id, whose
        // clock may have stepped back, never mints a version an earlier run minted.
        this.core = new CoordinatorCore(config.replicas(),
                new Versions(config.coordinatorId() + "~" + String.format("%08x", (int) incarnation), config.maxClockOffset()),
                config.limits(), config.maxInFlight());
        this.metrics = new CoordinatorMetrics(registry, this::inFlight, this::ignoredFutureVersions);
        String clientId = "kq-coordinator-" + config.coordinatorId();
        var producerProps = config.kafka().producer(clientId);
        producerProps.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, SEND_MAX_BLOCK_MS);
        this.producer = new KafkaProducer<>(producerProps);
        this.replies = new KafkaConsumer<>(config.kafka().consumer(clientId, null));
        for (String replica : config.replicas()) {
            replicaTopics.put(replica, config.topics().replica(replica));
        }
        this.loop = new Thread(this::run, "kq-coordinator-" + config.coordinatorId());
    }

    /** Creates missing topics, takes this coordinator's reply partition and starts its I/O thread. */
    public static Coordinator start(CoordinatorConfig config, MeterRegistry registry) {
        return start(config, registry, new SteadyClock()::millis);
    }

    /** @param clock the core's time, in wall-clock milliseconds that must never step */
    static Coordinator start(CoordinatorConfig config, MeterRegistry registry, LongSupplier clock) {
        List<String> replicaTopics = ensureTopics(config.kafka(), config.topics(), config.replicas(), config.replyPartition() + 1);
        // A replica topic its workers would refuse: say so here too, before requests pile up in it.
        TopicAdmin.configs(config.kafka(), replicaTopics)
                .forEach((topic, settings) -> ReplicaTopicSettings.check(topic, settings, config.kafka().bootstrapServers()));
        List<String> used = new ArrayList<>(replicaTopics);
        used.add(config.topics().replies());
        TopicReplicationCheck.check(config.kafka(), used);
        Coordinator c = new Coordinator(config, registry, clock);
        c.fetchReplicaTopicMetadata();
        TopicPartition mine = new TopicPartition(config.topics().replies(), config.replyPartition());
        c.replies.assign(List.of(mine));
        // Replies from before this start belong to calls that no longer exist.
        c.replies.seekToEnd(List.of(mine));
        c.replies.position(mine);
        c.loop.start();
        log.info("Coordinator {} ready: replicas {}, replies on {}", config.coordinatorId(), config.replicas(), mine);
        return c;
    }

    /**
     * Creates the replica topics and the reply topic, with at least {@code replyPartitions}
     * partitions, where absent: what a coordinator does at start, and what an administrator does
     * for coordinators that may not create topics (docs/security.md).
     *
     * @return the replica topics
     */
    public static List<String> ensureTopics(KafkaSettings kafka, TopicNames topics, List<String> replicas, int replyPartitions) {
        Map<String, Integer> replicaTopics = new HashMap<>();
        replicas.forEach(r -> replicaTopics.put(topics.replica(r), TopicAdmin.REPLICA_PARTITIONS));
        TopicAdmin.ensure(kafka, replicaTopics, TopicAdmin.REPLICA_TOPIC_CONFIG);
        TopicAdmin.ensurePartitions(kafka, topics.replies(), replyPartitions);
        return List.copyOf(replicaTopics.keySet());
    }

    /** Metadata now, at start, so that the first sends do not wait for it. */
    private void fetchReplicaTopicMetadata() {
        for (String topic : replicaTopics.values()) {
            try {
                producer.partitionsFor(topic);
            } catch (RuntimeException e) {
                log.warn("Coordinator {} has no metadata for {} yet ({}); sends to it will be tried anyway",
                        config.coordinatorId(), topic, e.getMessage());
            }
        }
    }

    public CoordinatorConfig config() {
        return config;
    }

    public int inFlight() {
        return pending.size();
    }

    /** Versions seen on replicas beyond the max clock offset, which this coordinator refused to follow. */
    public long ignoredFutureVersions() {
        synchronized (core) {
            return core.ignoredFutureVersions();
        }
    }

    /** Why the I/O loop ended on an error, or null. */
    public String failure() {
        return failure;
    }

    /** Completes with {@link #failure()} if the I/O loop ever fails; never on a clean close. */
    public CompletableFuture<String> loopFailure() {
        return loopFailure.copy();
    }

    /** False once the I/O loop has ended (closed, or failed). */
    public boolean isRunning() {
        return running && loop.isAlive();
    }

    @Override
    public CompletableFuture<Outcome> execute(ExternalRequest request) {
        long callId = callIds.incrementAndGet();
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        if (!running) {
            future.complete(refusal(request));
            return future;
        }
        pending.put(callId, new Pending(future, System.nanoTime()));
        if (!running && pending.remove(callId) != null) {
            // The loop failed or closed between the check and the put, and may have missed this call.
            future.complete(refusal(request));
            return future;
        }
        Effects effects;
        synchronized (core) {
            effects = core.submit(callId, request, clock.getAsLong());
        }
        carryOut(effects);
        return future;
    }

    private Outcome refusal(ExternalRequest request) {
        String why = failure;
        if (why == null) {
            return Outcome.invalid(request.op(), request.key(), "the coordinator is closed");
        }
        return new Outcome(Status.QUORUM_NOT_REACHED, request.op(), request.key(), null, null, 0, 0, List.of(),
                why + "; nothing was sent");
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : replies.poll(POLL)) {
                    onReply(record);
                }
                Effects expired;
                synchronized (core) {
                    expired = core.onTick(clock.getAsLong());
                }
                carryOut(expired);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    /**
     * The loop cannot go on: every accepted call ends now with an error, new ones are refused, and
     * whoever watches {@link #loopFailure()} (the server commands) stops the process.
     */
    private void fail(Throwable e) {
        failure = "coordinator loop failed: " + describe(e);
        running = false;
        log.error("Coordinator {} {}; operations in flight end as QUORUM_NOT_REACHED and new ones are refused."
                + " Restart the process", config.coordinatorId(), failure, e);
        failPending(failure + "; a write may or may not have been applied");
        loopFailure.complete(failure);
    }

    private void failPending(String why) {
        for (Long callId : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(callId);
            if (p != null) {
                p.future().complete(new Outcome(Status.QUORUM_NOT_REACHED, null, null, null, null, 0, 0, List.of(), why));
            }
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

    private void onReply(ConsumerRecord<byte[], byte[]> record) {
        Long correlation = CorrelationId.sequenceFor(incarnation, record.headers());
        if (correlation == null) {
            metrics.strayReply();
            return;
        }
        ReplicaReply reply;
        try {
            reply = ProtocolCodec.decodeReplicaReply(record.value());
        } catch (ProtocolException e) {
            log.warn("Coordinator {} ignores an unreadable reply at {}-{}@{}: {}", config.coordinatorId(),
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        Effects effects;
        synchronized (core) {
            effects = core.onReply(correlation, reply, clock.getAsLong());
        }
        carryOut(effects);
    }

    /** Sends what the core asked to send and completes what it finished. */
    private void carryOut(Effects effects) {
        int repairs = 0;
        for (Outbound out : effects.send()) {
            send(out);
            if (out.isRepair()) {
                repairs++;
            }
        }
        if (repairs > 0) {
            metrics.repairsSent(repairs);
        }
        for (Effects.Completion done : effects.completed()) {
            Pending p = pending.remove(done.callId());
            if (p != null) {
                metrics.completed(done.outcome(), p.startedNanos());
                p.future().complete(done.outcome());
            }
        }
    }

    private void send(Outbound out) {
        String topic = replicaTopics.get(out.replica());
        Long skipUntil = unservableUntil.get(topic);
        if (skipUntil != null) {
            if (System.nanoTime() - skipUntil < 0) {
                // As if lost: the call ends by its quorum of other replicas or by its deadline.
                return;
            }
            unservableUntil.remove(topic, skipUntil);
        }
        Envelope envelope = Envelope.request(new CorrelationId(incarnation, out.correlation()),
                config.topics().replies(), config.replyPartition(), out.deadlineMs());
        try {
            producer.send(new ProducerRecord<>(topic, null, null, out.request().key().getBytes(UTF_8),
                    ProtocolCodec.encode(out.request()), envelope.headers()), (meta, error) -> {
                        if (error != null) {
                            log.warn("Coordinator {} could not send to {}: {}", config.coordinatorId(), topic, error.getMessage());
                        }
                    });
        } catch (RuntimeException e) {
            // Metadata or buffer space did not come within max.block.ms: the topic is missing,
            // unservable or Kafka is unreachable. Only this replica's part of the call is lost.
            unservableUntil.put(topic, System.nanoTime() + UNSERVABLE_BACKOFF_NANOS);
            log.warn("Coordinator {} cannot send to {} ({}); replica {} is skipped for {} s. Check that the topic exists"
                    + " and that Kafka is reachable", config.coordinatorId(), topic, e.getMessage(), out.replica(),
                    UNSERVABLE_BACKOFF_NANOS / 1_000_000_000L);
        }
    }

    @Override
    public void close() {
        // Not the running flag: a loop that failed still has clients to close.
        if (closed.getAndSet(true)) {
            return;
        }
        running = false;
        replies.wakeup();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending("the coordinator closed before the operation completed");
        producer.close(Duration.ofSeconds(5));
        replies.close(Duration.ofSeconds(5));
        log.info("Coordinator {} closed", config.coordinatorId());
    }
}
