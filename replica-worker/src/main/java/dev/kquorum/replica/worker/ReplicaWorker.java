package dev.kquorum.replica.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kquorum.common.kafka.RecordSize;
import dev.kquorum.common.kafka.ReplicaTopicSettings;
import dev.kquorum.common.kafka.TopicReplication;
import dev.kquorum.common.kafka.TopicReplicationCheck;
import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.RocksDbLibrary;
import dev.kquorum.replica.store.StoredValueFormat;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process of a replica: a Kafka Streams application ({@link ReplicaTopology}) that runs the
 * partitions of the replica topic the group gives it. Every process started with the same replica
 * id joins the same application, so a replica spreads over as many processes as it has partitions;
 * a partition's store moves with it (restored from its changelog), and standbys keep warm copies.
 * The worker owns its threads: {@link #start} returns a running worker, {@link #close} ends it.
 */
public final class ReplicaWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaWorker.class);
    /** How long close waits for the stream threads to finish the record in hand and commit (not for a Kafka that is gone). */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** A stopped process leaves the group, so its partitions move now, not after the session timeout. */
    private static final CloseOptions LEAVE = CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    private final WorkerConfig config;
    private final WorkerMetrics metrics;
    private final ReplyTopics replyTopics;
    private final ReplySender replies;
    private final LogStarts logStarts;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CatchUp catchUp;
    private final TopicGuard guard;
    /** Partitions of the replica topic at start; more later means keys moved without their state. */
    private final int partitionsAtStart;
    /** Reads the consumers' lag for {@link CatchUp} every second; a stream thread cannot see it. */
    private final ScheduledExecutorService lagWatch;
    private final AtomicInteger restoring = new AtomicInteger();
    private volatile String failure;

    private ReplicaWorker(WorkerConfig config, MeterRegistry registry, int deadLetterLimit, TopicReplication replication) {
        this.config = config;
        this.metrics = new WorkerMetrics(registry, config.replicaId());
        this.guard = new TopicGuard(config.replicaId(), metrics);
        this.partitionsAtStart = checkPositions(config, guard);
        String clientId = "kq-worker-" + config.replicaId();
        this.replyTopics = new ReplyTopics(config.kafka(), clientId, "Replica " + config.replicaId());
        this.replies = new ReplySender(config.kafka(), clientId, replyTopics, metrics, config.replicaId());
        this.logStarts = new LogStarts(config.kafka(), clientId);
        this.catchUp = new CatchUp(config.topic(), this::clientMetrics);
        this.streams = new KafkaStreams(ReplicaTopology.build(config, metrics, replyTopics, replies, logStarts, catchUp, guard,
                WorkerStreamsConfig.changelog(replication), deadLetterLimit),
                WorkerStreamsConfig.properties(config, clientId, replication));
        streams.setStateListener((now, before) -> {
            log.info("Replica {} is {} (was {})", config.replicaId(), now, before);
            if (!now.isRunningOrRebalancing()) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure = "stream thread failed: " + e;
            log.error("Replica {}: {}; the worker stops (its input offsets were not committed past what it applied, so"
                    + " a restart takes it up again)", config.replicaId(), failure, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setGlobalStateRestoreListener(new Restores());
        metrics.gauges(ReplicaWorker::lag, ReplicaWorker::restoring, this);
        this.lagWatch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId + "-lag");
            t.setDaemon(true);
            return t;
        });
    }

    private Map<MetricName, ? extends Metric> clientMetrics() {
        return streams.metrics();
    }

    /**
     * Creates the worker's topics if absent (the replica topic with {@link WorkerConfig#retentionMs()}),
     * refuses a replica topic whose retention is shorter than the tombstone grace period, and starts
     * the replica's Kafka Streams application in this process.
     *
     * @throws IllegalStateException naming the topic, setting and value needed when retention is too short
     */
    public static ReplicaWorker start(WorkerConfig config, MeterRegistry registry) {
        Map<String, String> topicSettings = new HashMap<>(TopicAdmin.REPLICA_TOPIC_CONFIG);
        topicSettings.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.retentionMs()));
        TopicAdmin.ensure(config.kafka(), Map.of(config.topic(), config.partitions()), topicSettings);
        TopicAdmin.ensure(config.kafka(), Map.of(config.dlqTopic(), 1));
        Map<String, String> topicConfig = TopicAdmin.config(config.kafka(), config.topic());
        TopicGuard.checkRetention(config.topic(), topicConfig, config.tombstoneGrace(), config.kafka().bootstrapServers());
        ReplicaTopicSettings.check(config.topic(), topicConfig, config.kafka().bootstrapServers());
        List<String> used = new ArrayList<>(List.of(config.topic(), config.dlqTopic()));
        used.addAll(TopicAdmin.existing(config.kafka(), List.of(WorkerConfig.changelogTopic(config.topics(), config.replicaId()))));
        TopicReplicationCheck.check(config.kafka(), used);
        int deadLetterLimit = RecordSize.limit(Integer.parseInt(
                TopicAdmin.config(config.kafka(), config.dlqTopic()).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)));
        RocksDbLibrary.load();
        ReplicaWorker worker = new ReplicaWorker(config, registry, deadLetterLimit, TopicAdmin.replication(config.kafka()));
        worker.streams.start();
        // Once a second: a read of every metric of the process's clients is costly (measured: at 10 a
        // second, three workers' reads took as much CPU as a worker's processing).
        worker.lagWatch.scheduleWithFixedDelay(worker.catchUp::update, 1, 1, TimeUnit.SECONDS);
        worker.lagWatch.scheduleWithFixedDelay(worker::checkPartitionCount, 5, 5, TimeUnit.SECONDS);
        log.info("Replica {} started as application {} on {}, state in {}", config.replicaId(), config.applicationId(),
                config.topic(), config.dataDir());
        return worker;
    }

    /**
     * Compares the replica's committed position in each partition with the partition's log start:
     * a position below it means records were deleted before the replica applied them, while it was
     * down. Streams would move on to the log start without a word; the guard refuses the partition.
     *
     * @return the topic's partition count
     */
    private static int checkPositions(WorkerConfig config, TopicGuard guard) {
        try (Admin admin = Admin.create(config.kafka().admin("kq-worker-" + config.replicaId() + "-positions"))) {
            int partitions = TopicAdmin.describe(admin, config.topic()).partitions().size();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.applicationId())
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            committed.keySet().stream().filter(tp -> tp.topic().equals(config.topic())).forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
            admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS).forEach((tp, start) -> {
                OffsetAndMetadata position = committed.get(tp);
                if (position != null && position.offset() < start.offset()) {
                    guard.fellOutOfRetention(tp, position.offset(), start.offset());
                }
            });
            return partitions;
        } catch (ExecutionException e) {
            throw new IllegalStateException("replica " + config.replicaId() + " cannot read its positions in " + config.topic()
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("replica " + config.replicaId() + " cannot read its positions in " + config.topic()
                    + ": Kafka did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading positions", e);
        }
    }

    /** Partitions added to the topic move keys between partitions, away from their state: refused loudly. */
    private void checkPartitionCount() {
        try (Admin admin = Admin.create(config.kafka().admin("kq-worker-" + config.replicaId() + "-partitions"))) {
            int now = admin.describeTopics(List.of(config.topic())).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(config.topic()).partitions().size();
            guard.partitionCount(config.topic(), partitionsAtStart, now);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("Replica {}: cannot check the partition count of {}: {}", config.replicaId(), config.topic(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until this process runs its share of the replica (the group has given it its partitions
     * and their stores are restored), or {@code timeout} passes.
     *
     * @return whether it is running
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING || restoring.get() > 0) {
            if (!streams.state().isRunningOrRebalancing() || System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    /**
     * Waits as {@link #awaitRunning} does, for callers that cannot go on without a running worker.
     *
     * @throws IllegalStateException naming the state the worker is in when it is not running by then
     */
    public ReplicaWorker requireRunning(Duration timeout) {
        try {
            if (awaitRunning(timeout)) {
                return this;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for replica " + config.replicaId() + " to run", e);
        }
        throw new IllegalStateException("replica " + config.replicaId() + " is not running after " + timeout.toSeconds() + " s: "
                + state() + (problem() == null ? "" : " (" + problem() + ")"));
    }

    /** Asks the worker to stop: threads finish the record in hand and commit. Safe from a signal handler. */
    public void stop() {
        streams.close(LEAVE.withTimeout(Duration.ZERO));
    }

    /** Waits until the worker has stopped; throws what ended it if it failed. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
        String why = failure;
        if (why != null) {
            throw new IllegalStateException("replica " + config.replicaId() + ": " + why);
        }
    }

    public String replicaId() {
        return config.replicaId();
    }

    /** The Streams state: CREATED, REBALANCING, RUNNING, PENDING_SHUTDOWN, NOT_RUNNING or ERROR. */
    public String state() {
        return streams.state().name();
    }

    /** Partitions whose stores are being restored from their changelogs in this process. */
    public int restoring() {
        return restoring.get();
    }

    /** Why the worker is not serving all it should, or null. */
    public String problem() {
        String why = failure;
        if (why != null) {
            return why;
        }
        if (streams.state() == KafkaStreams.State.ERROR) {
            return "the replica's Kafka Streams application is in ERROR";
        }
        return guard.problem();
    }

    /** Records of the replica topic not yet applied, over the partitions this process runs (read every second). */
    public long lag() {
        return catchUp.lag();
    }

    /**
     * What this process holds for {@code key}, or null: read from the store of the key's partition
     * when this process runs it (for tests and tools; a client reads through a coordinator).
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the stores are not queryable (not RUNNING)
     */
    public Versioned held(String key) {
        byte[] bytes = streams.store(StoreQueryParameters.fromNameAndType(ReplicaTopology.STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore())).get(key);
        return bytes == null ? null : StoredValueFormat.decode(bytes);
    }

    /** Why the last write was refused by the replica's rules (e.g. a version from the future), or null. */
    public String lastRefusal() {
        return metrics.lastRefusal();
    }

    public long refusals() {
        return metrics.refusals();
    }

    /** Stops the worker (the record in hand is finished and committed) and waits for it. */
    @Override
    public void close() {
        try {
            streams.close(LEAVE.withTimeout(CLOSE_WAIT));
        } finally {
            lagWatch.shutdownNow();
            replies.close();
            logStarts.close();
            replyTopics.close();
        }
    }

    /** Counts the partitions being restored, and says how long each took. */
    private final class Restores implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
            restoring.incrementAndGet();
            if (endOffset > startOffset) {
                log.info("Replica {} restores {} from {} ({} records)", config.replicaId(), store, partition, endOffset - startOffset);
            }
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
            metrics.restored(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            restoring.decrementAndGet();
            if (totalRestored > 0) {
                log.info("Replica {} restored {} from {}: {} records", config.replicaId(), store, partition, totalRestored);
            }
        }

        @Override
        public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
            restoring.decrementAndGet();
        }
    }
}
