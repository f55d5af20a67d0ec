package dev.kquorum.testkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.kquorum.common.io.Directories;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.localkafka.LocalKafkaCluster;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Hands tests a real Kafka broker as a {@link TestKafka} parameter. Which broker, in order:
 * <ol>
 *   <li>{@code KQ_BOOTSTRAP_SERVERS}, when set: that cluster;</li>
 *   <li>else, when a Docker engine answers: an {@code apache/kafka} KRaft container (Testcontainers);</li>
 *   <li>else: a {@link LocalKafkaBroker} started from Kafka's own jars in this JVM.</li>
 * </ol>
 * The broker is started once per test JVM and shared; it stops when the JVM's tests are done.
 *
 * <p>A test that needs a cluster, to kill its brokers, asks for a {@link LocalKafkaCluster}
 * parameter (three brokers, or {@link Brokers}): a cluster of its own on this machine, each broker
 * a process, stopped and deleted when the test ends.
 */
public final class KafkaExtension implements ParameterResolver {

    public static final String BOOTSTRAP_ENV = "KQ_BOOTSTRAP_SERVERS";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

    private static final Logger log = LoggerFactory.getLogger(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestKafka.class || type == LocalKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == LocalKafkaCluster.class) {
            int brokers = parameter.findAnnotation(Brokers.class).map(Brokers::value).orElse(3);
            return context.getStore(ExtensionContext.Namespace.create(KafkaExtension.class, parameter.getIndex()))
                    .computeIfAbsent(OwnCluster.class, key -> OwnCluster.start(brokers), OwnCluster.class).cluster;
        }
        return shared(context);
    }

    /** A test's own cluster, deleted with its data when the test is done. */
    private static final class OwnCluster implements AutoCloseable {
        final LocalKafkaCluster cluster;

        private OwnCluster(LocalKafkaCluster cluster) {
            this.cluster = cluster;
        }

        static OwnCluster start(int brokers) {
            try {
                Path dir = Files.createTempDirectory("kq-test-cluster");
                LocalKafkaCluster cluster = LocalKafkaCluster.start(dir, brokers, 0);
                log.info("This test has a local Kafka cluster of {} brokers at {}", brokers, cluster.bootstrapServers());
                return new OwnCluster(cluster);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SIGKILL: its data is deleted next, and a clean shutdown of every broker takes seconds. */
        @Override
        public void close() throws IOException {
            cluster.kill();
            Directories.deleteRecursively(cluster.dataDir());
        }
    }

    /** The JVM-wide broker, started on first use. */
    public static TestKafka shared(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(KafkaExtension.class));
        return store.computeIfAbsent(SharedBroker.class, key -> SharedBroker.start(), SharedBroker.class).kafka;
    }

    /** Owns whatever broker was chosen; JUnit closes it when the root context ends. */
    private static final class SharedBroker implements AutoCloseable {
        final TestKafka kafka;
        private final AutoCloseable owned;
        private final Path dataDir;

        private SharedBroker(TestKafka kafka, AutoCloseable owned, Path dataDir) {
            this.kafka = kafka;
            this.owned = owned;
            this.dataDir = dataDir;
        }

        static SharedBroker start() {
            String external = System.getenv(BOOTSTRAP_ENV);
            if (external != null && !external.isBlank()) {
                log.info("Tests use the Kafka cluster at {} ({} is set)", external, BOOTSTRAP_ENV);
                return new SharedBroker(new TestKafka(external, BOOTSTRAP_ENV), null, null);
            }
            if (dockerAvailable()) {
                KafkaContainer container = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
                container.start();
                log.info("Tests use a Kafka container ({}) at {}", KAFKA_IMAGE, container.getBootstrapServers());
                return new SharedBroker(new TestKafka(container.getBootstrapServers(), "testcontainers"), container, null);
            }
            try {
                Path dir = Files.createTempDirectory("kq-test-kafka");
                LocalKafkaBroker broker = LocalKafkaBroker.start(BrokerSettings.inDirectory(dir));
                log.info("Tests use a local Kafka broker (no {} and no Docker engine) at {}", BOOTSTRAP_ENV, broker.bootstrapServers());
                return new SharedBroker(new TestKafka(broker.bootstrapServers(), "local broker"), broker, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Asks Testcontainers only when there is a sign of an engine; its probing is slow and loud otherwise. */
        private static boolean dockerAvailable() {
            boolean hint = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
            if (!hint) {
                return false;
            }
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException e) {
                log.debug("Docker is not usable: {}", e.getMessage());
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            if (owned != null) {
                owned.close();
            }
            if (dataDir != null) {
                Directories.deleteRecursively(dataDir);
            }
        }
    }
}
