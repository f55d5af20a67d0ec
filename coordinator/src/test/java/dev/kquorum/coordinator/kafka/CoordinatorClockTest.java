package dev.kquorum.coordinator.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.SteadyClock;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Defect 12 of issue 10: timeouts were measured on the wall clock, so a wall clock stepped back
 * (NTP, an operator) held every call in flight for as long as the step. The coordinator now runs
 * its core on a clock that reads the wall once, at start, and then moves with the monotonic one.
 * Here the wall clock steps back an hour while a put waits for a replica that never answers: the
 * put still ends at its 1 s timeout. (Fails when the coordinator is given the wall clock itself,
 * as before: the put then waits the hour.)
 */
@ExtendWith(KafkaExtension.class)
class CoordinatorClockTest {

    @Test
    void aWallClockSteppedBackDoesNotStretchTheTimeoutsOfCallsInFlight(TestKafka kafka) throws Exception {
        AtomicLong step = new AtomicLong();
        LongSupplier wall = () -> System.currentTimeMillis() + step.get();
        TopicNames topics = new TopicNames(kafka.uniqueName("clock"));
        CoordinatorConfig config = new CoordinatorConfig("c1", List.of("r1"), KafkaSettings.of(kafka.bootstrapServers()), topics,
                0, 100, Limits.DEFAULT);
        try (Coordinator coordinator = Coordinator.start(config, new SimpleMeterRegistry(), new SteadyClock(wall)::millis)) {
            CompletableFuture<Outcome> put = coordinator.execute(
                    new ExternalRequest(Op.PUT, "k", "v".getBytes(UTF_8), null, null, 1_000L, null));
            step.set(-3_600_000);
            Outcome outcome = put.get(10, TimeUnit.SECONDS);
            assertThat(outcome.status()).as("no worker runs: the put times out").isEqualTo(Status.QUORUM_NOT_REACHED);
        }
    }
}
