package dev.kquorum.coordinator.kafka;

import java.util.List;
import java.util.Objects;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;

/**
 * One coordinator: who it is (its writer id, part of every version it mints), which replicas
 * form the group, and which partition of the reply topic is its own.
 */
public record CoordinatorConfig(String coordinatorId, List<String> replicas, KafkaSettings kafka, TopicNames topics,
                                int replyPartition, int maxInFlight, Limits limits, MaxClockOffset maxClockOffset) {

    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    public CoordinatorConfig(String coordinatorId, List<String> replicas, KafkaSettings kafka, TopicNames topics,
                             int replyPartition, int maxInFlight, Limits limits) {
        this(coordinatorId, replicas, kafka, topics, replyPartition, maxInFlight, limits, MaxClockOffset.DEFAULT);
    }

    public CoordinatorConfig {
        TopicNames.requireLegal("coordinator id", coordinatorId);
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one replica is required");
        }
        replicas.forEach(r -> TopicNames.requireLegal("replica id", r));
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException("replica ids must be distinct, got " + replicas);
        }
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(maxClockOffset, "maxClockOffset");
        if (replyPartition < 0 || replyPartition > 10_000) {
            throw new IllegalArgumentException("reply partition must be within 0..10000, got " + replyPartition);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight must be at least 1, got " + maxInFlight);
        }
    }
}
