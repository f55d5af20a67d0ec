package dev.kquorum.cli.bench;


import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kquorum.cli.KquorumProcesses;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Puts through {@code QuorumClient} with each of three replicas spread over k worker processes,
 * for each k asked for. The workers are real processes, so that the operating system says how
 * much CPU each spent. On one host more processes cannot add cores; what the figures give is
 * each process's CPU per operation, from which docs/benchmarks.md projects what k hosts would do.
 */
final class ScaleOutBench {

    private static final List<String> REPLICAS = List.of("r1", "r2", "r3");
    private static final int CONCURRENCY = 32;
    /** Phases of load before measuring: fresh JVMs compile for tens of seconds on two shared cores. */
    private static final int WARM_ROUNDS = 6;

    /**
     * One k's figures.
     *
     * @param cpuMsPerThousandMean CPU milliseconds per 1,000 puts, of each worker process (its mean and max)
     * @param idleCpuMsPerSecond   CPU milliseconds each worker process spends per second with no load (mean):
     *                             group heartbeats, metrics, the lag watch, the JIT and GC settling
     * @param workMsPerThousand    CPU milliseconds per 1,000 puts of all worker processes, their idle cost taken out:
     *                             what the puts themselves cost, which k spreads over k hosts
     */
    record Row(int workersPerReplica, Result put, double cpuMsPerThousandMean, double cpuMsPerThousandMax,
               double workersCpuMsPerThousand, double idleCpuMsPerSecond, double workMsPerThousand) {
    }

    private ScaleOutBench() {
    }

    static List<Row> run(KafkaSettings kafka, List<Integer> ks, Path dir, long phaseMs, int valueBytes, PrintWriter out)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) 'x');
        for (int k : ks) {
            String prefix = "scale-" + k + "-" + Long.toHexString(System.nanoTime());
            TopicNames topics = new TopicNames(prefix);
            progress(out, k + " worker process(es) per replica: starting " + REPLICAS.size() * k);
            List<ChildJvm> workers = startWorkers(kafka, prefix, k, dir.resolve(prefix));
            try (Coordinator coordinator = Coordinator.start(new CoordinatorConfig("bench", REPLICAS, kafka, topics, 0,
                    CoordinatorConfig.DEFAULT_MAX_IN_FLIGHT, Limits.DEFAULT), new SimpleMeterRegistry())) {
                Target put = i -> coordinator.execute(new ExternalRequest(Op.PUT, KquorumUnderTest.key(i), value,
                        Consistency.QUORUM, null, null, null)).thenApply(o -> o.status() == Status.OK);
                progress(out, "warming up");
                for (int round = 0; round < WARM_ROUNDS; round++) {
                    LoadRunner.closedLoop("warm-up", put, CONCURRENCY, phaseMs, 0);
                }
                progress(out, "idle for " + phaseMs + " ms");
                Map<ChildJvm, Long> idleFrom = cpuNanos(workers);
                long idleStarted = System.nanoTime();
                LockSupport.parkNanos(phaseMs * 1_000_000);
                double idleSeconds = (System.nanoTime() - idleStarted) / 1e9;
                Map<ChildJvm, Long> before = cpuNanos(workers);
                long loadStarted = System.nanoTime();
                Result r = LoadRunner.closedLoop("put QUORUM c=" + CONCURRENCY + ", " + k + " workers/replica", put, CONCURRENCY,
                        phaseMs, 0);
                double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
                Map<ChildJvm, Long> after = cpuNanos(workers);
                double thousands = r.ops() / 1000.0;
                double sum = 0;
                double max = 0;
                double idlePerSecond = 0;
                for (ChildJvm w : workers) {
                    double ms = (after.get(w) - before.get(w)) / 1e6 / thousands;
                    sum += ms;
                    max = Math.max(max, ms);
                    idlePerSecond += (before.get(w) - idleFrom.get(w)) / 1e6 / idleSeconds;
                }
                idlePerSecond /= workers.size();
                double work = Math.max(0, sum - idlePerSecond * workers.size() * loadSeconds / thousands);
                Row row = new Row(k, r, sum / workers.size(), max, sum, idlePerSecond, work);
                rows.add(row);
                out.printf(Locale.ROOT, "    %d per replica: %.0f puts/s, p50 %.2f ms; CPU per 1,000 puts: %.0f ms per worker process"
                        + " (max %.0f), %.0f ms for all %d; idle: %.0f ms/s per process; the puts' own work: %.0f ms per 1,000%n",
                        k, r.opsPerS(), r.p50Ms(), row.cpuMsPerThousandMean(), max, sum, workers.size(), idlePerSecond, work);
                out.flush();
            } finally {
                stopAll(workers);
            }
        }
        return rows;
    }

    private static List<ChildJvm> startWorkers(KafkaSettings kafka, String prefix, int k, Path dir) throws Exception {
        List<CompletableFuture<ChildJvm>> starting = new ArrayList<>();
        for (int p = 1; p <= k; p++) {
            for (String replica : REPLICAS) {
                String name = replica + "-" + p;
                starting.add(CompletableFuture.supplyAsync(() -> KquorumProcesses.workerAtPeak(replica, kafka.bootstrapServers(),
                        dir.resolve(name), List.of("--topic-prefix", prefix, "--http-port", "-1"), line -> { })));
            }
            // Each process of a replica joins once the one before it runs: one rebalance at a time.
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get();
        }
        List<ChildJvm> workers = new ArrayList<>();
        for (CompletableFuture<ChildJvm> f : starting) {
            workers.add(f.get());
        }
        return workers;
    }

    private static Map<ChildJvm, Long> cpuNanos(List<ChildJvm> workers) {
        Map<ChildJvm, Long> cpu = new LinkedHashMap<>();
        for (ChildJvm w : workers) {
            cpu.put(w, ProcessHandle.of(w.pid()).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("the OS does not say how much CPU process " + w.pid() + " used")));
        }
        return cpu;
    }

    private static void stopAll(List<ChildJvm> workers) {
        CompletableFuture.allOf(workers.stream().map(w -> CompletableFuture.runAsync(() -> w.terminate(Duration.ofSeconds(30))))
                .toArray(CompletableFuture[]::new)).join();
    }

    static void writeJson(Path file, List<Row> rows) throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workers_per_replica", row.workersPerReplica());
            m.put("ops_per_s", row.put().opsPerS());
            m.put("p50_ms", row.put().p50Ms());
            m.put("p99_ms", row.put().p99Ms());
            m.put("cpu_ms_per_1000_ops_per_process", row.cpuMsPerThousandMean());
            m.put("cpu_ms_per_1000_ops_per_process_max", row.cpuMsPerThousandMax());
            m.put("cpu_ms_per_1000_ops_all_workers", row.workersCpuMsPerThousand());
            m.put("idle_cpu_ms_per_s_per_process", row.idleCpuMsPerSecond());
            m.put("work_cpu_ms_per_1000_ops_all_workers", row.workMsPerThousand());
            list.add(m);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), Map.of("scale_out", list));
    }

    private static void progress(PrintWriter out, String what) {
        out.println("bench: " + what + " ...");
        out.flush();
    }
}
