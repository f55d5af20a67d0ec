package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.kquorum.cli.acl.AclAdmin;
import dev.kquorum.cli.acl.KquorumAcls;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.KafkaSecurity;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kquorum on a broker with SASL/SCRAM and Kafka's StandardAuthorizer (nothing allowed without an
 * ACL), set up as {@code kquorum kafka --secure} does: each role does its job with its own
 * credentials and the ACLs of {@code kquorum acls}, and each step out of its lane is refused with
 * an error that names the principal, the operation and the resource.
 */
class SecureKafkaTest {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final TopicNames TOPICS = TopicNames.DEFAULT;

    @TempDir
    static Path dir;

    private static LocalKafkaBroker broker;
    private static KafkaSecurity security;

    @BeforeAll
    static void secureBroker() {
        List<String> users = new ArrayList<>(List.of("coordinator", "client"));
        REPLICAS.forEach(r -> users.add("worker-" + r));
        security = KafkaSecurity.inDirectory(dir.resolve("credentials"), users);
        broker = LocalKafkaBroker.start(BrokerSettings.inDirectory(dir.resolve("kafka")), security);
        KafkaSettings admin = as(KafkaSecurity.ADMIN_USER);
        AclAdmin.apply(admin, KquorumAcls.forLocalUsers(TOPICS, REPLICAS));
        AclAdmin.createTopics(admin, TOPICS, REPLICAS);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaSettings as(String user) {
        return new KafkaSettings(broker.bootstrapServers(), security.clientProperties(user));
    }

    @Test
    void credentialsAreWrittenForTheOwnerAlone() throws Exception {
        Path file = security.credentialsFile("coordinator");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties p = new Properties();
        p.load(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        assertThat(p.getProperty("sasl.jaas.config")).contains("username=\"coordinator\"");
    }

    @Test
    void eachRoleDoesItsJobWithItsOwnCredentials() throws Exception {
        List<ReplicaWorker> workers = new ArrayList<>();
        try {
            for (String r : REPLICAS) {
                workers.add(ReplicaWorker.start(new WorkerConfig(r, as("worker-" + r), TOPICS, dir.resolve("state-" + r),
                        Limits.DEFAULT, TopicAdmin.REPLICA_PARTITIONS), new SimpleMeterRegistry()));
            }
            workers.forEach(w -> w.requireRunning(Duration.ofSeconds(60)));
            try (CoordinatorNode node = CoordinatorNode.start(new CoordinatorConfig("c1", REPLICAS, as("coordinator"), TOPICS, 0,
                    CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry());
                 GatewayClient client = new GatewayClient(as("client"), TOPICS)) {
                Outcome put = client.call(new ExternalRequest(Op.PUT, "user:1", bytes("hello"), null, null, 10_000L, null),
                        Duration.ofSeconds(30)).orElseThrow();
                assertThat(put.status()).as(put.toString()).isEqualTo(Status.OK);
                Outcome get = client.call(new ExternalRequest(Op.GET, "user:1", null, null, null, 10_000L, null),
                        Duration.ofSeconds(30)).orElseThrow();
                assertThat(get.status()).isEqualTo(Status.OK);
                assertThat(new String(get.value(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
        } finally {
            workers.forEach(ReplicaWorker::stop);
            workers.forEach(ReplicaWorker::close);
        }
    }

    @Test
    void aClientCannotWriteStraightToAReplicaTopic() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(as("client").producer("test-client"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.replica("r1"), bytes("k"), bytes("{}")))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(TOPICS.replica("r1"));
        }
    }

    @Test
    void workerR1CannotReadReplicaR2sTopic() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(as("worker-r1").consumer("test-r1", null))) {
            consumer.assign(List.of(new TopicPartition(TOPICS.replica("r2"), 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class).hasMessageContaining(TOPICS.replica("r2"));
        }
        Cli run = cli("worker", "--id", "r2", "--data-dir", dir.resolve("stolen").toString(), "--http-port", "-1",
                "--config", security.credentialsFile("worker-r1").toString());
        assertThat(run.exit).isEqualTo(Main.EXIT_KAFKA_UNAVAILABLE);
        assertThat(run.err).contains("refused User:worker-r1", "[" + TOPICS.replica("r2") + "]", "Describe", "acls --print");
    }

    @Test
    void aClientCannotActAsACoordinator() {
        Cli run = cli("coordinator", "--replicas", "r1,r2,r3", "--http-port", "-1",
                "--config", security.credentialsFile("client").toString());
        assertThat(run.exit).isEqualTo(Main.EXIT_KAFKA_UNAVAILABLE);
        assertThat(run.err).contains("refused User:client", TOPICS.replica("r1"));
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheUser() throws Exception {
        Path wrong = dir.resolve("wrong.properties");
        Properties p = new Properties();
        p.putAll(KafkaSecurity.clientProperties("client", "not-the-password"));
        try (var out = Files.newBufferedWriter(wrong)) {
            p.store(out, null);
        }
        Cli run = cli("get", "user:1", "--config", wrong.toString());
        assertThat(run.exit).isEqualTo(Main.EXIT_KAFKA_UNAVAILABLE);
        assertThat(run.err).contains("did not accept the credentials of User:client", "SaslAuthenticationException");
    }

    @Test
    void aclsApplyGrantsANewReplicasWorkerItsLaneAndCreatesItsTopics() throws Exception {
        Cli refused = cli("acls", "--apply", "--prefix", "shop", "--replicas", "r1", "--create-topics",
                "--config", security.credentialsFile("coordinator").toString());
        assertThat(refused.exit).isEqualTo(Main.EXIT_KAFKA_UNAVAILABLE);
        assertThat(refused.err).contains("refused User:coordinator");

        Cli applied = cli("acls", "--apply", "--prefix", "shop", "--replicas", "r1", "--worker-principal", "r1=User:worker-r2",
                "--create-topics", "--config", security.credentialsFile(KafkaSecurity.ADMIN_USER).toString());
        assertThat(applied.exit).as(applied.err).isZero();
        // worker-r2's credentials now run shop's replica r1, and still cannot touch kq's r1.
        TopicNames shop = new TopicNames("shop");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(as("worker-r2").consumer("test-shop-r1", null))) {
            consumer.assign(List.of(new TopicPartition(shop.replica("r1"), 0)));
            consumer.poll(Duration.ofMillis(500));
            consumer.assign(List.of(new TopicPartition(TOPICS.replica("r1"), 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    private record Cli(int exit, String err) {
    }

    private static Cli cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers()));
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), Map.of(), all.toArray(String[]::new));
        return new Cli(exit, err.toString());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
