package dev.kquorum.localkafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running in this JVM,
 * started from Kafka's production classes. The data directory is formatted the first time and
 * reused afterwards, so records survive a restart.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaBroker.class);

    private final BrokerSettings settings;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private LocalKafkaBroker(BrokerSettings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it serves clients. */
    public static LocalKafkaBroker start(BrokerSettings requested) {
        BrokerSettings settings = requested.resolvePorts();
        Properties props = brokerProperties(settings);
        formatIfNew(settings, props);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        LocalKafkaBroker broker = new LocalKafkaBroker(settings, server);
        try {
            server.startup();
            broker.awaitServing(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        log.info("Local Kafka broker serving at {} (data in {})", settings.bootstrapServers(), settings.dataDir());
        return broker;
    }

    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    public BrokerSettings settings() {
        return settings;
    }

    static Properties brokerProperties(BrokerSettings s) {
        String host = BrokerSettings.HOST;
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.bootstrap.servers", host + ":" + s.controllerPort()),
                Map.entry("listeners", "PLAINTEXT://" + host + ":" + s.port() + ",CONTROLLER://" + host + ":" + s.controllerPort()),
                Map.entry("advertised.listeners", "PLAINTEXT://" + host + ":" + s.port()),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", s.dataDir().resolve("logs").toString()),
                Map.entry("num.partitions", "1"),
                // One node: every internal topic has one replica, and nothing waits for peers.
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                // Fast start and restart: no rebalance delay, a dead incarnation is noticed in seconds.
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("broker.session.timeout.ms", "3000"),
                Map.entry("broker.heartbeat.interval.ms", "500"),
                // A dead producer's open transaction (an exactly-once replica worker SIGKILLed) is
                // aborted within a second of its timeout, not up to ten: a partition moving to
                // another worker waits for that abort (docs/operations.md).
                Map.entry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
                Map.entry("auto.create.topics.enable", "true")));
        return p;
    }

    private static void formatIfNew(BrokerSettings settings, Properties props) {
        Path logs = settings.dataDir().resolve("logs");
        if (Files.exists(logs.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logs);
            Path config = settings.dataDir().resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "written by kquorum for kafka-storage format");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                // execute(), not main(): main() ends the JVM when it is done.
                rc = StorageTool.execute(new String[] {
                        "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"}, ps);
            }
            if (rc != 0) {
                throw new IllegalStateException("formatting " + logs + " failed: " + output.toString(StandardCharsets.UTF_8));
            }
            log.info("Formatted a new Kafka data directory at {}", logs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format " + logs + ": " + e.getMessage(), e);
        }
    }

    private void awaitServing(Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                Exception last = null;
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka at " + bootstrapServers() + " did not serve within " + timeout, last);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrapServers(), e);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        log.info("Local Kafka broker at {} stopped", bootstrapServers());
    }
}
