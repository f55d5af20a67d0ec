package dev.kquorum.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum kafka}: a real single-node Kafka broker for machines without a cluster. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a real single-node Kafka broker (KRaft) on 127.0.0.1 in the foreground, from Kafka's own jars.",
            "Data is kept in --data-dir across restarts. Ctrl-C or SIGTERM stops it cleanly."})
final class KafkaCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption;

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = ".kquorum/kafka", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 1 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port + " is not between 1 and 65535");
        }
        if (BrokerSettings.portInUse(port)) {
            spec.commandLine().getErr().println("kquorum kafka: port " + port + " on 127.0.0.1 is in use;"
                    + " is a broker already running? Choose another with --port.");
            return 1;
        }
        Main.logEffectiveConfiguration(spec);
        LocalKafkaMain.runUntilStopped(new BrokerSettings(dataDir.toAbsolutePath(), port, 0));
        return 0;
    }
}
