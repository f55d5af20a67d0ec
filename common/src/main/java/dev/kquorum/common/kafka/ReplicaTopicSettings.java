package dev.kquorum.common.kafka;

import java.util.Map;

import org.apache.kafka.common.config.TopicConfig;

/**
 * The settings of a replica topic that kquorum's promises rest on, checked by every component
 * that uses one (workers and coordinators), so that a topic made by hand, or before kquorum chose
 * these settings, is refused at start with the setting, its value, what is needed and the command
 * that fixes it, rather than found out by a lost write.
 */
public final class ReplicaTopicSettings {

    private ReplicaTopicSettings() {
    }

    /**
     * @param topicConfig the topic's effective configuration ({@link TopicAdmin#config})
     * @throws IllegalStateException naming the topic and setting, when a setting breaks a promise
     */
    public static void check(String topic, Map<String, String> topicConfig, String bootstrap) {
        checkTimestamps(topic, topicConfig, bootstrap);
        checkLeaderElection(topic, topicConfig, bootstrap);
    }

    /**
     * Refuses a topic that lets Kafka elect a leader outside the in-sync replicas: such a leader
     * has not got every record the old one acknowledged. On a replica topic, requests a replica was
     * to apply would be gone; on a changelog, writes a replica acknowledged, for its next restore;
     * on the request topic, offsets would be handed out again, and a request's identity (its
     * offset) would be taken for one already executed. Checked on every topic kquorum uses.
     */
    static void checkLeaderElection(String topic, Map<String, String> topicConfig, String bootstrap) {
        String unclean = topicConfig.getOrDefault(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
        if (Boolean.parseBoolean(unclean)) {
            throw new IllegalStateException("topic " + topic + " has " + TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG + "="
                    + unclean + ": a leader elected outside the in-sync replicas loses records Kafka acknowledged, requests"
                    + " this replica has not applied yet among them; it needs " + TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG
                    + "=false (kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name "
                    + topic + " --add-config " + TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG + "=false)");
        }
    }

    /**
     * Refuses a replica topic whose records carry their producer's time rather than the broker's
     * append time. A replica judges a version by when its request was appended; a producer's time
     * is whatever a client says, and this host's clock differs between a request's first
     * application and a replay of it (its transaction aborted by a crash after its reply went out,
     * the clock stepped back across the restart), which could then refuse a write it had acked.
     */
    private static void checkTimestamps(String topic, Map<String, String> topicConfig, String bootstrap) {
        String type = topicConfig.getOrDefault(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        if (!TopicAdmin.LOG_APPEND_TIME.equals(type)) {
            throw new IllegalStateException("topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + type
                    + ": a replica judges versions by the time the broker appended each request, so that a request applied"
                    + " again decides as it did the first time; it needs " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "="
                    + TopicAdmin.LOG_APPEND_TIME + " (kafka-configs.sh --bootstrap-server " + bootstrap
                    + " --alter --entity-type topics --entity-name " + topic + " --add-config "
                    + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=" + TopicAdmin.LOG_APPEND_TIME + ")");
        }
    }
}
