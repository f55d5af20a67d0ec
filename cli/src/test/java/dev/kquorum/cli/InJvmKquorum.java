package dev.kquorum.cli;

import java.nio.file.Path;
import java.util.List;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A whole kquorum in this JVM over the real broker, under its own topic prefix: three in-memory
 * replicas, coordinator c1 and its request-topic gateway. For tests whose subject is what crosses
 * the request topic, not processes or disks.
 */
record InJvmKquorum(TopicNames topics, KafkaSettings settings, InJvmReplicas replicas, Coordinator coordinator,
                    RequestGateway gateway) implements AutoCloseable {

    static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    static InJvmKquorum start(TestKafka kafka, Path dir, String prefix, int maxInFlight) {
        TopicNames topics = new TopicNames(kafka.uniqueName(prefix));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Coordinator coordinator = Coordinator.start(
                new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, maxInFlight, Limits.DEFAULT), registry);
        RequestGateway gateway = RequestGateway.start(coordinator, settings, topics, prefix + "-gw", registry);
        return new InJvmKquorum(topics, settings, replicas, coordinator, gateway);
    }

    @Override
    public void close() throws InterruptedException {
        gateway.close();
        coordinator.close();
        replicas.close();
    }
}
