package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that takes over a partition, or lost its disk, restores the partition's store from
 * the changelog before it answers anything from it: a read answered from a half-restored store
 * would be a stale read.
 */
@ExtendWith(KafkaExtension.class)
class WorkerRestoreTest {

    @TempDir
    Path dir;

    private static Versioned value(long ts) {
        return new Versioned(new Version(ts, "c1"), ("v" + ts).getBytes(UTF_8));
    }

    @Test
    void aWipedStateDirectoryIsRestoredBeforeAnyReadIsAnswered(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            // One key written many times: its changelog holds every version, oldest first, so a
            // read answered part way through the restore would see an older one.
            int writes = 20_000;
            for (int i = 1; i <= writes; i++) {
                h.sendAsync(i, ProtocolCodec.encode(new ReplicaRequest.Write("probe", value(i))));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> h.replies.size() == writes);
            h.stopWorker();
            Directories.deleteRecursively(h.config.dataDir());

            // The read waits on the topic while the worker comes back with nothing on its disk.
            h.sendAsync(writes + 1, ProtocolCodec.encode(new ReplicaRequest.Read("probe")));
            h.restartWorker();

            await().atMost(Duration.ofSeconds(60)).until(() -> h.replies.containsKey((long) writes + 1));
            assertThat(h.registry.get("kquorum.worker.restored").counter().count())
                    .as("entries restored from the changelog").isGreaterThanOrEqualTo(writes);
            assertThat(h.replies.get((long) writes + 1)).isEqualTo(new ReplicaReply.Value("r1", "probe", value(writes)));
            assertThat(h.held("probe")).isEqualTo(value(writes));
        }
    }
}
