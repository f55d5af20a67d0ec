package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator restarted with the same id (every container whose java is PID 1 is "c1") must
 * never mint a version an earlier run minted: its clock may have stepped back, and replicas would
 * take the new write for a duplicate of the old one and keep the old value for good.
 */
@ExtendWith(KafkaExtension.class)
class CoordinatorRestartTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    @Test
    void eachRunOfACoordinatorWritesAsItsOwnWriter(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("restart"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        CoordinatorConfig config = new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 100, Limits.DEFAULT);
        try (InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir)) {
            String first;
            try (Coordinator c = Coordinator.start(config, new SimpleMeterRegistry())) {
                first = written(c.put("k", "one".getBytes(UTF_8)).get(30, TimeUnit.SECONDS));
            }
            try (Coordinator c = Coordinator.start(config, new SimpleMeterRegistry())) {
                String second = written(c.put("k", "two".getBytes(UTF_8)).get(30, TimeUnit.SECONDS));
                assertThat(first).startsWith("c1~");
                assertThat(second).startsWith("c1~").isNotEqualTo(first);
            }
        }
    }

    private static String written(Outcome outcome) {
        assertThat(outcome.status()).isEqualTo(Status.OK);
        return outcome.version().writerId();
    }
}
