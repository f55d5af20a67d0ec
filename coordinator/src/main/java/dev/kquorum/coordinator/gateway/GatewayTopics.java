package dev.kquorum.coordinator.gateway;

import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.kafka.TopicReplicationCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway's topics: the requests, the responses and the dead letters. */
public final class GatewayTopics {

    private static final Logger log = LoggerFactory.getLogger(GatewayTopics.class);
    private static final String TIMESTAMP_TYPE = "message.timestamp.type";
    private static final String LOG_APPEND_TIME = "LogAppendTime";

    private GatewayTopics() {
    }

    /**
     * Creates the topics where absent: what a gateway does at start, and what an administrator
     * does for coordinators that may not create topics.
     */
    public static void ensure(KafkaSettings kafka, TopicNames topics) {
        // The broker stamps each request: its timestamp is part of the first version a write is given,
        // the same on every execution, and must not depend on the client's clock.
        TopicAdmin.ensure(kafka, Map.of(topics.requests(), RequestGateway.REQUEST_PARTITIONS), Map.of(TIMESTAMP_TYPE, LOG_APPEND_TIME));
        TopicAdmin.ensure(kafka, Map.of(topics.responses(), 1, topics.requestsDlq(), 1));
    }

    /**
     * At a gateway's start: creates the topics where absent, refuses any with fewer copies than
     * kquorum needs, and warns when the request topic keeps its clients' timestamps.
     */
    static void prepare(KafkaSettings kafka, TopicNames topics) {
        ensure(kafka, topics);
        TopicReplicationCheck.check(kafka, List.of(topics.requests(), topics.responses(), topics.requestsDlq()));
        String stamped = TopicAdmin.config(kafka, topics.requests()).get(TIMESTAMP_TYPE);
        if (!LOG_APPEND_TIME.equals(stamped)) {
            log.warn("Topic {} keeps the timestamps clients give ({}={}): a request stamped more than the max clock offset"
                    + " ahead of this coordinator's clock is answered INVALID, and one stamped more than its timeout ago is"
                    + " not executed. kquorum creates the topic with {}; to switch an existing one: kafka-configs"
                    + " --alter --entity-type topics --entity-name {} --add-config {}={}",
                    topics.requests(), TIMESTAMP_TYPE, stamped, LOG_APPEND_TIME, topics.requests(), TIMESTAMP_TYPE, LOG_APPEND_TIME);
        }
    }
}
