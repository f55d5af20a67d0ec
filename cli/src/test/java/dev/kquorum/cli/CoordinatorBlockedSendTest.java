package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica topic that Kafka cannot serve must not stall the coordinator: its topic is deleted
 * after the coordinator started and a colliding name ({@code p_replica_r3}) is created, so the
 * topic can be neither found nor auto-created and a producer would wait for its metadata for
 * {@code max.block.ms}. Writes at QUORUM on the two healthy replicas still succeed promptly, one
 * after another, and the coordinator's loop goes on.
 */
@ExtendWith(KafkaExtension.class)
class CoordinatorBlockedSendTest {

    @TempDir
    Path dir;

    @Test
    void anUnservableReplicaTopicCostsNoOtherReplicaItsWrites(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("blocked"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        List<String> group = List.of("r1", "r2", "r3");
        // r3 has no worker: its topic is about to become unservable.
        try (InJvmReplicas replicas = new InJvmReplicas(List.of("r1", "r2"), settings, topics, dir);
             Coordinator coordinator = Coordinator.start(new CoordinatorConfig("c1", group, settings, topics, 0, 10_000,
                     Limits.DEFAULT), new SimpleMeterRegistry());
             Admin admin = Admin.create(settings.admin("blocked-admin"))) {
            String r3 = topics.replica("r3");
            admin.deleteTopics(List.of(r3)).all().get(30, TimeUnit.SECONDS);
            String colliding = r3.replace('.', '_');
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                admin.createTopics(List.of(new NewTopic(colliding, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
                return true;
            });

            CompletableFuture<List<Outcome>> writes = CompletableFuture.supplyAsync(() -> {
                List<Outcome> outcomes = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    outcomes.add(coordinator.put("k" + i, "v".getBytes(UTF_8)).join());
                }
                return outcomes;
            });
            await().atMost(Duration.ofSeconds(15)).until(writes::isDone);
            assertThat(writes.get()).allSatisfy(o -> assertThat(o.isOk()).as(o.toString()).isTrue());
            assertThat(coordinator.isRunning()).isTrue();
        }
    }
}
