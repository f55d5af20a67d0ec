package dev.kquorum.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Replica workers on in-memory stores, in this JVM, over the real broker: for tests whose subject
 * is the coordinator or the gateway, not the worker's process or disk.
 */
final class InJvmReplicas implements AutoCloseable {

    private final List<ReplicaWorker> workers = new ArrayList<>();

    InJvmReplicas(List<String> ids, KafkaSettings settings, TopicNames topics, Path dir) {
        for (String id : ids) {
            ReplicaWorker w = ReplicaWorker.start(new WorkerConfig(id, settings, topics, dir.resolve(id), Limits.DEFAULT, false, 1),
                    new InMemoryReplicaStore(), new SimpleMeterRegistry());
            workers.add(w);
        }
    }

    @Override
    public void close() throws InterruptedException {
        // All are asked to stop first, so that they finish their batches in hand side by side.
        workers.forEach(ReplicaWorker::stop);
        workers.forEach(ReplicaWorker::close);
    }
}
