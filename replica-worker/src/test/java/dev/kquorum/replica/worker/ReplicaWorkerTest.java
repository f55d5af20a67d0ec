package dev.kquorum.replica.worker;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.KafkaSettings;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class ReplicaWorkerTest {

    @TempDir
    Path dir;

    private static Versioned value(long ts, String text) {
        return new Versioned(new Version(ts, "c1"), text.getBytes(UTF_8));
    }

    @Test
    void appliesAStreamOfRequestsAndAnswersEach(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                h.send(i, new ReplicaRequest.Write("k" + (i % 100), value(i + 1, "v" + i)));
            }
            h.send(n, new ReplicaRequest.Read("k7"));
            await().atMost(Duration.ofSeconds(60)).until(() -> h.replies.size() == n + 1);
            assertThat(h.replies.get(5L)).isEqualTo(new ReplicaReply.Ack("r1", "k5", new Version(6, "c1")));
            // The read was published after every write to k7; the newest is i = 1907.
            assertThat(h.replies.get((long) n)).isEqualTo(new ReplicaReply.Value("r1", "k7", value(1908, "v1907")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.committed() == n + 1);
            assertThat(h.registry.get("kquorum.worker.requests.applied").tag("type", "write").counter().count()).isEqualTo(n);
        }
    }

    @Test
    void purgesTombstonesOnceTheirGracePeriodIsOver(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT, Duration.ofSeconds(1))) {
            long longAgo = System.currentTimeMillis() - 60_000;
            h.send(1, new ReplicaRequest.Write("deleted", Versioned.tombstone(new Version(HybridClock.pack(longAgo, 0), "c1"))));
            h.send(2, new ReplicaRequest.Write("alive", value(HybridClock.pack(longAgo, 0), "still here")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.held("deleted") == null);
            assertThat(h.held("alive")).isNotNull();
            assertThat(h.registry.get("kquorum.worker.tombstones.purged").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void purgesTombstonesInBoundedChunksBetweenBatches(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT, Duration.ofSeconds(1))) {
            long longAgo = System.currentTimeMillis() - 60_000;
            int tombstones = 2_500;
            for (int i = 0; i < tombstones; i++) {
                h.sendAsync(i, ProtocolCodec.encode(new ReplicaRequest.Write("gone" + i,
                        Versioned.tombstone(new Version(HybridClock.pack(longAgo, 0), "c1")))));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> h.replies.size() == tombstones);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> h.registry.get("kquorum.worker.tombstones.purged").counter().count() == tombstones);
            var scanned = h.registry.get("kquorum.worker.purge.scanned").summary();
            assertThat(scanned.max()).as("keys scanned in one turn of the loop").isLessThanOrEqualTo(ChunkedPurge.CHUNK);
            assertThat(scanned.count()).isGreaterThanOrEqualTo(3);
        }
    }

    /**
     * While it catches up (here: requests queued before it started, taken one per poll), a worker
     * skips reads whose deadline has passed and sends no reply for late writes, which it still
     * applies. (A worker that keeps up answers whatever the deadline says: WorkerClockTest.)
     */
    @Test
    void whileCatchingUpSkipsReadsWhoseDeadlineHasPassedButAppliesLateWrites(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT, WorkerConfig.DEFAULT_TOMBSTONE_GRACE,
                Map.of("max.poll.records", "1"), t -> TopicAdmin.ensure(KafkaSettings.of(kafka.bootstrapServers()),
                        Map.of(t.replies(), 1, t.replica("r1"), 1), TopicAdmin.REPLICA_TOPIC_CONFIG), false)) {
            long past = System.currentTimeMillis() - 1;
            h.send(1, ProtocolCodec.encode(new ReplicaRequest.Write("late", value(5, "applied"))), past);
            h.send(2, ProtocolCodec.encode(new ReplicaRequest.Read("late")), past);
            h.send(3, new ReplicaRequest.Read("late"));
            h.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(3L));
            assertThat(h.replies.get(3L)).isEqualTo(new ReplicaReply.Value("r1", "late", value(5, "applied")));
            assertThat(h.replies).doesNotContainKeys(1L, 2L);
            assertThat(h.registry.get("kquorum.worker.reads.expired").counter().count()).isEqualTo(1.0);
        }
    }
}
