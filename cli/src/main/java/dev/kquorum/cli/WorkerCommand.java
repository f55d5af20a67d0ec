package dev.kquorum.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.process.StopSignal;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.replica.ReplicaRules;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import dev.kquorum.common.health.Health;
import dev.kquorum.common.health.KafkaProbe;
import dev.kquorum.cli.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum worker}: one replica, as its own process. */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a replica worker: applies the requests on its topic (<prefix>.replica.<id>) to its RocksDB stores",
            "and answers on the reply topic each request names. Creates its topics when absent.",
            "Start it on several processes or hosts with the same --id to spread the replica's partitions over them",
            "(a Kafka Streams application, <prefix>.replica.<id>); each needs its own --data-dir.",
            "SIGTERM or Ctrl-C: finishes the record in hand, commits and exits 0."})
public final class WorkerCommand implements Callable<Integer> {

    /** Printed once the worker is consuming; launchers wait for it. */
    public static final String READY_PREFIX = "Worker ready: ";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, description = "Replica id (letters, digits, . _ -).")
    String id;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @CommandLine.Mixin
    OpsOption ops;

    /** How long start waits for the group to give this process its partitions before saying it is ready anyway. */
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    /** Lag beyond which a worker reports itself as not keeping up. */
    static final long MAX_HEALTHY_LAG = 10_000;

    @Option(names = "--data-dir", description = "State directory of this process's stores (default: .kquorum/worker-<id>).")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "" + TopicAdmin.REPLICA_PARTITIONS,
            description = {"Partitions of the replica topic when created (default: ${DEFAULT-VALUE}): how many processes",
                "the replica can spread over. Never changed later: keys would move away from their state."})
    int partitions;

    @Option(names = "--standbys", defaultValue = "" + WorkerConfig.DEFAULT_STANDBYS,
            description = {"Warm copies of each partition's store kept on other processes of this replica (default: ${DEFAULT-VALUE}),",
                "so a partition resumes at once when its process dies. Used only when more than one process runs."})
    int standbys;

    @Option(names = "--tombstone-grace-seconds", defaultValue = "864000",
            description = "Seconds a delete's tombstone is kept before it is purged (default: ${DEFAULT-VALUE}, 10 days).")
    long tombstoneGraceSeconds;

    @Option(names = "--max-clock-offset-ms", defaultValue = "500",
            description = "Refuse a write whose version is more than this many ms ahead of this host's clock (default: ${DEFAULT-VALUE}).")
    long maxClockOffsetMs;

    @Option(names = "--dedup-window-seconds", defaultValue = "3600",
            description = "Seconds a request's identity is remembered, so that executing it again supersedes nothing newer (default: ${DEFAULT-VALUE}).")
    long dedupWindowSeconds;

    @Option(names = "--retention-ms", defaultValue = "-1",
            description = {"retention.ms of the replica topic when the worker creates it (default: ${DEFAULT-VALUE}, infinite).",
                "At least the tombstone grace period plus 1 day: the topic is the replica's backlog while it is down."})
    long retentionMs;

    @Option(names = "--max-key-bytes", defaultValue = "1024", description = "Largest key accepted (default: ${DEFAULT-VALUE}).")
    int maxKeyBytes;

    @Option(names = "--max-value-bytes", defaultValue = "1048576", description = "Largest value accepted (default: ${DEFAULT-VALUE}).")
    int maxValueBytes;

    @Override
    public Integer call() throws InterruptedException {
        WorkerConfig config;
        try {
            config = new WorkerConfig(id, kafka.kafka(), kafka.topics(),
                    (dataDir != null ? dataDir : Path.of(".kquorum", "worker-" + id)).toAbsolutePath(),
                    partitions, standbys, new ReplicaRules(new Limits(maxKeyBytes, maxValueBytes), new MaxClockOffset(maxClockOffsetMs),
                            Duration.ofSeconds(tombstoneGraceSeconds), Duration.ofSeconds(dedupWindowSeconds)), retentionMs);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Main.logEffectiveConfiguration(spec);
        KafkaPreflight.check(config.kafka());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ReplicaWorker worker = ReplicaWorker.start(config, registry);
             KafkaProbe probe = new KafkaProbe(config.kafka(), "kq-worker-health-" + id);
             OpsServer server = ops.start(registry, () -> health(worker, probe))) {
            StopSignal.onTermOrInt(worker::stop);
            if (!worker.awaitRunning(READY_WAIT)) {
                log.warn("Replica {} is not running after {} s (state {}); it goes on joining its group", config.replicaId(),
                        READY_WAIT.toSeconds(), worker.state());
            }
            spec.commandLine().getOut().println(READY_PREFIX + config.replicaId() + " consuming " + config.topic()
                    + " at " + kafka.bootstrapServers + ", state in " + config.dataDir());
            spec.commandLine().getOut().flush();
            worker.awaitStopped();
        }
        return 0;
    }

    static Health health(ReplicaWorker worker, KafkaProbe probe) {
        String kafkaProblem = probe.problem();
        long lag = worker.lag();
        String state = worker.state();
        int restoring = worker.restoring();
        String workerProblem = worker.problem();
        boolean running = state.equals("RUNNING") && restoring == 0;
        boolean healthy = kafkaProblem == null && workerProblem == null && lag <= MAX_HEALTHY_LAG && running;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("replica", worker.replicaId());
        details.put("kafka", kafkaProblem == null ? "connected" : kafkaProblem);
        details.put("state", state);
        details.put("restoring", restoring);
        details.put("lag", lag);
        if (workerProblem != null) {
            details.put("reason", workerProblem);
        } else if (!running) {
            details.put("reason", restoring > 0 ? restoring + " partition(s) restoring their stores from the changelog"
                    : "state " + state + ": partitions are being assigned, or the worker is stopping");
        } else if (lag > MAX_HEALTHY_LAG) {
            details.put("reason", "lag " + lag + " is over " + MAX_HEALTHY_LAG + ": the worker is not keeping up");
        }
        if (worker.refusals() > 0) {
            // Not unhealthy in itself (the writer is at fault), but an operator should see it.
            details.put("writesRefused", worker.refusals());
            details.put("lastRefusal", worker.lastRefusal());
        }
        return new Health(healthy, details);
    }
}
