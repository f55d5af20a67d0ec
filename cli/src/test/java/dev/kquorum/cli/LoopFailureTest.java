package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kquorum.common.health.Health;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loop that ends on an unexpected RuntimeException leaves no silent zombie: the failure is
 * injected through a poisoned value deserializer (a record {@code POISON} makes {@code poll}
 * throw) over the real broker. Accepted operations end with an error, new ones are refused at
 * once, /health names the failed loop, and {@code kquorum coordinator} exits non-zero.
 */
@ExtendWith(KafkaExtension.class)
class LoopFailureTest {

    private static final Logger log = LoggerFactory.getLogger(LoopFailureTest.class);

    @TempDir
    Path dir;

    private static KafkaSettings poisonable(TestKafka kafka) {
        return new KafkaSettings(kafka.bootstrapServers(), Map.of("value.deserializer", PoisonDeserializer.class.getName()));
    }

    private static void poison(KafkaSettings settings, String topic, int partition) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("poisoner"))) {
            producer.send(new ProducerRecord<>(topic, partition, null, PoisonDeserializer.POISON));
        }
    }

    @Test
    void aFailedCoordinatorLoopEndsItsCallsRefusesNewOnesAndIsUnhealthy(TestKafka kafka) {
        KafkaSettings settings = poisonable(kafka);
        TopicNames topics = new TopicNames(kafka.uniqueName("zombie-c"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // r1 has no worker: the put below stays in flight until the loop fails.
        try (CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), settings, topics, 0, 100,
                     Limits.DEFAULT), registry)) {
            Coordinator coordinator = node.coordinator();
            CompletableFuture<Outcome> inFlight = coordinator.execute(ProtocolCodec.decodeExternalRequest(
                    "{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"timeoutMs\":60000}".getBytes(UTF_8)));
            assertThat(inFlight).isNotDone();

            poison(settings, topics.replies(), 0);

            await().atMost(Duration.ofSeconds(10)).until(inFlight::isDone);
            Outcome ended = inFlight.join();
            assertThat(ended.status()).isEqualTo(Status.QUORUM_NOT_REACHED);
            assertThat(ended.error()).contains("loop failed");
            CompletableFuture<Outcome> refused = coordinator.execute(ExternalRequest.get("k"));
            assertThat(refused).isDone();
            assertThat(refused.join().status()).isNotEqualTo(Status.OK);
            assertThat(refused.join().error()).contains("loop failed");
            assertThat(coordinator.isRunning()).isFalse();
            Health health = node.health();
            assertThat(health.healthy()).isFalse();
            assertThat(String.valueOf(health.details().get("coordinatorLoop"))).contains("loop failed", "poisoned record");
        }
    }

    @Test
    void aFailedGatewayLoopIsUnhealthy(TestKafka kafka) {
        KafkaSettings settings = poisonable(kafka);
        TopicNames topics = new TopicNames(kafka.uniqueName("zombie-g"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", List.of("r1"), settings, topics, 0, 100,
                     Limits.DEFAULT), registry)) {
            Coordinator coordinator = node.coordinator();
            RequestGateway gateway = node.gateway();
            await().atMost(Duration.ofSeconds(30)).until(() -> node.health().healthy());

            poison(settings, topics.requests(), 0);

            await().atMost(Duration.ofSeconds(30)).until(() -> !gateway.isRunning());
            Health health = node.health();
            assertThat(health.healthy()).isFalse();
            assertThat(String.valueOf(health.details().get("gatewayLoop"))).contains("loop failed", "poisoned record");
            assertThat(coordinator.isRunning()).isTrue();
        }
    }

    @Test
    void theCoordinatorCommandExitsNonZeroWhenALoopFails(TestKafka kafka) throws Exception {
        KafkaSettings settings = poisonable(kafka);
        TopicNames topics = new TopicNames(kafka.uniqueName("zombie-p"));
        Path config = dir.resolve("poisonable.properties");
        Files.writeString(config, "value.deserializer=" + PoisonDeserializer.class.getName() + "\n");
        List<String> output = new CopyOnWriteArrayList<>();
        try (ChildJvm coordinator = ChildJvm.start("coordinator", List.of(), Main.class,
                List.of("coordinator", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", topics.prefix(),
                        "--replicas", "r1", "--id", "c1", "--config", config.toString()),
                CoordinatorCommand.READY_PREFIX, Duration.ofSeconds(90), line -> {
                    output.add(line);
                    log.info("[coordinator] {}", line);
                })) {
            poison(settings, topics.requests(), 0);

            int exit = coordinator.awaitExitCode(Duration.ofSeconds(30));
            assertThat(exit).as("exit code").isEqualTo(Main.EXIT_LOOP_FAILED);
            assertThat(String.join("\n", output)).contains("gateway loop failed");
        }
    }
}
