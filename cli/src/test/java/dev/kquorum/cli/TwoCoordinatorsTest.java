package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators share the replicas and the reply topic, each on its own partition, and each
 * runs a thousand mixed operations at once: every operation gets exactly its own answer.
 */
@ExtendWith(KafkaExtension.class)
class TwoCoordinatorsTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final int OPS = 1000;

    @TempDir
    Path dir;

    @Test
    void eachCoordinatorGetsEveryAnswerOfItsOwnAndNoneOfTheOther(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("two"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        SimpleMeterRegistry m1 = new SimpleMeterRegistry();
        SimpleMeterRegistry m2 = new SimpleMeterRegistry();
        try (InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
             Coordinator c1 = Coordinator.start(new CoordinatorConfig("c1", REPLICAS, settings, topics, 0, 10_000, Limits.DEFAULT), m1);
             Coordinator c2 = Coordinator.start(new CoordinatorConfig("c2", REPLICAS, settings, topics, 1, 10_000, Limits.DEFAULT), m2)) {
            CompletableFuture<List<String>> problems1 = CompletableFuture.supplyAsync(() -> runMixed(c1, "c1"));
            CompletableFuture<List<String>> problems2 = CompletableFuture.supplyAsync(() -> runMixed(c2, "c2"));
            assertThat(problems1.get(120, TimeUnit.SECONDS)).isEmpty();
            assertThat(problems2.get(120, TimeUnit.SECONDS)).isEmpty();
            assertThat(m1.get("kquorum.coordinator.replies.stray").counter().count()).isZero();
            assertThat(m2.get("kquorum.coordinator.replies.stray").counter().count()).isZero();
            long completed = (long) m1.get("kquorum.coordinator.operation").timers().stream().mapToLong(t -> t.count()).sum();
            assertThat(completed).isEqualTo(OPS);
        }
    }

    /**
     * Puts, gets and deletes of this coordinator's own keys, up to 50 in flight; returns every
     * answer that was missing or not the answer to its own request.
     */
    private static List<String> runMixed(Coordinator c, String name) {
        Semaphore window = new Semaphore(50);
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < OPS; i++) {
            String key = name + "-k" + (i / 3);
            Op op = switch (i % 3) {
                case 0 -> Op.PUT;
                case 1 -> Op.GET;
                default -> Op.DELETE;
            };
            String value = name + "-v" + i;
            ExternalRequest request = switch (op) {
                case PUT -> ExternalRequest.put(key, value.getBytes(UTF_8));
                case GET -> ExternalRequest.get(key);
                case DELETE -> ExternalRequest.delete(key);
            };
            window.acquireUninterruptibly();
            int n = i;
            all.add(c.execute(request).orTimeout(30, TimeUnit.SECONDS).handle((o, error) -> {
                window.release();
                if (error != null) {
                    problems.add(n + ": no answer (" + error + ")");
                } else if (o.op() != op || !key.equals(o.key())) {
                    problems.add(n + ": answer for " + o.op() + " " + o.key() + " to " + op + " " + key);
                } else if (o.status() != Status.OK && !(op == Op.GET && o.status() == Status.NOT_FOUND)) {
                    problems.add(n + ": " + o);
                } else if (op == Op.GET && o.status() == Status.OK && !new String(o.value(), UTF_8).startsWith(name + "-v")) {
                    problems.add(n + ": read another coordinator's value " + new String(o.value(), UTF_8));
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return problems;
    }
}
