package dev.kquorum.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.coordinator.gateway.RequestGateway;
import dev.kquorum.localkafka.LocalKafkaCluster;
import dev.kquorum.localkafka.LocalKafkaProcess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.kquorum.cli.KafkaPreflight;

/**
 * {@code kquorum bench}: kquorum against the raw-Kafka floor, side by side, in one run on one
 * broker with one set of client settings. Speed is only ever measured here, never asserted in a
 * test: on shared cores only ratios from one run mean anything.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measures kquorum (N=3, real workers on RocksDB) against raw Kafka request/reply to echo consumers",
            "on the same topic layout: latency at concurrency 1, throughput at rising concurrency, and latency at a fixed",
            "rate (open loop, corrected for coordinated omission); through QuorumClient (2 hops) and through the request",
            "topic with a plain Kafka client (4 hops, against a relay baseline), including a burst of 200 requests.",
            "Prints a table and kquorum/baseline ratios; with --json, also a latency percentile plot (PNG) beside it."})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "A short run (under 30 s) with fewer scenarios.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of a local broker.")
    String bootstrapServers;

    @Option(names = "--brokers", defaultValue = "1",
            description = {"Brokers of the local Kafka (default: ${DEFAULT-VALUE}); 3 runs the baseline and kquorum on a local",
                "cluster, topics replicated three times with two in sync."})
    int brokers;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--workers-per-replica", split = ",", paramLabel = "K[,K...]",
            description = {"Instead of the usual scenarios: puts at concurrency 32 with each replica spread over K worker processes,",
                "for each K given (e.g. 1,2,3), with each process's CPU per 1,000 puts."})
    List<Integer> workersPerReplica;

    @Option(names = "--phase-ms", hidden = true, description = "Length of each measured phase, for tests.")
    Long phaseMs;

    /** Warm-up rounds at most, in a full run. */
    private static final int MAX_WARM_ROUNDS = 8;
    /** Slices per latency scenario. */
    private static final int ROUNDS = 5;

    private PrintWriter out;
    private final BenchReport report = new BenchReport();

    @Override
    public Integer call() throws Exception {
        if (valueBytes < 0 || valueBytes > 1_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--value-bytes " + valueBytes + " is outside 0..1000000");
        }
        if (brokers < 1 || brokers > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + " is outside 1..9");
        }
        if (brokers > 1 && bootstrapServers != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers starts a local cluster; with"
                    + " --bootstrap-servers there is none to start");
        }
        out = spec.commandLine().getOut();
        long phase = phaseMs != null ? phaseMs : quick ? 1_500 : 5_000;
        if (workersPerReplica != null) {
            for (int k : workersPerReplica) {
                if (k < 1 || k > TopicAdmin.REPLICA_PARTITIONS) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--workers-per-replica " + k + " is outside 1.."
                            + TopicAdmin.REPLICA_PARTITIONS);
                }
            }
            return scaleOut(phase);
        }
        long warmup = Math.max(200, phase / 4);
        List<Integer> steps = quick ? List.of(8, 64) : List.of(8, 32, 128);
        Path dir = Files.createTempDirectory("kq-bench");
        Kafka broker = null;
        try {
            broker = startKafka(dir);
            KafkaSettings kafka = broker.settings();
            String prefix = "bench-" + Long.toHexString(System.nanoTime());
            try (KquorumUnderTest kq = new KquorumUnderTest(kafka, prefix, 3, dir, valueBytes);
                 EchoBaseline echo = new EchoBaseline(kafka, prefix, 3, 2);
                 RelayBaseline relay = new RelayBaseline(kafka, prefix, RequestGateway.REQUEST_PARTITIONS, 3, 2);
                 RequestTopicClient gatewayClient = new RequestTopicClient(kafka, kq.requestTopic(), prefix + ".client.replies");
                 RequestTopicClient relayClient = new RequestTopicClient(kafka, relay.requestTopic(), prefix + ".relay.client.replies")) {
                progress("writing " + KquorumUnderTest.KEYS + " keys for the reads");
                kq.populate();
                Target baseline = echo.target(kq.samplePayload());
                Target relayed = relayClient.target(KquorumUnderTest::key, i -> kq.requestJson(Op.PUT, i));
                Target gatewayPut = gatewayClient.target(KquorumUnderTest::key, i -> kq.requestJson(Op.PUT, i));
                Target gatewayGet = gatewayClient.target(KquorumUnderTest::key, i -> kq.requestJson(Op.GET, i));
                // Every path warm before anything is measured: the JIT should not favour whoever runs last.
                progress("warming up every path until its rate is steady");
                Map<String, Target> paths = new LinkedHashMap<>();
                paths.put("2-hop baseline", baseline);
                paths.put("4-hop baseline", relayed);
                paths.put("put", kq.put(Consistency.QUORUM));
                paths.put("get", kq.get(Consistency.QUORUM));
                paths.put("gateway put", gatewayPut);
                paths.put("gateway get", gatewayGet);
                paths.put("linearizable put", kq.put(Consistency.QUORUM, Mode.LINEARIZABLE));
                warmUntilSteady(paths, warmup * 2, quick ? 3 : MAX_WARM_ROUNDS);
                echo.reset();

                Map<String, Target> oneAtATime = new LinkedHashMap<>();
                oneAtATime.put(BenchReport.BASELINE_LATENCY, baseline);
                oneAtATime.put(BenchReport.RELAY_LATENCY, relayed);
                oneAtATime.put(BenchReport.PUT_LATENCY, kq.put(Consistency.QUORUM));
                oneAtATime.put(BenchReport.GET_LATENCY, kq.get(Consistency.QUORUM));
                oneAtATime.put(BenchReport.GATEWAY_PUT_LATENCY, gatewayPut);
                oneAtATime.put(BenchReport.GATEWAY_GET_LATENCY, gatewayGet);
                oneAtATime.put(BenchReport.ABD_PUT_LATENCY, kq.put(Consistency.QUORUM, Mode.LINEARIZABLE));
                oneAtATime.put(BenchReport.ABD_GET_LATENCY, kq.get(Consistency.QUORUM, Mode.LINEARIZABLE));
                oneAtATime.put("put ONE c=1", kq.put(Consistency.ONE));
                oneAtATime.put("put ALL c=1", kq.put(Consistency.ALL));
                if (!quick) {
                    oneAtATime.put("get ONE c=1", kq.get(Consistency.ONE));
                    oneAtATime.put("get ALL c=1", kq.get(Consistency.ALL));
                }
                latencies(oneAtATime, phase, warmup);
                throughput(BenchReport.BASELINE_THROUGHPUT, baseline, steps, phase / 2, warmup);
                echo.reset();
                Result putMax = throughput(BenchReport.PUT_THROUGHPUT, kq.put(Consistency.QUORUM), steps, phase / 2, warmup);
                throughput(BenchReport.GET_THROUGHPUT, kq.get(Consistency.QUORUM), steps, phase / 2, warmup);
                atConcurrency(BenchReport.RELAY_THROUGHPUT, relayed, phase / 2, warmup);
                atConcurrency(BenchReport.GATEWAY_PUT_THROUGHPUT, gatewayPut, phase / 2, warmup);
                if (!quick) {
                    throughput("gateway put max", gatewayPut, steps, phase / 2, warmup);
                    throughput("gateway get max", gatewayGet, steps, phase / 2, warmup);
                }
                progress("bursts of " + BenchReport.BURST + " requests at once");
                report.add(LoadRunner.burst(BenchReport.RELAY_BURST, relayed, BenchReport.BURST));
                report.add(LoadRunner.burst(BenchReport.GATEWAY_BURST, gatewayPut, BenchReport.BURST));
                double rate = Math.max(10, Math.floor(putMax.opsPerS() / 2));
                progress(String.format("open loop: put QUORUM at %.0f/s for %d ms", rate, phase));
                report.add(LoadRunner.openLoop(String.format("put QUORUM open %.0f/s", rate), kq.put(Consistency.QUORUM), rate, phase));
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            Directories.deleteRecursively(dir);
        }
        out.println();
        out.print(report.table());
        if (json != null) {
            report.writeJson(json);
            Path plot = plotBeside(json);
            report.writePlot(plot);
            out.println("Figures written to " + json + ", the latency percentile plot to " + plot);
        }
        out.flush();
        return 0;
    }

    /** The Kafka a run measures on, and what stops it (nothing for a cluster given with --bootstrap-servers). */
    private record Kafka(KafkaSettings settings, AutoCloseable owned) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (owned != null) {
                owned.close();
            }
        }
    }

    private Kafka startKafka(Path dir) {
        if (bootstrapServers != null) {
            progress("running on " + bootstrapServers);
            KafkaPreflight.check(KafkaSettings.of(bootstrapServers));
            return new Kafka(KafkaSettings.of(bootstrapServers), null);
        }
        if (brokers > 1) {
            progress("starting a local cluster of " + brokers + " brokers, each in its own process");
            LocalKafkaCluster cluster = LocalKafkaCluster.start(dir.resolve("kafka-cluster"), brokers, 0);
            return new Kafka(KafkaSettings.of(cluster.bootstrapServers()), cluster);
        }
        // Its own JVM: the load generator and the broker do not share a heap, a JIT or a GC.
        progress("starting a local broker in its own process");
        LocalKafkaProcess broker = LocalKafkaProcess.start(dir.resolve("kafka"), 0, Duration.ofSeconds(90));
        return new Kafka(KafkaSettings.of(broker.bootstrapServers()), broker);
    }

    private int scaleOut(long phase) throws Exception {
        Path dir = Files.createTempDirectory("kq-bench");
        Kafka broker = null;
        try {
            broker = startKafka(dir);
            KafkaSettings kafka = broker.settings();
            List<ScaleOutBench.Row> rows = ScaleOutBench.run(kafka, workersPerReplica, dir, phase, valueBytes, out);
            if (json != null) {
                ScaleOutBench.writeJson(json, rows);
                out.println("Figures written to " + json);
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            Directories.deleteRecursively(dir);
        }
        out.flush();
        return 0;
    }

    /** The plot's file: the JSON's, with {@code .png} for {@code .json}. */
    static Path plotBeside(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".png");
    }

    private void atConcurrency(String name, Target target, long phase, long warmup) throws InterruptedException {
        progress(name + " for " + phase + " ms");
        report.add(LoadRunner.closedLoop(name, target, BenchReport.EQUAL_CONCURRENCY, phase, warmup / 2));
    }

    /**
     * Runs every path in turn at concurrency 16, in rounds of {@code roundMs}, until no path's
     * rate moved by more than 10 % since the round before, or {@code maxRounds} have run. Two
     * JVMs compiling on two shared cores take tens of seconds to reach a steady rate on the
     * request topic's path; a fixed short warm-up left its figures to depend on when they came.
     */
    private void warmUntilSteady(Map<String, Target> paths, long roundMs, int maxRounds) throws InterruptedException {
        Map<String, Double> last = new LinkedHashMap<>();
        for (int round = 1; round <= maxRounds; round++) {
            boolean steady = round > 1;
            for (Map.Entry<String, Target> p : paths.entrySet()) {
                double rate = LoadRunner.closedLoop("warm-up", p.getValue(), 16, roundMs, 0).opsPerS();
                Double before = last.put(p.getKey(), rate);
                steady &= before != null && Math.abs(rate - before) <= 0.1 * before;
            }
            if (steady) {
                progress("steady after " + round + " rounds");
                return;
            }
        }
        progress("not steady after " + maxRounds + " rounds; measuring anyway");
    }

    /**
     * Latency at concurrency 1, each scenario measured in {@link #ROUNDS} slices taken in turn, so
     * that what drifts during a run (the broker's JIT, the page cache, a neighbour on a shared
     * host) weighs on every scenario alike, not on whichever came first.
     */
    private void latencies(Map<String, Target> scenarios, long phase, long warmup) throws InterruptedException {
        progress("latency at concurrency 1: " + scenarios.size() + " scenarios, " + ROUNDS + " slices of " + phase / ROUNDS
                + " ms each, in turn");
        Map<String, Result> merged = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, Target> s : scenarios.entrySet()) {
                Result slice = LoadRunner.closedLoop(s.getKey(), s.getValue(), 1, phase / ROUNDS, round == 0 ? warmup : 0);
                merged.merge(s.getKey(), slice, Result::plus);
            }
        }
        merged.values().forEach(report::add);
    }

    /** Raises concurrency until throughput stops growing by 10 %; reports the best step. */
    private Result throughput(String name, Target target, List<Integer> steps, long stepMs, long warmup) throws InterruptedException {
        Result best = null;
        for (int c : steps) {
            progress(name + ": concurrency " + c + " for " + stepMs + " ms");
            Result r = LoadRunner.closedLoop(name + " (c=" + c + ")", target, c, stepMs, warmup / 2);
            if (best != null && r.opsPerS() < best.opsPerS() * 1.1) {
                if (r.opsPerS() > best.opsPerS()) {
                    best = r;
                }
                break;
            }
            best = r;
        }
        Result named = best.named(name);
        report.add(named);
        out.printf("    %s: %.0f ops/s (%s)%n", name, best.opsPerS(), best.name().substring(name.length()).trim());
        return named;
    }

    private void progress(String what) {
        out.println("bench: " + what + " ...");
        out.flush();
    }
}
