package dev.kquorum.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.kquorum.common.io.Directories;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.localkafka.BrokerSettings;
import dev.kquorum.localkafka.LocalKafkaBroker;
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
            "rate (open loop, corrected for coordinated omission). Prints a table and kquorum/baseline ratios."})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "A short run (under 30 s) with fewer scenarios.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of a local broker.")
    String bootstrapServers;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--phase-ms", hidden = true, description = "Length of each measured phase, for tests.")
    Long phaseMs;

    private PrintWriter out;
    private final BenchReport report = new BenchReport();

    @Override
    public Integer call() throws Exception {
        if (valueBytes < 0 || valueBytes > 1_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--value-bytes " + valueBytes + " is outside 0..1000000");
        }
        out = spec.commandLine().getOut();
        long phase = phaseMs != null ? phaseMs : quick ? 1_500 : 5_000;
        long warmup = Math.max(200, phase / 4);
        List<Integer> steps = quick ? List.of(8, 64) : List.of(8, 32, 128);
        Path dir = Files.createTempDirectory("kq-bench");
        LocalKafkaBroker broker = null;
        try {
            progress("starting " + (bootstrapServers == null ? "a local broker" : "on " + bootstrapServers));
            if (bootstrapServers != null) {
                KafkaPreflight.check(KafkaSettings.of(bootstrapServers));
            } else {
                broker = LocalKafkaBroker.start(BrokerSettings.inDirectory(dir.resolve("kafka")));
            }
            KafkaSettings kafka = KafkaSettings.of(broker != null ? broker.bootstrapServers() : bootstrapServers);
            String prefix = "bench-" + Long.toHexString(System.nanoTime());
            try (KquorumUnderTest kq = new KquorumUnderTest(kafka, prefix, 3, dir, valueBytes);
                 EchoBaseline echo = new EchoBaseline(kafka, prefix, 3, 2)) {
                progress("writing " + KquorumUnderTest.KEYS + " keys for the reads");
                kq.populate();
                Target baseline = echo.target(kq.samplePayload());
                // Every path warm before anything is measured: the JIT should not favour whoever runs last.
                progress("warming up every path");
                for (Target t : List.of(baseline, kq.put(Consistency.QUORUM), kq.get(Consistency.QUORUM))) {
                    LoadRunner.closedLoop("warm-up", t, 16, warmup * 2, 0);
                }
                echo.reset();

                latency(BenchReport.BASELINE_LATENCY, baseline, phase, warmup);
                echo.reset();
                latency(BenchReport.PUT_LATENCY, kq.put(Consistency.QUORUM), phase, warmup);
                latency(BenchReport.GET_LATENCY, kq.get(Consistency.QUORUM), phase, warmup);
                latency("put ONE c=1", kq.put(Consistency.ONE), phase, warmup);
                latency("put ALL c=1", kq.put(Consistency.ALL), phase, warmup);
                if (!quick) {
                    latency("get ONE c=1", kq.get(Consistency.ONE), phase, warmup);
                    latency("get ALL c=1", kq.get(Consistency.ALL), phase, warmup);
                }
                throughput(BenchReport.BASELINE_THROUGHPUT, baseline, steps, phase / 2, warmup);
                echo.reset();
                Result putMax = throughput(BenchReport.PUT_THROUGHPUT, kq.put(Consistency.QUORUM), steps, phase / 2, warmup);
                throughput(BenchReport.GET_THROUGHPUT, kq.get(Consistency.QUORUM), steps, phase / 2, warmup);
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
            out.println("Figures written to " + json);
        }
        out.flush();
        return 0;
    }

    private void latency(String name, Target target, long phase, long warmup) throws InterruptedException {
        progress(name + " for " + phase + " ms");
        report.add(LoadRunner.closedLoop(name, target, 1, phase, warmup));
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
        Result named = new Result(name, best.p50Ms(), best.p99Ms(), best.p999Ms(), best.maxMs(), best.opsPerS(), best.ops(), best.failed());
        report.add(named);
        out.printf("    %s: %.0f ops/s (%s)%n", name, best.opsPerS(), best.name().substring(name.length()).trim());
        return named;
    }

    private void progress(String what) {
        out.println("bench: " + what + " ...");
        out.flush();
    }
}
