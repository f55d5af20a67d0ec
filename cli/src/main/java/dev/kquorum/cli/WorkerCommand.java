package dev.kquorum.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kquorum.common.process.StopSignal;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.replica.ReplicaRules;
import dev.kquorum.replica.store.RocksDbReplicaStore;
import dev.kquorum.replica.worker.ReplicaWorker;
import dev.kquorum.replica.worker.WorkerConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kquorum.common.health.Health;
import dev.kquorum.common.health.KafkaProbe;
import dev.kquorum.cli.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum worker}: one replica, as its own process. */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs one replica worker: applies the requests on its topic (<prefix>.replica.<id>) to its RocksDB store",
            "and answers on the reply topic each request names. Creates its topics when absent.",
            "SIGTERM or Ctrl-C: finishes the batch in hand and exits 0."})
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

    /** Lag beyond which a worker reports itself as not keeping up. */
    static final long MAX_HEALTHY_LAG = 10_000;

    @Option(names = "--data-dir", description = "Store directory (default: .kquorum/worker-<id>).")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "1", description = "Partitions of the replica topic when created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--fsync", description = "Sync the store to disk on every batch (survives power loss; slower).")
    boolean fsync;

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
                    fsync, partitions, new ReplicaRules(new Limits(maxKeyBytes, maxValueBytes), new MaxClockOffset(maxClockOffsetMs),
                            Duration.ofSeconds(tombstoneGraceSeconds), Duration.ofSeconds(dedupWindowSeconds)), retentionMs);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Main.logEffectiveConfiguration(spec);
        KafkaPreflight.check(config.kafka());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (RocksDbReplicaStore store = RocksDbReplicaStore.open(config.dataDir(), config.fsync());
             ReplicaWorker worker = ReplicaWorker.start(config, store, registry);
             KafkaProbe probe = new KafkaProbe(config.kafka(), "kq-worker-health-" + id);
             OpsServer server = ops.start(registry, () -> health(worker, probe))) {
            StopSignal.onTermOrInt(worker::stop);
            spec.commandLine().getOut().println(READY_PREFIX + config.replicaId() + " consuming " + config.topic()
                    + " at " + kafka.bootstrapServers + ", store in " + config.dataDir());
            spec.commandLine().getOut().flush();
            worker.awaitStopped();
        }
        return 0;
    }

    static Health health(ReplicaWorker worker, KafkaProbe probe) {
        String kafkaProblem = probe.problem();
        long lag = worker.lag();
        long sincePoll = worker.millisSinceLastPoll();
        String workerProblem = worker.problem();
        boolean healthy = kafkaProblem == null && workerProblem == null && lag <= MAX_HEALTHY_LAG && sincePoll < 30_000;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("replica", worker.replicaId());
        details.put("kafka", kafkaProblem == null ? "connected" : kafkaProblem);
        details.put("lag", lag);
        details.put("msSinceLastPoll", sincePoll);
        if (workerProblem != null) {
            details.put("reason", workerProblem);
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
