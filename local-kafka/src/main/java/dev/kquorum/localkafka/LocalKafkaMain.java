package dev.kquorum.localkafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a local broker in the foreground until SIGTERM or Ctrl-C. Used as the entry point of the
 * child broker process ({@link LocalKafkaProcess}) and by {@code kquorum kafka}.
 *
 * <p>Arguments: {@code --data-dir DIR [--port N]}, and for one node of a local cluster
 * {@code --role controller|broker --node-id N --cluster-id ID --controller-port N --cluster-brokers N}.
 */
public final class LocalKafkaMain {

    /** The line printed once the broker serves; the child-process launcher waits for it. */
    public static final String READY_PREFIX = "Kafka ready at ";
    /** The line printed once a stop request has shut the broker down cleanly. */
    public static final String STOPPED_LINE = "Kafka stopped cleanly";

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = null;
        int port = 0;
        KafkaNode.Role role = KafkaNode.Role.COMBINED;
        int nodeId = 1;
        String clusterId = null;
        int controllerPort = 0;
        int clusterBrokers = 1;
        Path credentials = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(require(value, "--data-dir"));
                case "--port" -> port = Integer.parseInt(require(value, "--port"));
                case "--role" -> role = KafkaNode.Role.valueOf(require(value, "--role").toUpperCase(java.util.Locale.ROOT));
                case "--node-id" -> nodeId = Integer.parseInt(require(value, "--node-id"));
                case "--cluster-id" -> clusterId = require(value, "--cluster-id");
                case "--controller-port" -> controllerPort = Integer.parseInt(require(value, "--controller-port"));
                case "--cluster-brokers" -> clusterBrokers = Integer.parseInt(require(value, "--cluster-brokers"));
                case "--credentials" -> credentials = Path.of(require(value, "--credentials"));
                default -> {
                    System.err.println("unknown argument " + args[i] + "; expected --data-dir DIR [--port N]"
                            + " [--role combined|controller|broker --node-id N --cluster-id ID --controller-port N --cluster-brokers N [--credentials DIR]]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (dataDir == null) {
            System.err.println("--data-dir DIR is required");
            System.exit(2);
        }
        if (role == KafkaNode.Role.COMBINED) {
            runUntilStopped(new BrokerSettings(dataDir, port, 0));
        } else {
            BrokerSettings settings = new BrokerSettings(dataDir, port, controllerPort).resolvePorts();
            runUntilStopped(new KafkaNode(role, nodeId, settings, clusterId, controllerPort, clusterBrokers,
                    credentials == null ? null : KafkaSecurity.read(credentials)));
        }
    }

    private static String require(String value, String flag) {
        if (value == null) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return value;
    }

    /** The bootstrap address in a ready line. */
    public static String addressIn(String readyLine) {
        String rest = readyLine.substring(READY_PREFIX.length());
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }

    /** Starts the broker, prints the ready line, and blocks until the JVM is asked to stop. */
    public static void runUntilStopped(BrokerSettings settings) throws InterruptedException {
        runUntilStopped(KafkaNode.combined(settings.resolvePorts()));
    }

    /** Starts the node, prints the ready line, and blocks until the JVM is asked to stop. */
    public static void runUntilStopped(KafkaNode node) throws InterruptedException {
        LocalKafkaBroker broker = LocalKafkaBroker.start(node);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            System.out.println(STOPPED_LINE);
            System.out.flush();
            stopped.countDown();
        }, "kafka-shutdown"));
        System.out.println(READY_PREFIX + broker.address() + " (data in " + node.settings().dataDir() + "; Ctrl-C stops it)");
        System.out.flush();
        stopped.await();
    }
}
