package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path, as a user runs it: three worker processes, a coordinator, a real broker. Workers
 * are SIGKILLed and brought back, one loses its disk; the outcomes say what happened, and the
 * stores show that catch-up and restore did their work.
 */
@ExtendWith(KafkaExtension.class)
class QuorumEndToEndTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    private final Map<String, ChildJvm> workers = new HashMap<>();
    private TestKafka kafka;
    private TopicNames topics;
    private Coordinator coordinator;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stopEverything() {
        if (coordinator != null) {
            coordinator.close();
        }
        workers.values().forEach(ChildJvm::kill);
    }

    private void start(String id) {
        workers.put(id, WorkerProcess.start(id, kafka.bootstrapServers(), topics.prefix(), dir.resolve(id)));
    }

    /** Each start is mostly waiting for its group and topics. */
    private void startSideBySide(List<String> ids) {
        ids.parallelStream().map(id -> Map.entry(id, WorkerProcess.start(id, kafka.bootstrapServers(), topics.prefix(), dir.resolve(id))))
                .toList().forEach(e -> workers.put(e.getKey(), e.getValue()));
    }

    private void kill(String id) {
        workers.remove(id).kill();
    }

    private Outcome run(ExternalRequest request) throws Exception {
        return coordinator.execute(request).get(30, TimeUnit.SECONDS);
    }

    private Outcome put(String key, String value) throws Exception {
        return run(ExternalRequest.put(key, value.getBytes(UTF_8)));
    }

    private Outcome get(String key, Consistency r, long timeoutMs) throws Exception {
        return run(new ExternalRequest(Op.GET, key, null, null, r, timeoutMs, null));
    }

    @Test
    void survivesOneLossReportsTwoAndHealsAfterwards(TestKafka kafka) throws Exception {
        this.kafka = kafka;
        topics = new TopicNames(kafka.uniqueName("e2e"));
        startSideBySide(REPLICAS);
        coordinator = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, KafkaSettings.of(kafka.bootstrapServers()),
                topics, 0, 1000, dev.kquorum.common.protocol.Limits.DEFAULT), registry);

        // All up.
        Outcome v1 = put("k1", "v1");
        assertThat(v1.status()).isEqualTo(Status.OK);
        assertThat(get("k1", null, 2000)).satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.OK);
            assertThat(new String(o.value(), UTF_8)).isEqualTo("v1");
            assertThat(o.version()).isEqualTo(v1.version());
        });

        // One replica lost: the quorum of two carries on.
        kill("r3");
        Outcome v2 = put("k2", "v2");
        assertThat(v2.status()).isEqualTo(Status.OK);
        assertThat(v2.replicas()).containsExactlyInAnyOrder("r1", "r2");
        assertThat(new String(get("k2", null, 2000).value(), UTF_8)).isEqualTo("v2");

        // Two lost: no quorum, said plainly and within the timeout, naming the one that answered.
        kill("r2");
        long started = System.nanoTime();
        Outcome v3 = run(new ExternalRequest(Op.PUT, "k3", "v3".getBytes(UTF_8), null, null, 1500L, null));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(v3.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(v3.replicas()).containsExactly("r1");
        assertThat(v3.acks()).isEqualTo(1);
        assertThat(v3.required()).isEqualTo(2);
        assertThat(v3.error()).startsWith("1 of 3 replicas acknowledged within 1500 ms (needed 2): r1");
        assertThat(tookMs).as("answered at the deadline, not long after").isBetween(1400L, 6000L);
        Outcome read = get("k1", null, 1000);
        assertThat(read.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
        assertThat(read.replicas()).containsExactly("r1");

        // Back again: they catch up from their topics, including the write they missed.
        startSideBySide(List.of("r2", "r3"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Outcome all = get("k3", Consistency.ALL, 2000);
            assertThat(all.status()).isEqualTo(Status.OK);
            assertThat(new String(all.value(), UTF_8)).isEqualTo("v3");
        });

        // r3 loses its disk: its stores come back from their changelogs, with no read needed.
        kill("r3");
        Directories.deleteRecursively(dir.resolve("r3"));
        start("r3");
        // With r1 and r2 gone, only the restored r3 can answer.
        kill("r1");
        kill("r2");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Outcome fromR3 = get("k1", Consistency.ONE, 2000);
            assertThat(fromR3.replicas()).containsExactly("r3");
            assertThat(fromR3.status()).isEqualTo(Status.OK);
            assertThat(fromR3.version()).isEqualTo(v1.version());
        });

        coordinator.close();
        coordinator = null;
        assertThat(workers.remove("r3").terminate(Duration.ofSeconds(30))).as("r3 exits cleanly on SIGTERM").isZero();
        workers.values().forEach(w -> w.terminate(Duration.ofSeconds(30)));
        workers.clear();
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        for (String id : REPLICAS) {
            Versioned k1 = InJvmReplicas.held(settings, topics, id, dir.resolve(id), List.of("k1")).get("k1");
            assertThat(k1).as("%s holds the newest k1", id).isNotNull();
            assertThat(k1.version()).isEqualTo(v1.version());
            assertThat(new String(k1.value(), UTF_8)).isEqualTo("v1");
        }
        Map<String, Versioned> r2 = InJvmReplicas.held(settings, topics, "r2", dir.resolve("r2"), List.of("k2", "k3"));
        assertThat(r2.get("k3")).as("r2 caught up with the write it missed").isNotNull();
        assertThat(r2.get("k2").version()).isEqualTo(v2.version());
    }

}
