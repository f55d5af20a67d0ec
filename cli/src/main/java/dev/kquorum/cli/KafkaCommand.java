package dev.kquorum.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.cli.acl.AclAdmin;
import dev.kquorum.cli.acl.KquorumAcls;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.StopSignal;
import dev.kquorum.localkafka.KafkaSecurity;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.localkafka.LocalKafkaCluster;
import dev.kquorum.localkafka.LocalKafkaMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum kafka}: a real Kafka broker, or a cluster of them, for machines without one. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Runs real Kafka (KRaft) on 127.0.0.1 in the foreground, from Kafka's own jars: one combined node,",
            "or with --brokers N a controller and N brokers, each a process of its own.",
            "Data is kept in --data-dir across restarts, on the same ports. Ctrl-C or SIGTERM stops it cleanly."})
final class KafkaCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption;

    @Option(names = "--port", defaultValue = "9092",
            description = "Client port; a cluster's brokers take this one and the ones after it (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--brokers", defaultValue = "1",
            description = {"Brokers, 1..9 (default: ${DEFAULT-VALUE}). More than one runs a cluster: a controller and the",
                "brokers, Kafka's internal topics replicated over min(3, brokers) of them."})
    int brokers;

    @Option(names = "--data-dir", defaultValue = ".kquorum/kafka", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--secure",
            description = {"SASL_PLAINTEXT with SCRAM-SHA-512 and Kafka's StandardAuthorizer (nothing allowed without an ACL):",
                "a user per kquorum role, created at first start, credentials written to <data-dir>/credentials/<user>.properties",
                "(mode 600); the roles' ACLs granted and kquorum's topics created as admin (docs/security.md)."})
    boolean secure;

    @Option(names = "--replicas", defaultValue = "r1,r2,r3", split = ",",
            description = "With --secure: the replicas that get a worker user and ACLs (default: ${DEFAULT-VALUE}).")
    List<String> replicas;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 1 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port + " is not between 1 and 65535");
        }
        if (brokers < 1 || brokers > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + " is outside 1..9");
        }
        if (port + brokers - 1 > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port + " leaves no room for "
                    + brokers + " brokers below 65536");
        }
        for (int p = port; p < port + brokers; p++) {
            if (BrokerSettings.portInUse(p)) {
                spec.commandLine().getErr().println("kquorum kafka: port " + p + " on 127.0.0.1 is in use;"
                        + " is a broker already running? Choose another with --port.");
                return 1;
            }
        }
        Path credentials = dataDir.toAbsolutePath().resolve("credentials");
        boolean formatted = Files.exists(dataDir.resolve("logs")) || Files.exists(dataDir.resolve("controller"));
        if (!secure && Files.exists(credentials)) {
            spec.commandLine().getErr().println("kquorum kafka: " + dataDir + " holds a secure Kafka (its users are in "
                    + credentials + "); start it with --secure, or it would serve its data to anyone.");
            return 1;
        }
        if (secure && formatted && !Files.exists(credentials)) {
            spec.commandLine().getErr().println("kquorum kafka: " + dataDir + " holds a Kafka made without --secure, which has"
                    + " no users; give --secure a new --data-dir.");
            return 1;
        }
        Main.logEffectiveConfiguration(spec);
        run();
        return 0;
    }

    private void run() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = dataDir.toAbsolutePath();
        CountDownLatch stop = new CountDownLatch(1);
        StopSignal.onTermOrInt(stop::countDown);
        KafkaSecurity security = secure ? KafkaSecurity.inDirectory(dir.resolve("credentials"), users()) : null;
        String bootstrap;
        AutoCloseable running;
        if (brokers == 1) {
            LocalKafkaBroker broker = LocalKafkaBroker.start(new BrokerSettings(dir, port, 0), security);
            bootstrap = broker.bootstrapServers();
            running = broker;
        } else {
            LocalKafkaCluster cluster = LocalKafkaCluster.start(dir, brokers, port, security);
            for (int id : cluster.brokerIds()) {
                out.println("  broker " + id + " at " + cluster.address(id) + " (data in " + dir.resolve("broker-" + id) + ")");
            }
            out.println("  controller at " + cluster.controllerAddress());
            bootstrap = cluster.bootstrapServers();
            running = cluster;
        }
        try {
            if (security != null) {
                secureSetup(out, bootstrap, security);
            }
            out.println(LocalKafkaMain.READY_PREFIX + bootstrap + " (" + (brokers == 1 ? "" : brokers + " brokers; ")
                    + (security == null ? "" : "SASL/SCRAM and ACLs; ") + "data in " + dir + "; Ctrl-C stops it)");
            out.flush();
            stop.await();
        } finally {
            try {
                running.close();
            } catch (Exception e) {
                spec.commandLine().getErr().println("kquorum kafka: stopping Kafka failed: " + e.getMessage());
            }
        }
        out.println(LocalKafkaMain.STOPPED_LINE);
        out.flush();
    }

    /** The roles' users: a coordinator, a client and a worker per replica. */
    private List<String> users() {
        List<String> users = new ArrayList<>(List.of("coordinator", "client"));
        replicas.forEach(r -> users.add("worker-" + r));
        return users;
    }

    /**
     * Grants each role its ACLs and creates kquorum's topics as admin (the roles may not), then
     * says where each role's credentials are.
     */
    private void secureSetup(PrintWriter out, String bootstrap, KafkaSecurity security) {
        KafkaSettings admin = new KafkaSettings(bootstrap, security.clientProperties(KafkaSecurity.ADMIN_USER));
        AclAdmin.apply(admin, KquorumAcls.forLocalUsers(TopicNames.DEFAULT, replicas));
        AclAdmin.createTopics(admin, TopicNames.DEFAULT, replicas);
        out.println("  SASL_PLAINTEXT with SCRAM-SHA-512; StandardAuthorizer, nothing allowed without an ACL."
                + " Credentials (pass with --config FILE):");
        for (String user : security.passwords().keySet()) {
            String role = switch (user) {
                case KafkaSecurity.BROKER_USER -> "the brokers' own (super user)";
                case KafkaSecurity.ADMIN_USER -> "admin: creates topics and ACLs (super user)";
                default -> user.startsWith("worker-") ? "worker of replica " + user.substring("worker-".length()) : user;
            };
            out.println("    User:" + user + " — " + role + ": " + security.credentialsFile(user));
        }
    }
}
