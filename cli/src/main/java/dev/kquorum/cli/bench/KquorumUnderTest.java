package dev.kquorum.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Base64;

/** N real workers (Kafka Streams, RocksDB), a coordinator and its request gateway, in this process, on the benchmark's broker. */
final class KquorumUnderTest implements AutoCloseable {

    static final int KEYS = 1000;

    private final List<ReplicaWorker> workers = new ArrayList<>();
    private final Coordinator coordinator;
    private final RequestGateway gateway;
    private final TopicNames topics;
    private final byte[] value;

    KquorumUnderTest(KafkaSettings kafka, String prefix, int n, Path dataDir, int valueBytes) {
        TopicNames topics = new TopicNames(prefix);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String id = "r" + i;
            ids.add(id);
            workers.add(ReplicaWorker.start(new WorkerConfig(id, kafka, topics, dataDir.resolve(id), Limits.DEFAULT,
                    TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()));
        }
        workers.forEach(w -> w.requireRunning(Duration.ofSeconds(60)));
        coordinator = Coordinator.start(new CoordinatorConfig("bench", ids, kafka, topics, 0,
                CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry());
        gateway = RequestGateway.start(coordinator, kafka, topics, "bench-gateway", new SimpleMeterRegistry());
        this.topics = topics;
        value = new byte[valueBytes];
        Arrays.fill(value, (byte) 'x');
    }

    /** The request topic, as external clients publish to it. */
    String requestTopic() {
        return topics.requests();
    }

    /** The JSON an external client publishes for operation {@code i}: a put of this run's value, or a get. */
    byte[] requestJson(Op op, long i) {
        String value = op == Op.PUT ? ",\"value\":\"" + new String(this.value, UTF_8) + "\"" : "";
        return ("{\"op\":\"" + op.wireName() + "\",\"key\":\"" + key(i) + "\"" + value + "}").getBytes(UTF_8);
    }

    static String key(long i) {
        return "key-" + (i % KEYS);
    }

    /** Writes every key once, so that reads find values. */
    void populate() throws Exception {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            all.add(coordinator.put("key-" + k, value));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    Target put(Consistency w) {
        return put(w, null);
    }

    Target get(Consistency r) {
        return get(r, null);
    }

    /** Puts through {@code QuorumClient}; {@code mode} null for the default (quorum). */
    Target put(Consistency w, Mode mode) {
        return i -> coordinator.execute(new ExternalRequest(Op.PUT, key(i), value, w, null, null, mode))
                .thenApply(o -> o.status() == Status.OK);
    }

    Target get(Consistency r, Mode mode) {
        return i -> coordinator.execute(new ExternalRequest(Op.GET, key(i), null, null, r, null, mode))
                .thenApply(o -> o.status() == Status.OK);
    }

    /** The bytes of a write request as a worker receives it, for a baseline payload of the same size. */
    byte[] samplePayload() {
        return ("{\"v\":1,\"type\":\"write\",\"key\":\"key-1\",\"version\":\"1795694522319.0@bench\",\"value\":\""
                + Base64.getEncoder().encodeToString(value) + "\"}").getBytes(UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        gateway.close();
        coordinator.close();
        // All are asked to stop first, so that they finish their batches in hand side by side.
        workers.forEach(ReplicaWorker::stop);
        workers.forEach(ReplicaWorker::close);
    }
}
