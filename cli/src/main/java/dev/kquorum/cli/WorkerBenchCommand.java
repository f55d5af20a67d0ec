package dev.kquorum.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.CorrelationId;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kquorum worker-bench}: how many requests a second one worker applies to RocksDB. The
 * replica topic is filled first, then a worker starts on an empty store and the clock runs until
 * it has applied (and answered) every request: the apply loop's own rate, without a client's
 * round trips in the way.
 */
@Command(name = "worker-bench",
        mixinStandardHelpOptions = true,
        description = {"Measures how many requests per second one replica worker applies with RocksDB.",
            "Starts a local Kafka broker unless --bootstrap-servers is given."})
final class WorkerBenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption;

    @Option(names = "--requests", defaultValue = "200000", description = "Write requests to apply (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys written (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of a local broker.")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || keys < 1 || valueBytes < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests and --keys must be at least 1, --value-bytes at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("kq-worker-bench");
        LocalKafkaBroker broker = bootstrapServers == null ? LocalKafkaBroker.start(BrokerSettings.inDirectory(work.resolve("kafka"))) : null;
        try {
            String bootstrap = broker != null ? broker.bootstrapServers() : bootstrapServers;
            KafkaSettings kafka = KafkaSettings.of(bootstrap);
            if (broker == null) {
                KafkaPreflight.check(kafka);
            }
            TopicNames topics = new TopicNames("bench-" + Long.toHexString(System.nanoTime()));
            WorkerConfig config = new WorkerConfig("r1", kafka, topics, work.resolve("store"), Limits.DEFAULT, TopicAdmin.REPLICA_PARTITIONS);
            TopicAdmin.ensure(kafka, Map.of(config.topic(), config.partitions()), TopicAdmin.REPLICA_TOPIC_CONFIG);
            TopicAdmin.ensure(kafka, Map.of(config.dlqTopic(), 1, topics.replies(), 1));

            out.printf("Filling %s with %,d write requests (%,d keys, %d-byte values)...%n", config.topic(), requests, keys, valueBytes);
            out.flush();
            fill(kafka, topics, config.topic());

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ReplicaWorker worker = ReplicaWorker.start(config, registry)) {
                Counter applied = registry.get("kquorum.worker.requests.applied").tag("type", "write").counter();
                long started = System.nanoTime();
                long lastReport = started;
                while ((long) applied.count() < requests) {
                    // Check ten times a second: a spinning check would take a core from the worker.
                    LockSupport.parkNanos(10_000_000);
                    long now = System.nanoTime();
                    if (now - lastReport > 1_000_000_000L) {
                        out.printf("  applied %,d of %,d%n", (long) applied.count(), requests);
                        out.flush();
                        lastReport = now;
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                worker.stop();
                worker.awaitStopped();
                out.printf("One worker applied %,d writes in %.2f s: %,.0f requests/s (Kafka Streams, %d partitions, RocksDB"
                        + " with its changelog, replies sent)%n", requests, seconds, requests / seconds, config.partitions());
            }
            restore(out, config);
        } finally {
            if (broker != null) {
                broker.close();
            }
            Directories.deleteRecursively(work);
        }
        return 0;
    }

    /** The same worker after losing its state directory: how fast its stores come back from their changelogs. */
    private static void restore(PrintWriter out, WorkerConfig config) throws Exception {
        Directories.deleteRecursively(config.dataDir());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long started = System.nanoTime();
        try (ReplicaWorker worker = ReplicaWorker.start(config, registry).requireRunning(Duration.ofMinutes(30))) {
            double seconds = (System.nanoTime() - started) / 1e9;
            double restored = registry.get("kquorum.worker.restored").counter().count();
            out.printf("With its state directory wiped, it restored %,.0f changelog records in %.2f s from start to running:"
                    + " %,.0f records/s%n", restored, seconds, restored / seconds);
        }
    }

    private void fill(KafkaSettings kafka, TopicNames topics, String topic) {
        byte[] value = new byte[valueBytes];
        long deadline = System.currentTimeMillis() + 3_600_000;
        long incarnation = CorrelationId.newIncarnation();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("worker-bench"))) {
            for (int i = 0; i < requests; i++) {
                String key = "key-" + (i % keys);
                Envelope envelope = Envelope.request(new CorrelationId(incarnation, i), topics.replies(), 0, deadline);
                byte[] body = ProtocolCodec.encode(new ReplicaRequest.Write(key, new Versioned(new Version(i + 1L, "bench"), value)));
                producer.send(new ProducerRecord<>(topic, null, null, key.getBytes(UTF_8), body, envelope.headers()));
            }
            producer.flush();
        }
    }
}
