package dev.kquorum.coordinator.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica topic its workers would refuse (made by hand, or before kquorum chose its settings)
 * is refused by a coordinator at start too, naming the topic and the setting, rather than taking
 * requests that no worker will ever apply.
 */
@ExtendWith(KafkaExtension.class)
class CoordinatorTopicChecksTest {

    @Test
    void refusesToStartOnAReplicaTopicWhoseRecordsCarryTheirProducersTime(TestKafka kafka) {
        TopicNames topics = new TopicNames(kafka.uniqueName("checks"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        Map<String, String> createTime = new HashMap<>(TopicAdmin.REPLICA_TOPIC_CONFIG);
        createTime.put("message.timestamp.type", "CreateTime");
        TopicAdmin.ensure(settings, Map.of(topics.replica("r2"), TopicAdmin.REPLICA_PARTITIONS), createTime);
        CoordinatorConfig config = new CoordinatorConfig("c1", List.of("r1", "r2"), settings, topics, 0, 100, Limits.DEFAULT);

        assertThatThrownBy(() -> Coordinator.start(config, new SimpleMeterRegistry()).close())
                .hasMessageContaining(topics.replica("r2") + " has message.timestamp.type=CreateTime")
                .hasMessageContaining("needs message.timestamp.type=LogAppendTime");
    }
}
