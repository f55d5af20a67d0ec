package dev.kquorum.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.kquorum.cli.config.Settings;
import dev.kquorum.cli.ops.OpsServer;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.process.StopSignal;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaBroker;
import dev.kquorum.localkafka.LocalKafkaCluster;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.UncheckedIOException;

/** {@code kquorum up}: everything on one machine, for trying kquorum out. */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a whole kquorum on this machine: a local Kafka broker (unless --bootstrap-servers is given),",
            "N replica workers as child processes, and a coordinator with its request-topic gateway.",
            "With --coordinators N, coordinators c2..cN run beside it as child processes, sharing its gateway's",
            "group. A child that dies (exit code not 0) is restarted, with a line saying so; the pids are kept in",
            "<data-dir>/pids/<id>.pid for workers and pids/coordinators/<id>.pid for coordinators (and up's own,",
            "which runs the broker and coordinator c1, in pids/up.pid), where `kquorum verify --faults` finds them.",
            "Data is kept in --data-dir across runs. Ctrl-C stops all of it."})
final class UpCommand implements Callable<Integer> {

    static final String READY_PREFIX = "kquorum is up: ";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption;

    @CommandLine.Mixin
    OpsOption ops;

    @Option(names = "--replicas", defaultValue = "3", description = "Number of replica workers (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--workers-per-replica", defaultValue = "1",
            description = {"Worker processes per replica, 1..12 (default: ${DEFAULT-VALUE}): each replica's partitions spread",
                "over them, with a standby copy of each on another (r1's are r1, r1-2, r1-3, ... each with its own data dir)."})
    int workersPerReplica;

    @Option(names = "--coordinators", defaultValue = "1",
            description = "Number of coordinators: c1 in this process, c2.. as child processes (default: ${DEFAULT-VALUE}).")
    int coordinators;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of starting a local broker.")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "9092",
            description = "Port of the local broker; a local cluster's brokers take this one and the ones after it (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--brokers", defaultValue = "1",
            description = {"Brokers of the local Kafka, 1..9 (default: ${DEFAULT-VALUE}); more than one runs a cluster, each",
                "broker and its controller a process of its own (as kquorum kafka --brokers)."})
    int brokers;

    @CommandLine.Mixin
    ReplicationOptions replication;

    @Option(names = "--data-dir", defaultValue = ".kquorum/up", description = "Where the broker and workers keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (replicas < 1 || replicas > 15) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replicas " + replicas + " is outside 1..15");
        }
        if (workersPerReplica < 1 || workersPerReplica > TopicAdmin.REPLICA_PARTITIONS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers-per-replica " + workersPerReplica
                    + " is outside 1.." + TopicAdmin.REPLICA_PARTITIONS + " (a replica has " + TopicAdmin.REPLICA_PARTITIONS
                    + " partitions to spread)");
        }
        if (brokers < 1 || brokers > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + " is outside 1..9");
        }
        if (bootstrapServers != null && brokers != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers starts a local cluster; with"
                    + " --bootstrap-servers there is none to start");
        }
        if (coordinators < 1 || coordinators > 8) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--coordinators " + coordinators + " is outside 1..8");
        }
        Main.logEffectiveConfiguration(spec);
        PrintWriter out = spec.commandLine().getOut();
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        Deque<AutoCloseable> running = new ArrayDeque<>();
        CountDownLatch stop = new CountDownLatch(1);
        StopSignal.onTermOrInt(stop::countDown);
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap != null) {
                KafkaPreflight.check(kafkaSettings(bootstrap));
            } else {
                for (int p = port; p < port + brokers; p++) {
                    if (BrokerSettings.portInUse(p)) {
                        spec.commandLine().getErr().println("kquorum up: port " + p + " on 127.0.0.1 is in use; is kquorum"
                                + " or Kafka already running? Choose another with --port, or use it with --bootstrap-servers.");
                        return 1;
                    }
                }
                if (brokers == 1) {
                    progress(out, "starting Kafka on 127.0.0.1:" + port);
                    LocalKafkaBroker broker = LocalKafkaBroker.start(new BrokerSettings(dir.resolve("kafka"), port, 0));
                    running.push(broker);
                    bootstrap = broker.bootstrapServers();
                } else {
                    progress(out, "starting a Kafka cluster of " + brokers + " brokers on 127.0.0.1:" + port + ".." + (port + brokers - 1));
                    LocalKafkaCluster cluster = LocalKafkaCluster.start(dir.resolve("kafka-cluster"), brokers, port);
                    running.push(cluster);
                    bootstrap = cluster.bootstrapServers();
                }
            }
            List<String> ids = new ArrayList<>();
            String workersBootstrap = bootstrap;
            Map<String, String> replicaOf = new HashMap<>();
            Supervisor workers = new Supervisor(dir.resolve(Supervisor.PID_DIR), "worker",
                    process -> startWorker(replicaOf.get(process), process, workersBootstrap, dir, childArgs()), out);
            running.push(workers);
            List<String> processes = new ArrayList<>();
            for (int i = 1; i <= replicas; i++) {
                String id = "r" + i;
                ids.add(id);
                for (int p = 1; p <= workersPerReplica; p++) {
                    String process = p == 1 ? id : id + "-" + p;
                    replicaOf.put(process, id);
                    processes.add(process);
                    progress(out, "starting worker " + process + (process.equals(id) ? "" : " of replica " + id)
                            + " (log: " + dir.resolve(process + ".log") + ")");
                }
            }
            workers.startAll(processes);
            workers.superviseFromNow();
            writeOwnPid(dir);
            CoordinatorConfig config = new CoordinatorConfig("c1", ids, kafkaSettings(bootstrap), TopicNames.DEFAULT, 0,
                    CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            CoordinatorNode node = CoordinatorNode.start(config, registry);
            running.push(node);
            OpsServer server = ops.start(registry, node::health);
            if (server != null) {
                running.push(server);
            }
            if (coordinators > 1) {
                Supervisor peers = new Supervisor(dir.resolve(Supervisor.PID_DIR).resolve("coordinators"), "coordinator",
                        id -> startCoordinator(id, workersBootstrap, ids, dir, childArgs()), out);
                running.push(peers);
                for (int i = 2; i <= coordinators; i++) {
                    progress(out, "starting coordinator c" + i + " (log: " + dir.resolve("c" + i + ".log") + ")");
                    peers.start("c" + i);
                }
                peers.superviseFromNow();
            }

            String flag = bootstrapServers == null && port == 9092 ? "" : " --bootstrap-servers " + bootstrap;
            out.println(READY_PREFIX + "Kafka at " + bootstrap + ", replicas " + String.join(",", ids)
                    + (workersPerReplica == 1 ? "" : " (" + workersPerReplica + " worker processes each)")
                    + (coordinators == 1 ? ", coordinator c1." : ", coordinators c1..c" + coordinators + "."));
            out.println("  try:  ./kquorum put" + flag + " user:42 hello");
            out.println("        ./kquorum get" + flag + " user:42");
            out.println("        ./kquorum delete" + flag + " user:42");
            out.println("  any Kafka client can send JSON to kq.requests (docs/protocol.md). Ctrl-C stops everything.");
            out.flush();
            String failure = node.awaitStopOrLoopFailure(stop);
            if (failure != null) {
                spec.commandLine().getErr().println("kquorum up: " + failure + "; stopping everything, exit code "
                        + Main.EXIT_LOOP_FAILED);
                spec.commandLine().getErr().flush();
                return Main.EXIT_LOOP_FAILED;
            }
            progress(out, "stopping");
        } finally {
            while (!running.isEmpty()) {
                running.pop().close();
            }
        }
        return 0;
    }

    private static void progress(PrintWriter out, String what) {
        out.println("kquorum up: " + what + " ...");
        out.flush();
    }

    /**
     * {@code pids/up.pid}: this process, which runs the broker (unless --bootstrap-servers) and
     * the coordinator c1 with its gateway. Removed when up stops.
     */
    private static void writeOwnPid(Path dir) throws IOException {
        Path file = dir.resolve(Supervisor.PID_DIR).resolve("up.pid");
        Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        file.toFile().deleteOnExit();
    }

    /** One process of replica {@code replicaId}, named {@code process}: its data dir and log are named after it. */
    private static ChildJvm startWorker(String replicaId, String process, String bootstrap, Path dir, List<String> childArgs) {
        return KquorumProcesses.worker(replicaId, bootstrap, dir.resolve(process), childArgs, log(dir, process)::println);
    }

    /** Coordinator c<i> answers on reply partition i-1; c1, in this process, on 0. */
    private static ChildJvm startCoordinator(String id, String bootstrap, List<String> replicas, Path dir, List<String> childArgs) {
        List<String> extra = new ArrayList<>(childArgs);
        extra.addAll(List.of("--http-port", "-1"));
        return KquorumProcesses.coordinator(id, Integer.parseInt(id.substring(1)) - 1, bootstrap, replicas, extra,
                log(dir, id)::println);
    }

    /**
     * The children see the same Kafka client properties (security settings) as everything else,
     * and the same topic replication.
     */
    private List<String> childArgs() {
        List<String> args = new ArrayList<>(replication.asArguments());
        if (configOption.config != null) {
            args.addAll(List.of(Settings.CONFIG_OPTION, configOption.config.toAbsolutePath().toString()));
        }
        return args;
    }

    private KafkaSettings kafkaSettings(String bootstrap) {
        return new KafkaSettings(bootstrap, Main.settings(spec).kafkaClientProperties(), replication.topicReplication(spec));
    }

    private static PrintStream log(Path dir, String id) {
        try {
            return new PrintStream(new FileOutputStream(dir.resolve(id + ".log").toFile(), true), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + dir.resolve(id + ".log") + ": " + e.getMessage(), e);
        }
    }
}
