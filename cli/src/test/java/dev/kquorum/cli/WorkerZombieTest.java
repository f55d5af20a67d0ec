package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica over two processes, one of which is frozen (SIGSTOP, as a long GC pause or a VM
 * stall does) in the middle of a backlog, with requests fetched but not yet applied. The group
 * gives its partitions to the other process, which takes them over from its warm standbys and
 * applies newer writes. Then the frozen one wakes up: a zombie that still holds the old records.
 * What it applies must not reach the changelog after the new owner's writes, or the next restore
 * would bring back an older version of an acknowledged write. A process started on an empty disk
 * restores from the changelog alone and must find the newest version of every key.
 */
@ExtendWith(KafkaExtension.class)
class WorkerZombieTest {

    private static final Logger log = LoggerFactory.getLogger(WorkerZombieTest.class);
    private static final Pattern RUNS = Pattern.compile("Replica r1 (runs|no longer runs) partition \\S+-(\\d+) here");
    private static final Pattern RUNNING = Pattern.compile("Replica r1 is RUNNING");
    private static final Pattern RESTORED = Pattern.compile("Replica r1 restored \\S+ from \\S+: (\\d+) records");
    private static final long INCARNATION = CorrelationId.newIncarnation();
    private static final int KEYS = 24;
    /** Versions of every key in the backlog: enough that the frozen process is stopped half-way. */
    private static final int BACKLOG_VERSIONS = 3_000;
    private static final int NEWER_VERSIONS = 5;

    @TempDir
    Path dir;

    private final List<ChildJvm> processes = new ArrayList<>();
    private final Set<Long> replied = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean collecting = new AtomicBoolean(true);

    @AfterEach
    void stopEverything() {
        collecting.set(false);
        processes.forEach(ChildJvm::kill);
    }

    /** One process of replica r1, the partitions it runs as its log says, and how many records it restored. */
    private final class Member {
        final ChildJvm jvm;
        final Set<Integer> partitions = ConcurrentHashMap.newKeySet();
        final AtomicLong restored = new AtomicLong();
        /** Times it came to RUNNING: after a rebalance too, whatever it was given (standbys only, maybe). */
        final AtomicLong rejoins = new AtomicLong();

        Member(String name, TestKafka kafka, TopicNames topics) {
            jvm = KquorumProcesses.worker("r1", kafka.bootstrapServers(), dir.resolve(name),
                    List.of("--topic-prefix", topics.prefix(), "--http-port", "-1"), line -> {
                        log.info("[{}] {}", name, line);
                        Matcher runs = RUNS.matcher(line);
                        if (runs.find()) {
                            int partition = Integer.parseInt(runs.group(2));
                            if (runs.group(1).equals("runs")) {
                                partitions.add(partition);
                            } else {
                                partitions.remove(partition);
                            }
                        }
                        if (RUNNING.matcher(line).find()) {
                            rejoins.incrementAndGet();
                        }
                        Matcher restores = RESTORED.matcher(line);
                        if (restores.find()) {
                            restored.addAndGet(Long.parseLong(restores.group(1)));
                        }
                    });
            synchronized (processes) {
                processes.add(jvm);
            }
        }

        void signal(String signal) throws IOException, InterruptedException {
            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).start().waitFor()).isZero();
        }
    }

    @Test
    void aFrozenProcessThatWakesUpAfterItsPartitionsMovedDoesNotBringBackOlderVersions(TestKafka kafka) throws Exception {
        TopicNames topics = new TopicNames(kafka.uniqueName("zombie"));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        TopicAdmin.ensure(settings, Map.of(topics.replies(), 1));
        Thread collector = new Thread(() -> collectReplies(settings, topics), "reply-collector");
        collector.start();

        CompletableFuture<Member> starting = CompletableFuture.supplyAsync(() -> new Member("p1", kafka, topics));
        Member survivor = new Member("p2", kafka, topics);
        Member frozen = starting.join();
        await().atMost(Duration.ofSeconds(60)).until(() -> !frozen.partitions.isEmpty() && !survivor.partitions.isEmpty()
                && frozen.partitions.size() + survivor.partitions.size() == TopicAdmin.REPLICA_PARTITIONS);
        Set<Integer> frozenPartitions = Set.copyOf(frozen.partitions);
        List<Integer> frozenKeys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            if (frozenPartitions.contains(partitionOf(key(k)))) {
                frozenKeys.add(k);
            }
        }
        assertThat(frozenKeys).as("keys on the partitions of the process to be frozen").isNotEmpty();

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("zombie-test"))) {
            // A backlog builds while p1 is stopped for a moment (less than its session timeout).
            frozen.signal("STOP");
            for (int v = 1; v <= BACKLOG_VERSIONS; v++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(write(topics, k, v));
                }
            }
            producer.flush();
            long frozenBacklog = (long) frozenKeys.size() * BACKLOG_VERSIONS;
            // p1 wakes and works through its backlog; a tenth of the way in, it is frozen again,
            // with records fetched and not yet applied.
            frozen.signal("CONT");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                    .until(() -> repliedFor(frozenKeys, BACKLOG_VERSIONS) >= frozenBacklog / 10);
            frozen.signal("STOP");
            long frozenAt = System.nanoTime();
            long answeredByP1 = repliedFor(frozenKeys, BACKLOG_VERSIONS);
            assertThat(answeredByP1).as("requests p1 answered before it froze").isLessThan(frozenBacklog);

            // p2 takes p1's partitions, from warm standbys, and answers everything after p1's last commit.
            long restoredBefore = survivor.restored.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> replied.size() == KEYS * BACKLOG_VERSIONS);
            log.info("p2 answered all of p1's backlog {} ms after p1 froze", (System.nanoTime() - frozenAt) / 1_000_000);
            assertThat(survivor.partitions).hasSize(TopicAdmin.REPLICA_PARTITIONS);
            // Each write p1 applied left at least one changelog record: a cold takeover restores them all.
            assertThat(survivor.restored.get() - restoredBefore)
                    .as("records p2 restored to take over p1's partitions (p1 had applied %d writes): its standbys were warm",
                            answeredByP1)
                    .isLessThan(answeredByP1 / 4);
            for (int v = BACKLOG_VERSIONS + 1; v <= BACKLOG_VERSIONS + NEWER_VERSIONS; v++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(write(topics, k, v));
                }
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> replied.size() == KEYS * (BACKLOG_VERSIONS + NEWER_VERSIONS));
        }

        // p1 wakes up, a zombie holding records of partitions that are no longer its own; it finds
        // out, rejoins the group and runs again (with partitions or only standbys: the group's choice).
        long rejoinsBefore = frozen.rejoins.get();
        frozen.signal("CONT");
        await().atMost(Duration.ofSeconds(60)).until(() -> frozen.rejoins.get() > rejoinsBefore);
        assertThat(frozen.jvm.terminate(Duration.ofSeconds(30))).as("p1's exit code").isZero();
        assertThat(survivor.jvm.terminate(Duration.ofSeconds(30))).as("p2's exit code").isZero();

        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add(key(k));
        }
        Map<String, Versioned> restored = InJvmReplicas.held(settings, topics, "r1", dir.resolve("empty"), keys);
        for (int k = 0; k < KEYS; k++) {
            assertThat(restored.get(key(k))).as("%s restored from the changelog (on p1's partitions: %s)", key(k),
                    frozenKeys.contains(k)).isEqualTo(versioned(k, BACKLOG_VERSIONS + NEWER_VERSIONS));
        }
        collecting.set(false);
        collector.join();
    }

    private static String key(int k) {
        return "z" + k;
    }

    /** The partition Kafka's producer sends a key to, as it does the coordinator's requests. */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % TopicAdmin.REPLICA_PARTITIONS;
    }

    private static long correlation(int k, int v) {
        return (long) v * KEYS + k;
    }

    private long repliedFor(List<Integer> keys, int upToVersion) {
        long n = 0;
        for (int v = 1; v <= upToVersion; v++) {
            for (int k : keys) {
                if (replied.contains(correlation(k, v))) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Versioned versioned(int k, int v) {
        return new Versioned(new Version(v, "test"), (key(k) + "@" + v).getBytes(UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> write(TopicNames topics, int k, int v) {
        Envelope envelope = Envelope.request(new CorrelationId(INCARNATION, correlation(k, v)), topics.replies(), 0,
                System.currentTimeMillis() + 120_000);
        return new ProducerRecord<>(topics.replica("r1"), null, null, key(k).getBytes(UTF_8),
                ProtocolCodec.encode(new ReplicaRequest.Write(key(k), versioned(k, v))), envelope.headers());
    }

    private void collectReplies(KafkaSettings settings, TopicNames topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("collector", null))) {
            consumer.assign(List.of(new TopicPartition(topics.replies(), 0)));
            while (collecting.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    replied.add(CorrelationId.of(r.headers()).sequence());
                }
            }
        }
    }
}
