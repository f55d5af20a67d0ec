package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record that fits the replica topic but whose dead letter would not fit the dead-letter topic:
 * the dead letter becomes a small reference to it, and the worker goes on.
 */
@ExtendWith(KafkaExtension.class)
class WorkerPoisonPillTest {

    @TempDir
    Path dir;

    @Test
    void aNearMegabyteGarbageRecordIsDeadLetteredByReferenceAndTheWorkerGoesOn(TestKafka kafka) throws Exception {
        // A dead-letter topic at the broker's default record limit (1 MiB), as on a cluster where it
        // was created by hand: the record, with its dead-letter headers, no longer fits it.
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT, WorkerConfig.DEFAULT_TOMBSTONE_GRACE, Map.of(),
                t -> {
                    KafkaSettings admin = KafkaSettings.of(kafka.bootstrapServers());
                    TopicAdmin.ensure(admin, Map.of(t.replies(), 1));
                    TopicAdmin.ensure(admin, Map.of(t.replicaDlq("r1"), 1), Map.of("max.message.bytes", "1048588"));
                })) {
            byte[] garbage = new byte[1_048_000];
            Arrays.fill(garbage, (byte) 'x');
            h.send(1, garbage, System.currentTimeMillis() + 60_000);
            h.send(2, new ReplicaRequest.Write("after", new Versioned(new Version(5, "c"), "ok".getBytes(UTF_8))));

            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(2L) && h.deadLetters.size() == 1);
            assertThat(h.replies.get(2L)).isEqualTo(new ReplicaReply.Ack("r1", "after", new Version(5, "c")));
            assertThat(h.replies.get(1L)).isInstanceOf(ReplicaReply.Invalid.class);

            ConsumerRecord<byte[], byte[]> reference = h.deadLetters.get(0);
            assertThat(WorkerHarness.header(reference, "kq_source")).isEqualTo(h.config.topic() + "-0@0");
            assertThat(WorkerHarness.header(reference, KqHeaders.ERROR)).contains("malformed JSON");
            String body = new String(reference.value(), UTF_8);
            assertThat(body).contains(h.config.topic() + "-0@0").contains("1048000").contains("malformed JSON");
            assertThat(reference.value().length).isLessThan(4_096);
        }
    }
}
