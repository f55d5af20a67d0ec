package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kquorum.cli.ops.OpsServer;
import dev.kquorum.common.health.KafkaProbe;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.localkafka.LocalKafkaProcess;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees over HTTP: after known traffic, /metrics counts it by operation and
 * outcome with latency histograms; /health is UP, and goes DOWN when the broker is stopped. The
 * broker is a process of its own here, so the test can stop it.
 */
class OpsEndpointsTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> fetch(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCountTheTrafficAndHealthFollowsTheBroker() throws Exception {
        LocalKafkaProcess broker = LocalKafkaProcess.start(dir.resolve("kafka"), 0, Duration.ofSeconds(90));
        KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
        TopicNames topics = new TopicNames("ops");
        PrometheusMeterRegistry workerRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry coordinatorRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReplicaWorker worker = ReplicaWorker.start(new WorkerConfig("r1", kafka, topics, dir.resolve("r1"),
                Limits.DEFAULT, TopicAdmin.REPLICA_PARTITIONS), workerRegistry).requireRunning(Duration.ofSeconds(60));
        try (broker;
             CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), kafka, topics, 0, 100, Limits.DEFAULT),
                     coordinatorRegistry);
             KafkaProbe workerProbe = new KafkaProbe(kafka, "probe-w");
             OpsServer coordinatorOps = OpsServer.start(0, coordinatorRegistry, node::health);
             OpsServer workerOps = OpsServer.start(0, workerRegistry, () -> WorkerCommand.health(worker, workerProbe))) {
            Coordinator coordinator = node.coordinator();
            for (int i = 0; i < 5; i++) {
                assertThat(coordinator.put("k" + i, "v".getBytes(UTF_8)).get(30, TimeUnit.SECONDS).isOk()).isTrue();
            }
            for (int i = 0; i < 3; i++) {
                assertThat(coordinator.get("k" + i).get(30, TimeUnit.SECONDS).isOk()).isTrue();
            }
            for (int i = 0; i < 2; i++) {
                coordinator.get("missing" + i).get(30, TimeUnit.SECONDS);
            }
            coordinator.execute(new ExternalRequest(dev.kquorum.common.protocol.Op.PUT, "k", "v".getBytes(UTF_8),
                    dev.kquorum.common.quorum.Consistency.count(2), null, null, null)).get(30, TimeUnit.SECONDS);

            String metrics = fetch(coordinatorOps.port(), "/metrics").body();
            assertThat(metrics)
                    .containsPattern("kquorum_coordinator_operation_seconds_count\\{op=\"put\",status=\"OK\"} 5(\\.0)?\\n")
                    .containsPattern("kquorum_coordinator_operation_seconds_count\\{op=\"get\",status=\"OK\"} 3(\\.0)?\\n")
                    .containsPattern("kquorum_coordinator_operation_seconds_count\\{op=\"get\",status=\"NOT_FOUND\"} 2(\\.0)?\\n")
                    .containsPattern("kquorum_coordinator_operation_seconds_count\\{op=\"put\",status=\"INVALID\"} 1(\\.0)?\\n")
                    .containsPattern("kquorum_coordinator_operation_seconds_bucket\\{op=\"put\",status=\"OK\",le=\"[0-9.]+\"}")
                    .contains("kquorum_coordinator_inflight", "kquorum_coordinator_read_repairs_total");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(fetch(workerOps.port(), "/metrics").body())
                            .containsPattern("kquorum_worker_requests_applied_total\\{replica=\"r1\",type=\"write\"} 5(\\.0)?\\n")
                            .containsPattern("kquorum_worker_requests_applied_total\\{replica=\"r1\",type=\"read\"} 5(\\.0)?\\n")
                            .contains("kquorum_worker_lag{replica=\"r1\"}", "kquorum_worker_dlq_total", "kquorum_worker_apply_seconds",
                                    "kquorum_worker_partitions_restoring{replica=\"r1\"}"));

            HttpResponse<String> up = fetch(coordinatorOps.port(), "/health");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("\"status\":\"UP\"", "\"kafka\":\"connected\"");
            HttpResponse<String> workerUp = fetch(workerOps.port(), "/health");
            assertThat(workerUp.statusCode()).isEqualTo(200);
            assertThat(workerUp.body()).contains("\"state\":\"RUNNING\"", "\"restoring\":0");

            broker.kill();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> down = fetch(coordinatorOps.port(), "/health");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("\"status\":\"DOWN\"", "Kafka did not answer");
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> fetch(workerOps.port(), "/health").statusCode() == 503);
        } finally {
            worker.close();
        }
    }
}
