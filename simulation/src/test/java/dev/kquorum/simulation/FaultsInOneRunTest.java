package dev.kquorum.simulation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.kquorum.cli.KquorumProcesses;
import dev.kquorum.cli.verify.Workload;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.history.HistoryCheck;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults of issue 10, all in one run of real processes under a steady load through
 * {@code kq.requests}: a coordinator SIGKILLed (answers resume on every request partition within
 * 10 s), a request executed again (a client retry with the same requestId, after a newer write),
 * a far-future version sent straight to a replica topic, a near-1 MB poison pill on a replica
 * topic, and a worker that fell out of its topic's retention. The history of the whole run must
 * keep the quorum promise, and no acknowledged write may be lost. (Brokers killed are
 * BrokerFailoverTest's.)
 */
@ExtendWith(KafkaExtension.class)
class FaultsInOneRunTest {

    private static final Logger log = LoggerFactory.getLogger(FaultsInOneRunTest.class);
    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final int REQUEST_PARTITIONS = 4;

    @TempDir
    Path dir;

    private TopicNames topics;
    private String bootstrap;
    private final Map<String, ChildJvm> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> r3Output = new CopyOnWriteArrayList<>();

    @Test
    void everyPromiseHoldsWithTheFaultsOfIssue10InOneRun(TestKafka kafka) throws Exception {
        topics = new TopicNames(kafka.uniqueName("faults"));
        bootstrap = kafka.bootstrapServers();
        KafkaSettings settings = KafkaSettings.of(bootstrap);
        try {
            // Side by side: each start is mostly waiting for its group and topics.
            REPLICAS.parallelStream().forEach(this::startWorker);
            startCoordinator("c1", 0);
            startCoordinator("c2", 1);
            Workload load = new Workload(settings, topics, new Workload.Plan(4, 12, "load-", Mode.QUORUM, Duration.ofSeconds(5)));
            load.start();
            try (GatewayClient client = new GatewayClient(settings, topics)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> load.history().size() > 20);

                coordinatorKilledAndPeerTakesOver(client);
                retriedRequestSupersedesNothing(client);
                farFutureVersionIsRefused(settings, client);
                poisonPillDoesNotStopItsWorker(settings, client);
                workerOutOfRetentionRefusesToServe(settings, load);

                int before = load.history().size();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.history().size() > before + 20);
            }
            load.stop();
            assertThat(load.failure()).isEmpty();
            // r3 serves nothing now: a read quorum of the other two sees every acknowledged write.
            assertThat(load.finalReads(Duration.ofSeconds(60), Consistency.QUORUM)).as("keys that could not be read").isEmpty();
            HistoryCheck.Verdict verdict = HistoryCheck.check(load.history(), Mode.QUORUM);
            assertThat(verdict.problems()).as("smallest failing sub-history: %s", verdict.smallestFailing()).isEmpty();
            assertThat(verdict.operations()).isGreaterThan(50);
        } finally {
            processes.values().forEach(ChildJvm::kill);
        }
    }

    private void coordinatorKilledAndPeerTakesOver(GatewayClient client) {
        processes.remove("c1").kill();
        long killed = System.nanoTime();
        List<String> probes = keysOnEveryRequestPartition("after-kill");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String key : probes) {
                Optional<Outcome> answer = client.call(put(key, "v", null), Duration.ofSeconds(2));
                assertThat(answer).as("an answer for %s", key).isPresent();
                assertThat(answer.get().status()).isEqualTo(Status.OK);
            }
        });
        log.info("faults: answers resumed on every request partition {} ms after coordinator c1 was SIGKILLed",
                (System.nanoTime() - killed) / 1_000_000);
        startCoordinator("c1", 0);
    }

    private void retriedRequestSupersedesNothing(GatewayClient client) {
        ExternalRequest first = put("retried", "A", "client-request-7");
        assertThat(client.call(first, Duration.ofSeconds(20)).orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(client.call(put("retried", "B", null), Duration.ofSeconds(20)).orElseThrow().status()).isEqualTo(Status.OK);
        Outcome again = client.call(first, Duration.ofSeconds(20)).orElseThrow();
        assertThat(again.status()).as("the retry is answered").isEqualTo(Status.OK);
        Outcome read = client.call(new ExternalRequest(Op.GET, "retried", null, null, Consistency.ALL, 10_000L, null),
                Duration.ofSeconds(20)).orElseThrow();
        assertThat(new String(read.value(), UTF_8)).as("B began after A's answer; A retried must not hide it").isEqualTo("B");
    }

    private void farFutureVersionIsRefused(KafkaSettings settings, GatewayClient client) throws Exception {
        String replies = topics.prefix() + ".test-replies";
        Version bogus = new Version(HybridClock.pack(System.currentTimeMillis() + 3_600_000, 0), "stray");
        RecordHeaders headers = new RecordHeaders();
        new ReplyAddress(replies, null, "bogus".getBytes(UTF_8)).writeTo(headers);
        dev.kquorum.common.kafka.TopicAdmin.ensure(settings, Map.of(replies, 1));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("stray-writer"));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("stray-reader", null))) {
            producer.send(new ProducerRecord<>(topics.replica("r1"), null, "poisoned".getBytes(UTF_8),
                    ProtocolCodec.encode(new ReplicaRequest.Write("poisoned", new Versioned(bogus, "bogus".getBytes(UTF_8)))),
                    headers)).get(30, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(replies, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ReplicaReply> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> got.add(ProtocolCodec.decodeReplicaReply(r.value())));
                return !got.isEmpty();
            });
            assertThat(got.get(0)).isInstanceOfSatisfying(ReplicaReply.Invalid.class,
                    invalid -> assertThat(invalid.error()).contains("ahead of the appending broker's clock"));
        }
        assertThat(client.call(put("poisoned", "fine", null), Duration.ofSeconds(20)).orElseThrow().status()).isEqualTo(Status.OK);
        Outcome read = client.call(new ExternalRequest(Op.GET, "poisoned", null, null, Consistency.ALL, 10_000L, null),
                Duration.ofSeconds(20)).orElseThrow();
        assertThat(new String(read.value(), UTF_8)).isEqualTo("fine");
    }

    private void poisonPillDoesNotStopItsWorker(KafkaSettings settings, GatewayClient client) throws Exception {
        byte[] garbage = new byte[1_048_000];
        java.util.Arrays.fill(garbage, (byte) 'x');
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("poisoner"))) {
            producer.send(new ProducerRecord<>(topics.replica("r2"), "pill".getBytes(UTF_8), garbage)).get(30, TimeUnit.SECONDS);
        }
        // r2 still answers: a write needing all three replicas succeeds after the pill.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                client.call(new ExternalRequest(Op.PUT, "after-pill", "ok".getBytes(UTF_8), Consistency.ALL, null, 10_000L, null),
                        Duration.ofSeconds(12)).orElseThrow().status()).isEqualTo(Status.OK));
        assertThat(processes.get("r2").isAlive()).isTrue();
    }

    private void workerOutOfRetentionRefusesToServe(KafkaSettings settings, Workload load) throws Exception {
        TopicPartition tp = new TopicPartition(topics.replica("r3"), 0);
        processes.remove("r3").kill();
        try (Admin admin = Admin.create(settings.admin("retention-admin"))) {
            long atKill = endOffset(admin, tp);
            int before = load.history().size();
            // The load goes on without r3; its topic grows past where r3 stopped, then is truncated.
            await().atMost(Duration.ofSeconds(30)).until(() -> load.history().size() > before + 10 && endOffset(admin, tp) > atKill + 10);
            long truncateTo = endOffset(admin, tp);
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(truncateTo))).all().get(30, TimeUnit.SECONDS);
        }
        startWorker("r3");
        await().atMost(Duration.ofSeconds(30)).until(() -> r3Output.stream().anyMatch(l -> l.contains("is below the log start")));
    }

    private static long endOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /** One key for each partition of the request topic, as the default partitioner places keys. */
    private static List<String> keysOnEveryRequestPartition(String prefix) {
        String[] byPartition = new String[REQUEST_PARTITIONS];
        for (int i = 0, found = 0; found < REQUEST_PARTITIONS; i++) {
            String key = prefix + "-" + i;
            int p = Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % REQUEST_PARTITIONS;
            if (byPartition[p] == null) {
                byPartition[p] = key;
                found++;
            }
        }
        return List.of(byPartition);
    }

    private static ExternalRequest put(String key, String value, String requestId) {
        return new ExternalRequest(Op.PUT, key, value.getBytes(UTF_8), null, null, 10_000L, null, requestId, null);
    }

    private void startWorker(String id) {
        processes.put(id, KquorumProcesses.worker(id, bootstrap, dir.resolve(id),
                List.of("--topic-prefix", topics.prefix(), "--http-port", "-1"), line -> {
                    if (id.equals("r3")) {
                        r3Output.add(line);
                    }
                    if (line.contains("WARN") || line.contains("ERROR") || line.startsWith("kquorum")) {
                        log.info("[{}] {}", id, line);
                    }
                }));
    }

    private void startCoordinator(String id, int replyPartition) {
        processes.put(id, KquorumProcesses.coordinator(id, replyPartition, bootstrap, REPLICAS,
                List.of("--topic-prefix", topics.prefix(), "--http-port", "-1"), line -> { }));
    }
}
