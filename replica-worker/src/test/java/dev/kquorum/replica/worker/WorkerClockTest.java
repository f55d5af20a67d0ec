package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A worker's clock against the coordinators' clocks, on a real broker. */
@ExtendWith(KafkaExtension.class)
class WorkerClockTest {

    @TempDir
    Path dir;

    /**
     * A coordinator whose clock lags the worker's by more than its timeout sends deadlines that
     * look past to the worker. A worker that is keeping up answers anyway: operations complete
     * whatever the skew between hosts.
     */
    @Test
    void aWorkerThatIsKeepingUpAnswersWhateverTheCoordinatorsClockSays(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            long laggingDeadline = System.currentTimeMillis() - 60_000;
            h.send(1, ProtocolCodec.encode(new ReplicaRequest.Read("k")), laggingDeadline);
            h.send(2, ProtocolCodec.encode(new ReplicaRequest.Write("k", new Versioned(new Version(HybridClock.pack(1_000, 0), "c1"),
                    "v".getBytes(UTF_8)))), laggingDeadline);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(1L) && h.replies.containsKey(2L));
            assertThat(h.replies.get(1L)).isInstanceOf(ReplicaReply.Value.class);
            assertThat(h.replies.get(2L)).isInstanceOf(ReplicaReply.Ack.class);
        }
    }

    /** A version an hour ahead of the worker's clock is refused, naming the skew, and not stored. */
    @Test
    void aVersionFarAheadOfTheWorkersClockIsRefused(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            Version bogus = new Version(HybridClock.pack(System.currentTimeMillis() + 3_600_000, 0), "zz");
            h.send(1, new ReplicaRequest.Write("k", new Versioned(bogus, "bogus".getBytes(UTF_8))));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(1L));
            assertThat(h.replies.get(1L)).isInstanceOfSatisfying(ReplicaReply.Invalid.class,
                    invalid -> assertThat(invalid.error()).contains("ahead of the appending broker's clock", "max clock offset"));
            assertThat(h.held("k")).isNull();
        }
    }

    /**
     * A version is judged by when Kafka appended its request, not by when the replica gets to it:
     * so a request applied again (its transaction aborted by a crash after its reply went out, on
     * a clock stepped back across the restart) is decided as it was the first time. Here the
     * replica gets to a write only after its own clock has passed the version, which was 1.5 s
     * ahead of the broker's when the request was appended: refused, as it would have been then.
     */
    @Test
    void aVersionIsJudgedByWhenKafkaAppendedItsRequestNotByWhenTheReplicaAppliesIt(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT, WorkerConfig.DEFAULT_TOMBSTONE_GRACE, Map.of(),
                t -> TopicAdmin.ensure(KafkaSettings.of(kafka.bootstrapServers()), Map.of(t.replies(), 1, t.replica("r1"), 1),
                        TopicAdmin.REPLICA_TOPIC_CONFIG), false)) {
            long ahead = System.currentTimeMillis() + 1_500;
            Version early = new Version(HybridClock.pack(ahead, 0), "c1");
            h.send(1, new ReplicaRequest.Write("k", new Versioned(early, "early".getBytes(UTF_8))));
            await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > ahead + 100);
            h.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(1L));
            assertThat(h.replies.get(1L)).isInstanceOfSatisfying(ReplicaReply.Invalid.class,
                    invalid -> assertThat(invalid.error()).contains("ahead of the appending broker's clock"));
            assertThat(h.held("k")).isNull();
        }
    }
}
