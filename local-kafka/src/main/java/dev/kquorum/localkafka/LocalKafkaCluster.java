package dev.kquorum.localkafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft cluster on this machine: one controller and {@code n} brokers, each a process of its
 * own that a test can SIGKILL and start again. Its data directory holds a directory per node
 * ({@code controller}, {@code broker-1}, ...) and the cluster's id and size, so a cluster
 * restarted on it comes back with its records, on the same ports.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaCluster.class);
    private static final String CLUSTER_FILE = "kquorum-cluster.properties";
    private static final Duration NODE_START = Duration.ofSeconds(90);

    private final Path dataDir;
    private final LocalKafkaProcess controller;
    private final Map<Integer, KafkaNode> brokers;
    private final Map<Integer, LocalKafkaProcess> running = new TreeMap<>();

    private LocalKafkaCluster(Path dataDir, LocalKafkaProcess controller, Map<Integer, KafkaNode> brokers) {
        this.dataDir = dataDir;
        this.controller = controller;
        this.brokers = brokers;
    }

    /**
     * Starts the cluster in {@code dataDir}, formatting it the first time.
     *
     * @param firstPort the first broker's client port, the others following it; 0 for free ports
     *                  (remembered in the data directory)
     */
    public static LocalKafkaCluster start(Path dataDir, int brokerCount, int firstPort) {
        return start(dataDir, brokerCount, firstPort, null);
    }

    /** @param security SASL and ACLs for every node, or null for plaintext ({@link KafkaSecurity}) */
    public static LocalKafkaCluster start(Path dataDir, int brokerCount, int firstPort, KafkaSecurity security) {
        if (brokerCount < 1 || brokerCount > 9) {
            throw new IllegalArgumentException("a local cluster has 1 to 9 brokers, not " + brokerCount);
        }
        String clusterId = clusterId(dataDir, brokerCount);
        BrokerSettings controllerSettings = new BrokerSettings(dataDir.resolve("controller"), 0, 0).resolvePorts();
        int controllerPort = controllerSettings.controllerPort();
        KafkaNode controllerNode = new KafkaNode(KafkaNode.Role.CONTROLLER, KafkaNode.CONTROLLER_ID, controllerSettings,
                clusterId, controllerPort, brokerCount, security);
        Map<Integer, KafkaNode> brokers = new TreeMap<>();
        for (int id = 1; id <= brokerCount; id++) {
            int port = firstPort == 0 ? 0 : firstPort + id - 1;
            BrokerSettings settings = new BrokerSettings(dataDir.resolve("broker-" + id), port, controllerPort).resolvePorts();
            brokers.put(id, new KafkaNode(KafkaNode.Role.BROKER, id, settings, clusterId, controllerPort, brokerCount, security));
        }
        LocalKafkaCluster cluster = new LocalKafkaCluster(dataDir, LocalKafkaProcess.start(controllerNode, NODE_START), brokers);
        try {
            // Side by side: each broker's start is mostly waiting for the controller to let it in.
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (int id : brokers.keySet()) {
                starts.add(CompletableFuture.runAsync(() -> cluster.startBroker(id)));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        log.info("Local Kafka cluster of {} brokers serving at {} (data in {})", brokerCount, cluster.bootstrapServers(), dataDir);
        return cluster;
    }

    /** Every broker's address, comma-separated: what clients bootstrap from. */
    public String bootstrapServers() {
        return brokers.values().stream().map(b -> b.settings().bootstrapServers()).collect(Collectors.joining(","));
    }

    /** The ids of the brokers, 1..n. */
    public List<Integer> brokerIds() {
        return List.copyOf(brokers.keySet());
    }

    /** The client address of broker {@code id}. */
    public String address(int id) {
        return node(id).settings().bootstrapServers();
    }

    /** The controller's address. */
    public String controllerAddress() {
        return controller.bootstrapServers();
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning(int id) {
        LocalKafkaProcess process = running.get(id);
        return process != null && process.isAlive();
    }

    /** SIGKILL of broker {@code id}: it flushes and closes nothing. */
    public void kill(int id) {
        LocalKafkaProcess process;
        synchronized (this) {
            process = running.remove(id);
        }
        if (process == null) {
            throw new IllegalStateException("broker " + id + " is not running");
        }
        process.kill();
        log.info("Killed Kafka broker {} at {}", id, address(id));
    }

    /** Starts broker {@code id} again on its data directory and port, and waits until it serves. */
    public void startBroker(int id) {
        KafkaNode node = node(id);
        synchronized (this) {
            if (isRunning(id)) {
                throw new IllegalStateException("broker " + id + " is already running");
            }
        }
        LocalKafkaProcess process = LocalKafkaProcess.start(node, NODE_START);
        synchronized (this) {
            running.put(id, process);
        }
    }

    private KafkaNode node(int id) {
        KafkaNode node = brokers.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no broker " + id + "; the brokers are " + brokers.keySet());
        }
        return node;
    }

    /** SIGKILL of every node: for a cluster whose data is about to be deleted. */
    public void kill() {
        stopEvery(LocalKafkaProcess::kill);
    }

    /** SIGTERM to every broker, then the controller, each waited for. */
    @Override
    public void close() {
        stopEvery(LocalKafkaProcess::close);
        log.info("Local Kafka cluster in {} stopped", dataDir);
    }

    /** Stops the running brokers side by side, then the controller. */
    private void stopEvery(java.util.function.Consumer<LocalKafkaProcess> stop) {
        List<LocalKafkaProcess> stopping;
        synchronized (this) {
            stopping = new ArrayList<>(running.values());
            running.clear();
        }
        stopping.parallelStream().forEach(stop);
        stop.accept(controller);
    }

    /**
     * The cluster's id, made and written the first time; a directory that holds a single broker's
     * data, or a cluster of another size, is refused rather than half reused.
     */
    private static String clusterId(Path dataDir, int brokerCount) {
        Path file = dataDir.resolve(CLUSTER_FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(dataDir.resolve("logs")) || Files.exists(dataDir.resolve("kquorum-ports.properties"))) {
                throw new IllegalStateException(dataDir + " holds a single Kafka broker's data; give the cluster"
                        + " another data directory");
            }
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                int was = Integer.parseInt(p.getProperty("brokers"));
                if (was != brokerCount) {
                    throw new IllegalStateException(dataDir + " holds a cluster of " + was + " brokers, not " + brokerCount
                            + "; start it with --brokers " + was + ", or give another data directory");
                }
                return p.getProperty("cluster.id");
            }
            p.setProperty("cluster.id", Uuid.randomUuid().toString());
            p.setProperty("brokers", Integer.toString(brokerCount));
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "the local Kafka cluster in this directory");
            }
            return p.getProperty("cluster.id");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }
}
