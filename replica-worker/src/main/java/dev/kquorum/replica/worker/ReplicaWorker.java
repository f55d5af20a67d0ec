package dev.kquorum.replica.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kquorum.common.kafka.TopicAdmin;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
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

    private final WorkerConfig config;
    private final ReplicaStore store;
    private final Replica replica;
    private final WorkerMetrics metrics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<TopicPartition> partitions;
    private final UnansweredBatches unanswered = new UnansweredBatches();
    private final String topic;
    private volatile boolean running = true;
    private volatile long lastPollMillis = System.currentTimeMillis();
    /** Group commits are for Kafka's lag tools only (the store is the truth): once a second is plenty. */
    private static final long GROUP_COMMIT_INTERVAL_MS = 1_000;
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private long lastGroupCommitMillis;
    private long lastPurgeMillis = System.currentTimeMillis();

    private ReplicaWorker(WorkerConfig config, ReplicaStore store, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.replica = new Replica(config.replicaId(), config.rules());
        this.metrics = new WorkerMetrics(registry, config.replicaId());
        String clientId = "kq-worker-" + config.replicaId();
        this.consumer = new KafkaConsumer<>(config.kafka().consumer(clientId, config.topics().prefix() + ".worker." + config.replicaId()));
        this.producer = new KafkaProducer<>(config.kafka().producer(clientId));
        this.partitions = new ArrayList<>();
        this.topic = config.topic();
    }

    /**
     * Creates the worker's topics if absent, opens its Kafka clients and positions it at the
     * offsets its store has applied up to.
     */
    public static ReplicaWorker start(WorkerConfig config, ReplicaStore store, MeterRegistry registry) {
        TopicAdmin.ensure(config.kafka(), Map.of(config.topic(), config.partitions(), config.dlqTopic(), 1));
        ReplicaWorker worker = new ReplicaWorker(config, store, registry);
        try {
            worker.assignAndSeek();
        } catch (RuntimeException e) {
            worker.closeClients();
            throw e;
        }
        return worker;
    }

    private void assignAndSeek() {
        for (PartitionInfo p : consumer.partitionsFor(config.topic(), Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        Map<Integer, PartitionPosition> applied = store.positions();
        for (TopicPartition tp : partitions) {
            PartitionPosition position = applied.get(tp.partition());
            if (position == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, position.replayFrom());
            }
        }
        log.info("Replica {} resumes {} at the store's positions {} ({} partition(s))",
                config.replicaId(), config.topic(), applied.isEmpty() ? "(none: from the beginning)" : applied, partitions.size());
    }

    /** Runs the loop on this thread until {@link #stop()}; the batch in hand is always finished. */
    public void runUntilStopped() {
        while (running) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                break;
            }
            if (!records.isEmpty()) {
                process(records);
            }
            updateLag();
            lastPollMillis = System.currentTimeMillis();
            maybePurgeTombstones(lastPollMillis);
        }
        if (!uncommitted.isEmpty()) {
            try {
                consumer.commitSync(uncommitted, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Replica {}: last group commit failed (the store keeps the truth): {}", config.replicaId(), e.getMessage());
            }
        }
        log.info("Replica {} stopped after its last batch", config.replicaId());
    }

    /** Asks the loop to stop after the batch in hand; safe from any thread or a signal handler. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    public String replicaId() {
        return config.replicaId();
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
        return System.currentTimeMillis() - lastPollMillis;
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        long started = System.nanoTime();
        // Behind its topic (more records wait after this batch): only then may stale reads be skipped.
        boolean catchingUp = false;
        for (TopicPartition tp : records.partitions()) {
            catchingUp |= consumer.currentLag(tp).orElse(0) > 0;
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
            producer.send(reply, (meta, error) -> {
                sending.replyDone();
                if (error != null) {
                    log.warn("Replica {} could not send a reply to {}: {}", config.replicaId(), reply.topic(), error.getMessage());
                }
            });
        }
        commitToGroup(batch.offsets());
        metrics.batch(records.count(), System.nanoTime() - started);
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, Replica.Delivery delivery, StoreBatch batch,
                        List<ProducerRecord<byte[], byte[]>> replies, List<ProducerRecord<byte[], byte[]>> deadLetters) {
        ReplyAddress address;
        Long deadline;
        try {
            address = ReplyAddress.from(record.headers());
            deadline = KqHeaders.int64(record.headers(), KqHeaders.DEADLINE);
        } catch (ProtocolException e) {
            deadLetters.add(deadLetter(record, e.getMessage()));
            return;
        }
        Replica.Decision decision = replica.receive(record.value(),
                new Replica.Delivery(deadline, delivery.nowMs(), delivery.catchingUp()), batch);
        metrics.decided(decision);
        if (decision.kind() == Replica.Kind.REFUSED) {
            log.warn("Replica {} refused {}-{}@{}: {}", config.replicaId(), record.topic(), record.partition(), record.offset(),
                    ((ReplicaReply.Invalid) decision.reply()).error());
        }
        if (decision.deadLetter() != null) {
            deadLetters.add(deadLetter(record, decision.deadLetter()));
        }
        if (decision.reply() != null && address != null) {
            replies.add(reply(address, decision.reply()));
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
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("replica " + config.replicaId() + " cannot write to " + config.dlqTopic()
                    + "; stopping rather than losing bad records: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        }
    }

    private void commitToGroup(Map<Integer, Long> offsets) {
        offsets.forEach((partition, next) -> uncommitted.put(new TopicPartition(topic, partition), new OffsetAndMetadata(next)));
        long now = System.currentTimeMillis();
        if (now - lastGroupCommitMillis < GROUP_COMMIT_INTERVAL_MS) {
            return;
        }
        lastGroupCommitMillis = now;
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>(uncommitted);
        uncommitted.clear();
        consumer.commitAsync(commit, (done, error) -> {
            if (error != null) {
                log.debug("Replica {}: group commit failed (the store keeps the truth): {}", config.replicaId(), error.getMessage());
            }
        });
    }

    /** Between batches, every tenth of the grace period (at most hourly): drop tombstones past it. */
    private void maybePurgeTombstones(long now) {
        long shortest = Math.min(config.tombstoneGrace().toMillis(), config.rules().dedupWindow().toMillis());
        long every = Math.max(1_000, Math.min(shortest / 10, 3_600_000));
        if (now - lastPurgeMillis < every) {
            return;
        }
        lastPurgeMillis = now;
        int purged = store.purge((key, held) -> replica.purgeable(key, held, now));
        if (purged > 0) {
            metrics.purged(purged);
            log.info("Replica {} purged {} expired entries (tombstones older than {}, request identities older than {})",
                    config.replicaId(), purged, config.tombstoneGrace(), config.rules().dedupWindow());
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

    @Override
    public void close() {
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
