package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a worker answers is chosen by whoever wrote the request. A bad reply address must cost
 * only that request's answer.
 */
@ExtendWith(KafkaExtension.class)
class WorkerReplyAddressTest {

    @TempDir
    Path dir;

    private static byte[] write(long n) {
        return ProtocolCodec.encode(new ReplicaRequest.Write("k" + n, new Versioned(new Version(n + 1, "c"), ("v" + n).getBytes(UTF_8))));
    }

    @Test
    void badReplyAddressesOnTwoOfThreeReplicasDoNotDelayTheGoodRequestsAmongThem(TestKafka kafka) throws Exception {
        List<WorkerHarness> replicas = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                replicas.add(new WorkerHarness(kafka, dir.resolve("r" + i), Limits.DEFAULT));
            }
            int good = 14;
            for (int n = 0; n < good; n++) {
                for (WorkerHarness h : replicas.subList(0, 2)) {
                    String replies = h.topics.replies();
                    // A partition the reply topic does not have, an illegal name, a name that
                    // collides with the reply topic's (so it can never be created), a topic
                    // Kafka refuses writes to, the replica's own topic (its answer would be read
                    // as a request) and its changelog.
                    List<ReplyAddress> bad = List.of(
                            new ReplyAddress(replies, 99, h.correlationId(-1)),
                            new ReplyAddress("bad topic!", 0, h.correlationId(-2)),
                            new ReplyAddress(replies.replace('.', '_'), 0, h.correlationId(-3)),
                            new ReplyAddress("x".repeat(300), 0, h.correlationId(-4)),
                            new ReplyAddress("__consumer_offsets", 0, h.correlationId(-5)),
                            new ReplyAddress(h.config.topic(), 0, h.correlationId(-6)),
                            new ReplyAddress(WorkerConfig.changelogTopic(h.topics, "r1"), 0, h.correlationId(-7)));
                    h.sendTo(bad.get(n % bad.size()), write(1_000 + n), System.currentTimeMillis() + 60_000);
                }
                for (WorkerHarness h : replicas) {
                    h.send(n, write(n), System.currentTimeMillis() + 60_000);
                }
            }
            for (WorkerHarness h : replicas) {
                await().atMost(Duration.ofSeconds(10)).until(() -> h.replies.size() == good);
            }
            for (WorkerHarness h : replicas.subList(0, 2)) {
                assertThat(h.worker().problem()).as("a bad reply address stops nothing").isNull();
                assertThat(h.worker().state()).isEqualTo("RUNNING");
                assertThat(h.registry.get("kquorum.worker.replies.undeliverable").counter().count()).isEqualTo(good);
                assertThat(h.held("k" + (1_000 + good - 1))).as("a request with a bad reply address is still applied").isNotNull();
            }
        } finally {
            for (WorkerHarness h : replicas) {
                h.close();
            }
        }
    }

    /**
     * Reply topics that Kafka refuses a reply on, though they pass every check a replica can make
     * cheaply: one that holds smaller records than the reply, and a compacted one (a reply has no
     * key, so Kafka rejects it). Under exactly-once a refused record aborts the task's whole
     * transaction and brings its requests back for ever; replies therefore leave outside it, and
     * a refused one is dropped and counted while the requests around it commit.
     */
    @Test
    void repliesKafkaRefusesAreDroppedAndTheReplicaGoesOn(TestKafka kafka) throws Exception {
        try (WorkerHarness h = new WorkerHarness(kafka, dir, Limits.DEFAULT)) {
            String small = h.topics.prefix() + ".small.replies";
            String compacted = h.topics.prefix() + ".compacted.replies";
            TopicAdmin.ensure(h.settings, Map.of(small, 1), Map.of("max.message.bytes", "2048"));
            TopicAdmin.ensure(h.settings, Map.of(compacted, 1), Map.of("cleanup.policy", "compact"));
            byte[] large = new byte[8_192];
            Arrays.fill(large, (byte) 'v');
            h.send(1, new ReplicaRequest.Write("big", new Versioned(new Version(1, "c"), large)));
            h.sendTo(new ReplyAddress(small, 0, h.correlationId(2)), ProtocolCodec.encode(new ReplicaRequest.Read("big")),
                    System.currentTimeMillis() + 60_000);
            h.sendTo(new ReplyAddress(compacted, 0, h.correlationId(3)), write(3), System.currentTimeMillis() + 60_000);
            h.send(4, write(4), System.currentTimeMillis() + 60_000);

            await().atMost(Duration.ofSeconds(20)).until(() -> h.replies.containsKey(4L));
            // Answers are read before their transaction commits: the commit is what a refusal would break.
            await().atMost(Duration.ofSeconds(20)).until(() -> h.committed() == 4);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> h.registry.get("kquorum.worker.replies.undeliverable").counter().count() == 2);
            assertThat(h.replies).containsOnlyKeys(1L, 4L);
            assertThat(h.worker().problem()).isNull();
            assertThat(h.held("k3")).as("the request whose reply was refused is applied").isNotNull();
        }
    }
}
