package dev.kquorum.localkafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.process.ChildJvm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local broker in a child JVM: something a test can SIGKILL and start again on the same data
 * directory, to see what Kafka kept.
 */
public final class LocalKafkaProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaProcess.class);

    private final ChildJvm jvm;
    private final String bootstrapServers;

    private LocalKafkaProcess(ChildJvm jvm, String bootstrapServers) {
        this.jvm = jvm;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker process on this JVM's class path and waits for its ready line. */
    public static LocalKafkaProcess start(Path dataDir, int port, Duration timeout) {
        return start("kafka broker", List.of("--data-dir", dataDir.toString(), "--port", Integer.toString(port)), timeout);
    }

    /** Starts one node of a local cluster in a process of its own and waits for its ready line. */
    static LocalKafkaProcess start(KafkaNode node, Duration timeout) {
        BrokerSettings s = node.settings();
        String name = node.role() == KafkaNode.Role.CONTROLLER ? "kafka controller" : "kafka broker " + node.nodeId();
        List<String> args = new ArrayList<>(List.of("--data-dir", s.dataDir().toString(), "--port", Integer.toString(s.port()),
                "--role", node.role().name(), "--node-id", Integer.toString(node.nodeId()), "--cluster-id", node.clusterId(),
                "--controller-port", Integer.toString(node.controllerPort()),
                "--cluster-brokers", Integer.toString(node.clusterBrokers())));
        if (node.security() != null) {
            args.addAll(List.of("--credentials", node.security().credentialsDir().toString()));
        }
        return start(name, args, timeout);
    }

    private static LocalKafkaProcess start(String name, List<String> args, Duration timeout) {
        ChildJvm jvm = ChildJvm.start(name, List.of("-Xmx512m"), LocalKafkaMain.class, args,
                LocalKafkaMain.READY_PREFIX, timeout, line -> log.info("[{}] {}", name, line));
        return new LocalKafkaProcess(jvm, LocalKafkaMain.addressIn(jvm.readyLine()));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    /** SIGKILL: the broker gets no chance to flush or close anything. */
    public void kill() {
        jvm.kill();
    }

    /** SIGTERM, then waits for a clean shutdown. */
    @Override
    public void close() {
        jvm.close();
    }
}
