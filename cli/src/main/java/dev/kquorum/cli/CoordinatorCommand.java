package dev.kquorum.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.kquorum.cli.ops.OpsServer;
import dev.kquorum.common.process.StopSignal;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.node.CoordinatorNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum coordinator}: quorum calls over the replicas, and the request-topic gateway. */
@Command(name = "coordinator",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a coordinator: answers requests from the request topic (<prefix>.requests) by quorum over the replicas.",
            "Several coordinators can run at once; give each its own --id and --reply-partition.",
            "SIGTERM or Ctrl-C stops it cleanly."})
public final class CoordinatorCommand implements Callable<Integer> {

    /** Printed once the coordinator answers requests; launchers wait for it. */
    static final String READY_PREFIX = "Coordinator ready: ";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @CommandLine.Mixin
    OpsOption ops;

    @Option(names = "--replicas", required = true, split = ",", description = "Replica ids of the group, comma-separated (e.g. r1,r2,r3).")
    List<String> replicas;

    @Option(names = "--reply-partition", defaultValue = "0", description = "This coordinator's own partition of the reply topic (default: ${DEFAULT-VALUE}).")
    int replyPartition;

    @Option(names = "--id", description = "Coordinator id, part of every version it writes (default: c<pid>).")
    String id;

    @Option(names = "--max-in-flight", defaultValue = "10000", description = "Operations in flight before new ones are answered OVERLOADED (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--max-clock-offset-ms", defaultValue = "500",
            description = "Never follow a version more than this many ms ahead of this host's clock (default: ${DEFAULT-VALUE}).")
    long maxClockOffsetMs;

    @Override
    public Integer call() throws InterruptedException {
        CoordinatorConfig config;
        try {
            config = new CoordinatorConfig(id != null ? id : "c" + ProcessHandle.current().pid(), replicas, kafka.kafka(),
                    kafka.topics(), replyPartition, maxInFlight, Limits.DEFAULT, new MaxClockOffset(maxClockOffsetMs));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Main.logEffectiveConfiguration(spec);
        KafkaPreflight.check(config.kafka());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch stop = new CountDownLatch(1);
        try (CoordinatorNode node = CoordinatorNode.start(config, registry);
             OpsServer server = ops.start(registry, node::health)) {
            StopSignal.onTermOrInt(stop::countDown);
            spec.commandLine().getOut().println(READY_PREFIX + config.coordinatorId() + " over " + String.join(",", replicas)
                    + ", requests on " + config.topics().requests() + " at " + kafka.bootstrapServers);
            spec.commandLine().getOut().flush();
            String failure = node.awaitStopOrLoopFailure(stop);
            if (failure != null) {
                spec.commandLine().getErr().println("kquorum coordinator: " + failure + "; exiting with code "
                        + Main.EXIT_LOOP_FAILED + " so that a supervisor restarts it");
                spec.commandLine().getErr().flush();
                return Main.EXIT_LOOP_FAILED;
            }
        }
        return 0;
    }
}
