package dev.kquorum.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.common.process.StopSignal;
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
        Main.logEffectiveConfiguration(spec);
        if (brokers == 1) {
            LocalKafkaMain.runUntilStopped(new BrokerSettings(dataDir.toAbsolutePath(), port, 0));
            return 0;
        }
        runClusterUntilStopped();
        return 0;
    }

    private void runClusterUntilStopped() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        StopSignal.onTermOrInt(stop::countDown);
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start(dataDir.toAbsolutePath(), brokers, port)) {
            for (int id : cluster.brokerIds()) {
                out.println("  broker " + id + " at " + cluster.address(id) + " (data in " + dataDir.resolve("broker-" + id) + ")");
            }
            out.println("  controller at " + cluster.controllerAddress());
            out.println(LocalKafkaMain.READY_PREFIX + cluster.bootstrapServers() + " (" + brokers + " brokers; data in "
                    + dataDir.toAbsolutePath() + "; Ctrl-C stops it)");
            out.flush();
            stop.await();
        }
        out.println(LocalKafkaMain.STOPPED_LINE);
        out.flush();
    }
}
