package dev.kquorum.replica.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import dev.kquorum.common.kafka.TopicReplication;
import org.apache.kafka.common.config.TopicConfig;
import java.util.UUID;

import dev.kquorum.common.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A replica process's Kafka Streams settings, each with why: exactly-once with transactional
 * stores, commits once a second, Kafka's own poll size, a session of 6 s with static membership,
 * bounded RocksDB memory, and the store changelog's topic settings.
 */
final class WorkerStreamsConfig {

    /**
     * Transactions are committed this often (Streams' default under exactly-once is 100 ms): what a
     * crash replays, at most. Answers do not wait for it; standbys and restores lag by it.
     */
    private static final String COMMIT_INTERVAL_MS = "1000";
    /** Back to Kafka's default: Streams raises it to 1000, which only lengthens a task's turn. */
    private static final String MAX_POLL_RECORDS = "500";

    /**
     * The classic protocol's broker minimum by default, as for the gateway: a SIGKILLed process's
     * partitions move after about 6-8 s instead of Kafka's 45 s (the streams protocol's session
     * timeout is the broker's to set, 45 s at least by default).
     */
    private static final String SESSION_TIMEOUT_MS = "6000";
    private static final String HEARTBEAT_INTERVAL_MS = "1500";

    private WorkerStreamsConfig() {
    }

    /**
     * The store's changelog: compacted, as Streams would, but stated; and holding a stored value at
     * the value limit (the broker's default of 1 MiB does not, and a write Kafka cannot log would
     * stop the replica).
     */
    static Map<String, String> changelog(TopicReplication replication) {
        return Map.of("cleanup.policy", "compact", "max.message.bytes", Integer.toString(KafkaSettings.MAX_RECORD_BYTES),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInsyncReplicas()),
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
    }

    /**
     * @param replication the changelogs' replication: a changelog is the replica's state when its
     *                    disk is gone, and Streams would otherwise take the broker's default
     */
    static Properties properties(WorkerConfig config, String clientId, TopicReplication replication) {
        Properties p = config.kafka().streams(config.applicationId(), clientId);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replication.replicationFactor()));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.dataDir().toString());
        // Exactly-once, for its fencing: a process that froze (a GC pause, a stalled VM) while its
        // partitions moved to another wakes up with records it fetched before; under at_least_once
        // it would apply them and log older versions to the changelog after the new owner's newer
        // ones, so the next restore would bring back the older version of an acknowledged write
        // (WorkerZombieTest). Its transaction is now aborted instead. Replies leave outside the
        // transaction (ReplySender), so answers wait for no commit; a request whose transaction
        // aborts after its reply went out is applied again, and decided the same way (a version is
        // judged by the request's append time). Streams' transaction timeout (10 s) stays: a dead
        // process's open transaction holds back its changelogs for a takeover until the broker
        // aborts it, but a shorter one would be aborted under a live process by a broker failover.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(config.standbys()));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        // A store's writes reach RocksDB only when the task commits, after Kafka has acknowledged
        // their changelog records: without this, a write could be on disk (a memtable flushed, or
        // the store closed after a failed send) but not in the changelog, and the request's replay
        // would find it held and log nothing, so a restore elsewhere would lose it. The processor
        // still reads its own uncommitted writes.
        p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
        // held(), for tests and tools, sees what the processor sees.
        p.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_UNCOMMITTED");
        // Each unless the operator set it: a prefixed value would win over theirs.
        defaultConsumer(p, "max.poll.records", MAX_POLL_RECORDS);
        defaultConsumer(p, "session.timeout.ms", SESSION_TIMEOUT_MS);
        defaultConsumer(p, "heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS);
        // Static membership: a process restarted on the same state directory (after a crash, say)
        // takes its partitions back at once, with no rebalance and no wait for its old session.
        if (!p.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId(config));
        }
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ReplicaProductionErrors.class.getName());
        // There is no global store; set only so that Streams does not warn at every start.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(ReplicaProductionErrors.DLQ_TOPIC, config.dlqTopic());
        return p;
    }

    /**
     * This process's member name in the replica's group: the replica id and an id kept in the state
     * directory, so a process keeps its name across restarts on the same disk, and two processes
     * (each with its own directory) never share one.
     */
    static String instanceId(WorkerConfig config) {
        Path file = config.dataDir().resolve("kquorum-instance-id");
        try {
            Files.createDirectories(config.dataDir());
            if (!Files.exists(file)) {
                Files.writeString(file, UUID.randomUUID().toString().substring(0, 8) + "\n", StandardCharsets.UTF_8);
            }
            return config.replicaId() + "-" + Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep this worker's instance id in " + file + ": " + e.getMessage(), e);
        }
    }

    private static void defaultConsumer(Properties p, String key, String value) {
        if (!p.containsKey(key)) {
            p.putIfAbsent(StreamsConfig.consumerPrefix(key), value);
        }
    }
}
