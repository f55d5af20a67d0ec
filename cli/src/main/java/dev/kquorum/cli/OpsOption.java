package dev.kquorum.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

import dev.kquorum.common.health.Health;
import dev.kquorum.cli.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --http-port}: where a long-running command serves /metrics and /health. */
final class OpsOption {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--http-port", defaultValue = "0",
            description = "Port for /metrics and /health: 0 picks a free one, -1 turns them off (default: ${DEFAULT-VALUE}).")
    int httpPort;

    /** Starts the server unless turned off, and says where it is; null when off. */
    OpsServer start(PrometheusMeterRegistry registry, Supplier<Health> health) {
        if (httpPort < -1 || httpPort > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--http-port " + httpPort + " is outside -1..65535");
        }
        if (httpPort == -1) {
            return null;
        }
        OpsServer server = OpsServer.start(httpPort, registry, health);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Metrics at http://127.0.0.1:" + server.port() + "/metrics, health at http://127.0.0.1:" + server.port() + "/health");
        out.flush();
        return server;
    }
}
