package dev.kquorum.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Replica workers in this JVM, over the real broker: for tests whose subject is the coordinator or
 * the gateway, not the worker's process.
 */
final class InJvmReplicas implements AutoCloseable {

    private final List<ReplicaWorker> workers = new ArrayList<>();

    InJvmReplicas(List<String> ids, KafkaSettings settings, TopicNames topics, Path dir) {
        try {
            for (String id : ids) {
                workers.add(ReplicaWorker.start(new WorkerConfig(id, settings, topics, dir.resolve(id), Limits.DEFAULT,
                        TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()));
            }
            workers.forEach(w -> w.requireRunning(Duration.ofSeconds(60)));
        } catch (RuntimeException e) {
            workers.forEach(ReplicaWorker::close);
            throw e;
        }
    }

    /**
     * What replica {@code id}'s stores hold for each key, read by a worker started here on the
     * state directory a worker process left behind (stopped or killed): its stores as a restart
     * finds them, caught up from their changelogs.
     */
    static Map<String, Versioned> held(KafkaSettings settings, TopicNames topics, String id, Path stateDir, Collection<String> keys) {
        try (ReplicaWorker worker = ReplicaWorker.start(new WorkerConfig(id, settings, topics, stateDir, Limits.DEFAULT,
                TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()).requireRunning(Duration.ofSeconds(60))) {
            Map<String, Versioned> held = new HashMap<>();
            for (String key : keys) {
                Versioned v = worker.held(key);
                if (v != null) {
                    held.put(key, v);
                }
            }
            return held;
        }
    }

    @Override
    public void close() throws InterruptedException {
        // All are asked to stop first, so that they stop side by side.
        workers.forEach(ReplicaWorker::stop);
        workers.forEach(ReplicaWorker::close);
    }
}
