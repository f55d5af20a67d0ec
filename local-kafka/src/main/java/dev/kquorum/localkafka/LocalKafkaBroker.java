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
import java.util.ArrayList;
import java.util.List;
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
 * A real KRaft Kafka node running in this JVM, started from Kafka's production classes: the
 * single combined broker and controller, or one node of a local cluster ({@link KafkaNode}). The
 * data directory is formatted the first time and reused afterwards, so records survive a restart.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaBroker.class);

    private final KafkaNode node;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private LocalKafkaBroker(KafkaNode node, KafkaRaftServer server) {
        this.node = node;
        this.server = server;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it serves clients. */
    public static LocalKafkaBroker start(BrokerSettings requested) {
        return start(KafkaNode.combined(requested.resolvePorts()));
    }

    /** The same, with SASL and ACLs ({@link KafkaSecurity}). */
    public static LocalKafkaBroker start(BrokerSettings requested, KafkaSecurity security) {
        return start(KafkaNode.combined(requested.resolvePorts(), security));
    }

    /**
     * Starts one node of a local Kafka in this JVM, formatting its data directory the first time;
     * a node that serves clients is waited for until it does.
     */
    public static LocalKafkaBroker start(KafkaNode node) {
        BrokerSettings settings = node.settings();
        Properties props = node.properties();
        formatIfNew(node, props);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        LocalKafkaBroker broker = new LocalKafkaBroker(node, server);
        try {
            server.startup();
            if (node.clientAddress() != null) {
                broker.awaitServing(Duration.ofSeconds(60));
            }
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        log.info("Local Kafka {} {} serving at {} (data in {})", node.role().name().toLowerCase(java.util.Locale.ROOT),
                node.nodeId(), broker.address(), settings.dataDir());
        return broker;
    }

    public String bootstrapServers() {
        return node.settings().bootstrapServers();
    }

    /** Where this node listens: its client address, or a controller's controller address. */
    public String address() {
        return node.clientAddress() != null ? node.clientAddress() : BrokerSettings.HOST + ":" + node.controllerPort();
    }

    public BrokerSettings settings() {
        return node.settings();
    }

    private static void formatIfNew(KafkaNode node, Properties props) {
        Path dataDir = node.settings().dataDir();
        Path logs = dataDir.resolve("logs");
        if (Files.exists(logs.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logs);
            Path config = dataDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "written by kquorum for kafka-storage format");
            }
            List<String> args = new ArrayList<>(List.of("format", "-c", config.toString()));
            if (node.role() == KafkaNode.Role.COMBINED) {
                args.addAll(List.of("-t", Uuid.randomUuid().toString(), "--standalone"));
            } else {
                // A cluster's nodes share its id; the voter set is static (controller.quorum.voters).
                args.addAll(List.of("-t", node.clusterId()));
            }
            if (node.security() != null && node.role() != KafkaNode.Role.BROKER) {
                // The users' SCRAM credentials go into the first metadata, which a controller holds.
                args.addAll(node.security().formatArguments());
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                // execute(), not main(): main() ends the JVM when it is done.
                rc = StorageTool.execute(args.toArray(String[]::new), ps);
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
        if (node.security() != null) {
            props.putAll(node.security().clientProperties(KafkaSecurity.ADMIN_USER));
        }
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
        log.info("Local Kafka node {} at {} stopped", node.nodeId(), address());
    }
}
