package dev.kquorum.common.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.HashMap;
import java.util.Optional;

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
            int current = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
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
     * What a replica topic is created with when nothing else is chosen: infinite retention, by
     * time and by size. A replica topic is the replica's hinted-handoff queue; a record dropped
     * before the replica applied it is a write it never learns of, and a delete dropped before the
     * tombstone grace period ends can come back.
     */
    public static final Map<String, String> REPLICA_TOPIC_CONFIG = Map.of("retention.ms", "-1", "retention.bytes", "-1");

    /**
     * Ensures each topic exists, creating a missing one with the given partition count and the
     * cluster's default replication factor.
     */
    public static void ensure(KafkaSettings kafka, Map<String, Integer> partitionsByTopic) {
        ensure(kafka, partitionsByTopic, Map.of());
    }

    /**
     * Ensures each topic exists, creating a missing one with the given partition count, the
     * cluster's default replication factor and {@code configs} (e.g. {@code retention.ms}); an
     * existing topic is left as it is.
     */
    public static void ensure(KafkaSettings kafka, Map<String, Integer> partitionsByTopic, Map<String, String> configs) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            partitionsByTopic.forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    // Records at the value limit are larger than the broker's default limit of 1 MiB.
                    Map<String, String> all = new HashMap<>(configs);
                    all.putIfAbsent(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaSettings.MAX_RECORD_BYTES));
                    missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(all));
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    log.info("Created topic {}{}", entry.getKey(), configs.isEmpty() ? "" : " with " + configs);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create topics " + partitionsByTopic.keySet() + " at "
                    + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The id Kafka gave {@code topic} when it was created: a topic recreated under the same name has another. */
    public static String topicId(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId().toString();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot describe topic " + topic + " at " + kafka.bootstrapServers() + ": "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    /** The effective configuration of {@code topic} (set on the topic, or the broker's default). */
    public static Map<String, String> config(KafkaSettings kafka, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-admin"))) {
            Map<String, String> values = new HashMap<>();
            admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).entries()
                    .forEach(e -> {
                        if (e.value() != null) {
                            values.put(e.name(), e.value());
                        }
                    });
            return values;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot read the configuration of topic " + topic + " at "
                    + kafka.bootstrapServers() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configuration of topic " + topic, e);
        }
    }
}
