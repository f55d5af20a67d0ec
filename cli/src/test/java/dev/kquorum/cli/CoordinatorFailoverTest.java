package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinator processes SIGKILLed while their gateways own request partitions: with a peer
 * running, requests on every partition are answered again within 10 s of the kill; a coordinator
 * restarted with the same id answers on every partition within 5 s of being ready. The elapsed
 * times are logged ("failover:") for docs/benchmarks.md.
 */
@ExtendWith(KafkaExtension.class)
class CoordinatorFailoverTest {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorFailoverTest.class);
    private static final int REQUEST_PARTITIONS = 4;
    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");

    @TempDir
    Path dir;

    private TopicNames topics;
    private String bootstrap;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private int round;

    @Test
    void aPeerTakesOverWithinTenSecondsAndARestartResumesWithinFive(TestKafka kafka) throws Exception {
        topics = new TopicNames(kafka.uniqueName("failover"));
        bootstrap = kafka.bootstrapServers();
        KafkaSettings settings = KafkaSettings.of(bootstrap);
        TopicAdmin.ensure(settings, Map.of(topics.requests(), REQUEST_PARTITIONS, topics.responses(), 1, topics.requestsDlq(), 1));
        List<ChildJvm> started = new ArrayList<>();
        try (InJvmReplicas replicas = new InJvmReplicas(REPLICAS, settings, topics, dir);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("failover-client"));
             GatewayReplyTopicsTest.Collector collector = new GatewayReplyTopicsTest.Collector(settings,
                     topics.responses(), topics.requestsDlq(), answers, new ConcurrentHashMap<>())) {
            ChildJvm c1 = start("c1", 0, started);
            ChildJvm c2 = start("c2", 1, started);
            awaitEveryPartitionAnswered(producer, Duration.ofSeconds(60));

            // A peer takes over.
            c1.kill();
            long killed = System.nanoTime();
            awaitEveryPartitionAnswered(producer, Duration.ofSeconds(10));
            log.info("failover: a peer answered on every partition {} ms after the SIGKILL", millisSince(killed));

            c1 = start("c1", 0, started);
            awaitEveryPartitionAnswered(producer, Duration.ofSeconds(30));
            assertThat(c2.terminate(Duration.ofSeconds(30))).isZero();
            awaitEveryPartitionAnswered(producer, Duration.ofSeconds(30));

            // The lone coordinator is SIGKILLed and restarted with the same id.
            c1.kill();
            killed = System.nanoTime();
            c1 = start("c1", 0, started);
            long ready = System.nanoTime();
            awaitEveryPartitionAnswered(producer, Duration.ofSeconds(5));
            log.info("failover: a coordinator restarted with the same id answered on every partition {} ms after it was ready"
                    + " ({} ms after the SIGKILL)", millisSince(ready), millisSince(killed));
        } finally {
            started.forEach(ChildJvm::kill);
        }
    }

    private ChildJvm start(String id, int replyPartition, List<ChildJvm> started) {
        ChildJvm c = ChildJvm.start(id, List.of("-Xmx256m"), Main.class,
                List.of("coordinator", "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(),
                        "--replicas", String.join(",", REPLICAS), "--id", id, "--reply-partition", Integer.toString(replyPartition),
                        "--http-port", "-1"),
                CoordinatorCommand.READY_PREFIX, Duration.ofSeconds(90), line -> log.info("[{}] {}", id, line));
        started.add(c);
        return c;
    }

    /** Puts one request on each request partition and waits until all of them are answered. */
    private void awaitEveryPartitionAnswered(KafkaProducer<byte[], byte[]> producer, Duration within) {
        round++;
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < REQUEST_PARTITIONS; p++) {
            String id = "round" + round + "-p" + p;
            ids.add(id);
            RecordHeaders h = new RecordHeaders();
            h.add(KqHeaders.CORRELATION_ID, id.getBytes(UTF_8));
            String json = "{\"op\":\"put\",\"key\":\"" + id + "\",\"value\":\"v\"}";
            producer.send(new ProducerRecord<>(topics.requests(), p, null, id.getBytes(UTF_8), json.getBytes(UTF_8), h));
        }
        producer.flush();
        await().atMost(within).untilAsserted(() -> assertThat(answers.keySet()).as("answered").containsAll(ids));
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
