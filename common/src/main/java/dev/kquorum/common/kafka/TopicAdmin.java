package dev.kquorum.common.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates kquorum's topics when they are absent, with room for records at the value limit
 * ({@link KafkaSettings#MAX_RECORD_BYTES}); leaves existing ones as they are; reads their settings.
 */
public final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /**
     * Ensures {@code topic} exists with at least {@code partitions} partitions, adding partitions
     * to an existing topic that has fewer (safe for topics whose records are not keyed to a
     * partition, such as the reply topic).
     */
    public static void ensurePartitions(KafkaSettings kafka, String topic, int partitions) {
        ensure(kafka, Map.of(topic, partitions));
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            int current = describe(admin, topic).partitions().size();
            if (current < partitions) {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get(30, TimeUnit.SECONDS);
                log.info("Grew topic {} from {} to {} partitions", topic, current, partitions);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot give topic " + topic + " " + partitions + " partitions at "
                    + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while growing topic " + topic, e);
        }
    }

    /**
     * A replica topic's records carry the time the broker appended them, which a replica judges
     * versions by: the same each time a request is applied, whatever the replica's clock.
     */
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    /**
     * What a replica topic is created with when nothing else is chosen: infinite retention, by
     * time and by size, the broker's append time, and no leader from outside the in-sync replicas. A replica topic is the replica's hinted-handoff queue; a record dropped
     * before the replica applied it is a write it never learns of, and a delete dropped before the
     * tombstone grace period ends can come back.
     */
    public static final Map<String, String> REPLICA_TOPIC_CONFIG = Map.of("retention.ms", "-1", "retention.bytes", "-1",
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");

    /**
     * Partitions of a replica topic when kquorum creates it. Each partition is a unit of a
     * replica's state that moves between the processes running that replica, so the count bounds
     * how far one replica spreads; and it can never change, since a key's partition holds its
     * state. 12 spreads evenly over 1, 2, 3, 4, 6 or 12 processes, and costs a task, a small
     * RocksDB instance (memory shared, {@code BoundedRocksDb}) and a changelog partition each.
     */
    public static final int REPLICA_PARTITIONS = 12;

    /**
     * Ensures each topic exists, creating a missing one with the given partition count and
     * kquorum's replication ({@link KafkaSettings#topicReplication()}).
     */
    public static void ensure(KafkaSettings kafka, Map<String, Integer> partitionsByTopic) {
        ensure(kafka, partitionsByTopic, Map.of());
    }

    /**
     * Ensures each topic exists, creating a missing one with the given partition count, kquorum's
     * replication ({@link KafkaSettings#topicReplication()}: a replication factor and
     * {@code min.insync.replicas} stated, never the cluster's defaults) and {@code configs} (e.g.
     * {@code retention.ms}); an existing topic is left as it is ({@link TopicReplicationCheck}).
     */
    public static void ensure(KafkaSettings kafka, Map<String, Integer> partitionsByTopic, Map<String, String> configs) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (existing.containsAll(partitionsByTopic.keySet())) {
                return;
            }
            TopicReplication replication = kafka.topicReplication().forCluster(brokerCount(admin), kafka.bootstrapServers());
            List<NewTopic> missing = new ArrayList<>();
            Map<String, String> all = new HashMap<>(configs);
            // Records at the value limit are larger than the broker's default limit of 1 MiB.
            all.putIfAbsent(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaSettings.MAX_RECORD_BYTES));
            all.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInsyncReplicas()));
            // Stated on the topic, whatever the broker's default: no leader from outside the in-sync replicas.
            all.putIfAbsent(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
            partitionsByTopic.forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(partitions), Optional.of((short) replication.replicationFactor()))
                            .configs(all));
                }
            });
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    log.info("Created topic {} with {} partition(s), {}{}", entry.getKey(), partitionsByTopic.get(entry.getKey()),
                            replication, configs.isEmpty() ? "" : ", " + configs);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof InvalidReplicationFactorException) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + " with " + replication + " at "
                                + kafka.bootstrapServers() + ": Kafka places replicas on brokers that are up, and fewer are ("
                                + e.getCause().getMessage() + "); start the brokers that are down, or choose less with"
                                + " --replication-factor", e.getCause());
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof TopicAuthorizationException) {
                // A topic this principal may not describe looks absent, and creating it is refused too.
                throw new IllegalStateException("to see topics " + partitionsByTopic.keySet() + " at " + kafka.bootstrapServers()
                        + " (Describe), or to create them where absent (Create): " + cause.getMessage(), cause);
            }
            throw new IllegalStateException("cannot create topics " + partitionsByTopic.keySet() + " at "
                    + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The replication kquorum gives a topic it creates on this cluster ({@link TopicReplication#forCluster}). */
    public static TopicReplication replication(KafkaSettings kafka) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            return kafka.topicReplication().forCluster(brokerCount(admin), kafka.bootstrapServers());
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot describe the cluster at " + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster at " + kafka.bootstrapServers(), e);
        }
    }

    /** Those of {@code topics} that exist. */
    public static List<String> existing(KafkaSettings kafka, Collection<String> topics) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            return topics.stream().filter(names::contains).toList();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot list topics at " + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics at " + kafka.bootstrapServers(), e);
        }
    }

    /**
     * The cluster's brokers, those down for now (fenced) included: kquorum sizes its topics'
     * replication by the cluster, not by which of its brokers happen to be up.
     */
    public static int brokerCount(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes().get(30, TimeUnit.SECONDS).size();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnsupportedVersionException)) {
                throw e;
            }
            // A broker before Kafka 4.0 cannot list fenced brokers: those that are up, then.
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        }
    }

    /**
     * Describes {@code topic}, waiting up to 30 s for a topic just created to be known to the
     * broker that answers: right after creation, a describe can be told the topic does not exist.
     */
    public static TopicDescription describe(Admin admin, String topic)
            throws ExecutionException, TimeoutException, InterruptedException {
        return onceKnown(() -> admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic));
    }

    /** An Admin call about a topic. */
    interface TopicCall<T> {
        T call() throws ExecutionException, TimeoutException, InterruptedException;
    }

    /** Makes {@code call}, again while the broker says the topic is unknown, for up to 30 s (a topic just created). */
    static <T> T onceKnown(TopicCall<T> call) throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    /** The id Kafka gave {@code topic} when it was created: a topic recreated under the same name has another. */
    public static String topicId(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            return describe(admin, topic).topicId().toString();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot describe topic " + topic + " at " + kafka.bootstrapServers() + ": "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    /** The effective configuration of each of {@code topics}, read in one request. */
    public static Map<String, Map<String, String>> configs(KafkaSettings kafka, Collection<String> topics) {
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            Map<String, Map<String, String>> all = new HashMap<>();
            onceKnown(() -> admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS)).forEach((resource, config) -> {
                Map<String, String> values = new HashMap<>();
                config.entries().forEach(e -> {
                    if (e.value() != null) {
                        values.put(e.name(), e.value());
                    }
                });
                all.put(resource.name(), values);
            });
            return all;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot read the configuration of topics " + topics + " at "
                    + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configuration of topics " + topics, e);
        }
    }

    /** The effective configuration of {@code topic} (set on the topic, or the broker's default). */
    public static Map<String, String> config(KafkaSettings kafka, String topic) {
        return configs(kafka, List.of(topic)).get(topic);
    }
}
