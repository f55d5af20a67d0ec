package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input: every bad record goes to the dead-letter topic with its reason, the requester
 * hears INVALID when it left a reply address, and the good request queued behind all of them is
 * still applied.
 */
@ExtendWith(KafkaExtension.class)
class WorkerBadInputTest {

    /** Small limits, so "oversized" needs no megabytes on the wire. */
    private static final Limits LIMITS = new Limits(16, 64);

    @TempDir
    Path dir;

    record Bad(String name, byte[] body, String reason) {
        static Bad of(String name, String json, String reason) {
            return new Bad(name, json.getBytes(UTF_8), reason);
        }
    }

    private static List<Bad> badBodies() {
        return List.of(
                new Bad("garbage bytes", new byte[] {(byte) 0xde, (byte) 0xad, 0x00, (byte) 0xbe, (byte) 0xef}, "malformed JSON"),
                new Bad("empty body", new byte[0], "empty message"),
                Bad.of("truncated JSON", "{\"v\":1,\"type\":\"write\",\"key\":\"k\",\"vers", "malformed JSON"),
                Bad.of("not an object", "[1,2,3]", "expected a JSON object"),
                Bad.of("wrong type for key", "{\"v\":1,\"type\":\"read\",\"key\":42}", "field 'key': expected a string"),
                Bad.of("wrong type for version", "{\"v\":1,\"type\":\"write\",\"key\":\"k\",\"version\":7,\"value\":\"YQ==\"}", "field 'version': expected a string"),
                Bad.of("unknown op", "{\"v\":1,\"type\":\"merge\",\"key\":\"k\"}", "unknown request type 'merge'"),
                Bad.of("missing type", "{\"v\":1,\"key\":\"k\"}", "field 'type': missing"),
                Bad.of("missing version", "{\"v\":1,\"type\":\"write\",\"key\":\"k\",\"value\":\"YQ==\"}", "field 'version': missing"),
                Bad.of("missing key", "{\"v\":1,\"type\":\"read\"}", "field 'key': missing"),
                Bad.of("unknown schema version", "{\"v\":9,\"type\":\"read\",\"key\":\"k\"}", "schema version 9 is not supported"),
                new Bad("oversized key", ProtocolCodec.encode(new ReplicaRequest.Read("k".repeat(17))), "field 'key': 17 bytes, over the limit of 16"),
                new Bad("oversized value", ProtocolCodec.encode(new ReplicaRequest.Write("k",
                        new Versioned(new Version(1, "c"), new byte[65]))), "field 'value': 65 bytes, over the limit of 64"));
    }

    @Test
    void deadLettersEachBadRecordAnswersInvalidAndKeepsGoing(TestKafka kafka) throws Exception {
        List<Bad> bad = badBodies();
        try (WorkerHarness h = new WorkerHarness(kafka, dir, LIMITS)) {
            long deadline = System.currentTimeMillis() + 30_000;
            for (int i = 0; i < bad.size(); i++) {
                h.send(i, bad.get(i).body(), deadline);
            }
            // Bad headers: no way to answer, so only the dead-letter topic hears of them.
            RecordHeaders badPartition = new RecordHeaders(List.of(
                    new RecordHeader(KqHeaders.REPLY_TOPIC, h.topics.replies().getBytes(UTF_8)),
                    new RecordHeader(KqHeaders.REPLY_PARTITION, new byte[] {1, 2})));
            h.sendRaw(ProtocolCodec.encode(new ReplicaRequest.Read("k")), badPartition);
            RecordHeaders badDeadline = new RecordHeaders(List.of(new RecordHeader(KqHeaders.DEADLINE, new byte[] {1})));
            h.sendRaw(ProtocolCodec.encode(new ReplicaRequest.Read("k")), badDeadline);
            long good = 1_000;
            h.send(good, new ReplicaRequest.Write("after", new Versioned(new Version(5, "c"), "ok".getBytes(UTF_8))));

            await().atMost(Duration.ofSeconds(30)).until(() -> h.replies.containsKey(good) && h.deadLetters.size() == bad.size() + 2);
            assertThat(h.replies.get(good)).isEqualTo(new ReplicaReply.Ack("r1", "after", new Version(5, "c")));

            for (int i = 0; i < bad.size(); i++) {
                Bad b = bad.get(i);
                assertThat(h.replies.get((long) i)).as(b.name())
                        .isInstanceOfSatisfying(ReplicaReply.Invalid.class, r -> assertThat(r.error()).contains(b.reason()));
            }
            List<String> reasons;
            synchronized (h.deadLetters) {
                reasons = h.deadLetters.stream().map(r -> WorkerHarness.header(r, KqHeaders.ERROR)).toList();
                for (ConsumerRecord<byte[], byte[]> r : h.deadLetters) {
                    assertThat(WorkerHarness.header(r, "kq_source")).startsWith(h.config.topic() + "-0@");
                }
            }
            assertThat(reasons).hasSize(bad.size() + 2);
            Stream.concat(bad.stream().map(Bad::reason), Stream.of("kafka_replyPartition", "kq_deadline"))
                    .forEach(reason -> assertThat(reasons).anySatisfy(r -> assertThat(r).contains(reason)));
            assertThat(h.registry.get("kquorum.worker.dlq").counter().count()).isEqualTo(bad.size() + 2.0);
            assertThat(h.held("after")).isNotNull();
        }
    }
}
