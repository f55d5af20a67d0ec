package dev.kquorum.replica.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.replica.Replica;
import dev.kquorum.replica.store.PartitionPosition;
import dev.kquorum.replica.store.ReplicaStore;
import dev.kquorum.replica.store.StoreBatch;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica at the Kafka edge. Each turn of the loop polls a batch from the replica's topic,
 * applies it with {@link Replica} to a {@link StoreBatch}, commits values and consumed offsets to
 * the store in one atomic write, and only then sends the replies. On start it seeks to the positions
 * in its store, not the consumer group's: the store is the truth, so a request is applied once in
 * effect however often Kafka delivers it, and requests whose replies a crash may have lost are
 * answered again ({@link UnansweredBatches}). Offsets are also committed to the group, so lag
 * shows in Kafka's own tools.
 */
public final class ReplicaWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaWorker.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long close waits for the loop to finish the batch in hand. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final WorkerConfig config;
    private final ReplicaStore store;
    private final Replica replica;
    private final WorkerMetrics metrics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<TopicPartition> partitions;
    private final UnansweredBatches unanswered = new UnansweredBatches();
    private final ReplySender replySender;
    private final TopicGuard guard;
    private final ChunkedPurge purge;
    private final String topic;
    private final LoopThread loop;
    private volatile boolean running = true;
    // Intervals are measured on the monotonic clock: a wall clock stepped back would stall them.
    private volatile long lastPollNanos = System.nanoTime();
    private final GroupCommits groupCommits;
    /** True from start until the worker first reaches the end of its topic. */
    private boolean catchingUp = true;
    /** How often the topic's partition count is compared with the one at start. */
    private static final long PARTITION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private long lastPartitionCheckNanos = System.nanoTime();
    /** Replies and dead letters wait at most this long for metadata: a bad reply address must not stall the loop. */
    static final String MAX_BLOCK_MS = "1000";
    /** The consumer's metadata, where added partitions show, is refreshed this often. */
    private static final String METADATA_MAX_AGE_MS = "5000";

    private ReplicaWorker(WorkerConfig config, ReplicaStore store, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.replica = new Replica(config.replicaId(), config.rules());
        this.metrics = new WorkerMetrics(registry, config.replicaId());
        String clientId = "kq-worker-" + config.replicaId();
        Properties consumerProperties = config.kafka().consumer(clientId, config.topics().prefix() + ".worker." + config.replicaId());
        // Never "earliest": a position that fell out of retention must be refused, not silently moved.
        consumerProperties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        consumerProperties.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, METADATA_MAX_AGE_MS);
        this.consumer = new KafkaConsumer<>(consumerProperties);
        Properties producerProperties = config.kafka().producer(clientId);
        producerProperties.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        this.producer = new KafkaProducer<>(producerProperties);
        this.partitions = new ArrayList<>();
        this.topic = config.topic();
        this.replySender = new ReplySender(producer, config.replicaId(), metrics);
        this.guard = new TopicGuard(config.replicaId(), metrics);
        this.purge = new ChunkedPurge(config, store, replica, metrics);
        this.groupCommits = new GroupCommits(consumer, config.replicaId(), topic);
        this.loop = new LoopThread("kq-worker-" + config.replicaId(), this::run);
    }

    /**
     * Creates the worker's topics if absent (the replica topic with {@link WorkerConfig#retentionMs()}),
     * refuses a replica topic whose retention is shorter than the tombstone grace period, opens its
     * Kafka clients, positions it at the offsets its store has applied up to and starts its loop
     * thread, which runs until {@link #stop()} or {@link #close()}.
     *
     * @throws IllegalStateException naming the topic, setting and value needed when retention is too short
     */
    public static ReplicaWorker start(WorkerConfig config, ReplicaStore store, MeterRegistry registry) {
        TopicAdmin.ensure(config.kafka(), Map.of(config.topic(), config.partitions()),
                Map.of("retention.ms", Long.toString(config.retentionMs()), "retention.bytes", "-1"));
        TopicAdmin.ensure(config.kafka(), Map.of(config.dlqTopic(), 1));
        TopicGuard.checkRetention(config.topic(), TopicAdmin.config(config.kafka(), config.topic()), config.tombstoneGrace(),
                config.kafka().bootstrapServers());
        ReplicaWorker worker = new ReplicaWorker(config, store, registry);
        try {
            worker.assignAndSeek();
        } catch (RuntimeException e) {
            worker.closeClients();
            throw e;
        }
        worker.loop.start();
        return worker;
    }

    private void assignAndSeek() {
        for (PartitionInfo p : consumer.partitionsFor(config.topic(), Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        Map<Integer, PartitionPosition> applied = store.positions();
        Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            PartitionPosition position = applied.get(tp.partition());
            long logStart = logStarts.getOrDefault(tp, 0L);
            if (position == null) {
                consumer.seekToBeginning(List.of(tp));
            } else if (position.next() < logStart) {
                consumer.seek(tp, position.next());
                refuse(tp, () -> guard.fellOutOfRetention(tp, position.next(), logStart));
            } else {
                // Replies lost before the log start cannot be sent again; everything unapplied is still there.
                consumer.seek(tp, Math.max(position.replayFrom(), logStart));
            }
        }
        log.info("Replica {} resumes {} at the store's positions {} ({} partition(s))",
                config.replicaId(), config.topic(), applied.isEmpty() ? "(none: from the beginning)" : applied, partitions.size());
    }

    /** The loop, on its own thread until {@link #stop()}; the batch in hand is always finished. */
    private void run() {
        while (running) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                break;
            } catch (OffsetOutOfRangeException e) {
                // Records this replica has not applied are gone (retention, deleteRecords, a recreated topic).
                e.offsetOutOfRangePartitions().forEach((tp, offset) -> refuse(tp, () -> guard.outOfRange(tp, offset, logBounds(tp))));
                continue;
            }
            if (!records.isEmpty()) {
                process(records);
            }
            replySender.resendFailed();
            updateLag();
            lastPollNanos = System.nanoTime();
            checkPartitionCount();
            purge.step();
        }
        groupCommits.flush();
        log.info("Replica {} stopped after its last batch", config.replicaId());
    }

    /** Asks the loop to stop after the batch in hand; safe from any thread or a signal handler. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Waits until the loop has stopped; throws what ended it if it failed. */
    public void awaitStopped() throws InterruptedException {
        loop.await();
    }

    public String replicaId() {
        return config.replicaId();
    }

    /** Why the worker is not serving all it should (a partition out of retention, partitions added), or null. */
    public String problem() {
        return guard.problem();
    }

    public long lag() {
        return metrics.lag();
    }

    /** Why the last write was refused by the replica's rules (e.g. a version from the future), or null. */
    public String lastRefusal() {
        return metrics.lastRefusal();
    }

    public long refusals() {
        return metrics.refusals();
    }

    /** How long ago the loop last came back from Kafka: a stuck or dead loop shows here. */
    public long millisSinceLastPoll() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPollNanos);
    }

    /** Stops serving {@code tp} for good (until a rebuild): no applies, no replies. */
    private void refuse(TopicPartition tp, Runnable report) {
        if (!guard.refuses(tp)) {
            report.run();
            consumer.pause(List.of(tp));
        }
    }

    private String logBounds(TopicPartition tp) {
        try {
            Duration wait = Duration.ofSeconds(5);
            return "log start " + consumer.beginningOffsets(List.of(tp), wait).get(tp) + ", end " + consumer.endOffsets(List.of(tp), wait).get(tp);
        } catch (RuntimeException e) {
            return "bounds unknown: " + e.getMessage();
        }
    }

    /** Partitions added to the topic move keys between partitions: refused loudly, not consumed. */
    private void checkPartitionCount() {
        long now = System.nanoTime();
        if (now - lastPartitionCheckNanos < PARTITION_CHECK_NANOS) {
            return;
        }
        lastPartitionCheckNanos = now;
        try {
            // From the consumer's metadata (refreshed every metadata.max.age.ms): no request, no wait.
            guard.partitionCount(topic, partitions.size(), consumer.partitionsFor(topic, Duration.ofMillis(100)).size());
        } catch (RuntimeException e) {
            log.debug("Replica {}: cannot check the partition count of {}: {}", config.replicaId(), topic, e.getMessage());
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        long started = System.nanoTime();
        // Catching up: from its start until it first reaches the end of its topic. After that a lag
        // is the normal stream under load, not a backlog nobody waits for any more.
        if (catchingUp) {
            long behind = 0;
            for (TopicPartition tp : records.partitions()) {
                behind += consumer.currentLag(tp).orElse(0);
            }
            catchingUp = behind > 0;
        }
        Replica.Delivery delivery = new Replica.Delivery(null, System.currentTimeMillis(), catchingUp);
        StoreBatch batch = new StoreBatch(store);
        Map<Integer, Long> starts = new HashMap<>();
        List<ProducerRecord<byte[], byte[]>> replies = new ArrayList<>(records.count());
        List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            starts.putIfAbsent(record.partition(), record.offset());
            batch.consumed(record.partition(), record.offset() + 1);
            handle(record, delivery, batch, replies, deadLetters);
        }
        // A dead letter is durable before the offset that skips its record is: bad input is set
        // aside, never lost.
        sendAndWait(deadLetters);
        unanswered.replayFrom(starts).forEach(batch::replayFrom);
        store.commit(batch);
        UnansweredBatches.Batch sending = unanswered.committed(starts, replies.size());
        for (ProducerRecord<byte[], byte[]> reply : replies) {
            replySender.send(reply, sending);
        }
        groupCommits.applied(batch.offsets());
        metrics.batch(records.count(), System.nanoTime() - started);
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, Replica.Delivery delivery, StoreBatch batch,
                        List<ProducerRecord<byte[], byte[]>> replies, List<ProducerRecord<byte[], byte[]>> deadLetters) {
        Envelope envelope;
        try {
            envelope = Envelope.from(record.headers());
        } catch (ProtocolException e) {
            deadLetters.add(deadLetter(record, e.getMessage()));
            return;
        }
        Replica.Decision decision = replica.receive(record.value(),
                new Replica.Delivery(envelope.deadlineMs(), delivery.nowMs(), delivery.catchingUp()), batch);
        metrics.decided(decision);
        if (decision.kind() == Replica.Kind.REFUSED) {
            log.warn("Replica {} refused {}-{}@{}: {}", config.replicaId(), record.topic(), record.partition(), record.offset(),
                    ((ReplicaReply.Invalid) decision.reply()).error());
        }
        if (decision.deadLetter() != null) {
            deadLetters.add(deadLetter(record, decision.deadLetter()));
        }
        if (decision.reply() != null && envelope.replyTo() != null) {
            replies.add(reply(envelope.replyTo(), decision.reply()));
        }
    }

    private static ProducerRecord<byte[], byte[]> reply(ReplyAddress address, ReplicaReply reply) {
        RecordHeaders headers = new RecordHeaders();
        address.echoTo(headers);
        return new ProducerRecord<>(address.topic(), address.partition(), null, null, ProtocolCodec.encode(reply), headers);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        log.warn("Replica {} dead-letters {}-{}@{}: {}", config.replicaId(), record.topic(), record.partition(), record.offset(), reason);
        metrics.deadLettered();
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(KqHeaders.ERROR, reason.getBytes(StandardCharsets.UTF_8));
        headers.add("kq_source", (record.topic() + "-" + record.partition() + "@" + record.offset()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(config.dlqTopic(), null, null, record.key(), record.value(), headers);
    }

    private void sendAndWait(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            sent.add(producer.send(r));
        }
        try {
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!DeadLetterReference.cannotBeWrittenWhole(e.getCause())) {
                        throw e;
                    }
                    ProducerRecord<byte[], byte[]> whole = records.get(i);
                    log.warn("Replica {}: the dead letter of {} cannot be written whole ({}); writing a reference to it",
                            config.replicaId(), KqHeaders.text(whole.headers(), "kq_source"), e.getCause().getMessage());
                    producer.send(DeadLetterReference.of(whole, e.getCause())).get(30, TimeUnit.SECONDS);
                    metrics.deadLetterReference();
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("replica " + config.replicaId() + " cannot write to " + config.dlqTopic()
                    + "; stopping rather than losing bad records: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        }
    }

    private void updateLag() {
        long total = 0;
        for (TopicPartition tp : partitions) {
            OptionalLong lag = consumer.currentLag(tp);
            total += lag.orElse(0);
        }
        metrics.lag(total);
    }

    /** Stops the loop (the batch in hand is finished), waits for it, then closes the Kafka clients. */
    @Override
    public void close() {
        stop();
        loop.join(CLOSE_WAIT);
        closeClients();
    }

    private void closeClients() {
        try {
            producer.close(Duration.ofSeconds(10));
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
