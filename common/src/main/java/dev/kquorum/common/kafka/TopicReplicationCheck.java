package dev.kquorum.common.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Refuses, at a component's start, a topic it uses that Kafka keeps fewer copies of than kquorum
 * needs: a replication factor below {@link TopicReplication#forCluster} (RF 1 on a cluster of
 * three, say, where one broker's lost disk is every record on it), or a {@code min.insync.replicas}
 * below it (an acknowledged record on one broker only). The topic may have been made by hand, by
 * an older kquorum, or by a broker that auto-created it with its defaults.
 */
public final class TopicReplicationCheck {

    private TopicReplicationCheck() {
    }

    /** @throws IllegalStateException naming the topic, the setting, what it has and what is needed */
    public static void check(KafkaSettings kafka, Collection<String> topics) {
        Map<String, Map<String, String>> configs = TopicAdmin.configs(kafka, topics);
        try (Admin admin = Admin.create(kafka.admin("kquorum-topic-check"))) {
            TopicReplication needed = kafka.topicReplication().forCluster(TopicAdmin.brokerCount(admin), kafka.bootstrapServers());
            // A topic just created may not be known yet to the broker that answers.
            Map<String, TopicDescription> described = TopicAdmin.onceKnown(
                    () -> admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS));
            for (String topic : topics) {
                int replicas = described.get(topic).partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                int minIsr = Integer.parseInt(configs.get(topic).getOrDefault(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1"));
                if (minIsr > replicas) {
                    throw new IllegalStateException("topic " + topic + " has " + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + "=" + minIsr
                            + " and replication factor " + replicas + ": Kafka can acknowledge no write to it; it needs "
                            + needed.minInsyncReplicas() + " (kafka-configs.sh --bootstrap-server " + kafka.bootstrapServers()
                            + " --alter --entity-type topics --entity-name " + topic + " --add-config "
                            + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + "=" + needed.minInsyncReplicas() + ")");
                }
                check(topic, new TopicReplication(replicas, minIsr), needed, kafka.bootstrapServers());
                ReplicaTopicSettings.checkLeaderElection(topic, configs.get(topic), kafka.bootstrapServers());
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot check the replication of topics " + topics + " at " + kafka.bootstrapServers()
                    + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the replication of topics " + topics, e);
        }
    }

    /**
     * @param has    the topic's replication factor (the least over its partitions) and min.insync.replicas
     * @param needed what kquorum needs on this cluster
     */
    static void check(String topic, TopicReplication has, TopicReplication needed, String bootstrap) {
        if (has.replicationFactor() < needed.replicationFactor()) {
            throw new IllegalStateException("topic " + topic + " has replication factor " + has.replicationFactor()
                    + ": kquorum needs " + needed.replicationFactor() + " on this cluster, or one broker's lost disk loses"
                    + " records Kafka acknowledged; raise it with kafka-reassign-partitions.sh --bootstrap-server " + bootstrap
                    + " --execute --reassignment-json-file FILE, or choose less with --replication-factor (docs/operations.md)");
        }
        if (has.minInsyncReplicas() < needed.minInsyncReplicas()) {
            throw new IllegalStateException("topic " + topic + " has " + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + "="
                    + has.minInsyncReplicas() + ": a record Kafka acknowledged may be on that many brokers only; kquorum needs "
                    + needed.minInsyncReplicas() + " (kafka-configs.sh --bootstrap-server " + bootstrap
                    + " --alter --entity-type topics --entity-name " + topic + " --add-config "
                    + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG + "=" + needed.minInsyncReplicas()
                    + "), or choose less with --min-insync-replicas (docs/operations.md)");
        }
    }
}
