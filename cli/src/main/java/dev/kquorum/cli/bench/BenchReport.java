package dev.kquorum.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Every scenario's figures and the kquorum/baseline ratios, as a table for people and JSON for
 * tools. Ratios are quotients of figures measured in the same run on the same broker.
 */
final class BenchReport {

    static final String BASELINE_LATENCY = "baseline W=2 c=1";
    static final String PUT_LATENCY = "put QUORUM c=1";
    static final String GET_LATENCY = "get QUORUM c=1";
    static final String BASELINE_THROUGHPUT = "baseline W=2 max";
    static final String PUT_THROUGHPUT = "put QUORUM max";
    static final String GET_THROUGHPUT = "get QUORUM max";

    private final List<Result> results = new ArrayList<>();

    void add(Result r) {
        results.add(r);
    }

    Result find(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no scenario named " + name));
    }

    Map<String, Double> ratios() {
        Map<String, Double> ratios = new LinkedHashMap<>();
        Result base = find(BASELINE_LATENCY);
        Result baseMax = find(BASELINE_THROUGHPUT);
        ratios.put("put_p50", find(PUT_LATENCY).p50Ms() / base.p50Ms());
        ratios.put("put_p99", find(PUT_LATENCY).p99Ms() / base.p99Ms());
        ratios.put("get_p50", find(GET_LATENCY).p50Ms() / base.p50Ms());
        ratios.put("get_p99", find(GET_LATENCY).p99Ms() / base.p99Ms());
        ratios.put("put_throughput", find(PUT_THROUGHPUT).opsPerS() / baseMax.opsPerS());
        ratios.put("get_throughput", find(GET_THROUGHPUT).opsPerS() / baseMax.opsPerS());
        return ratios;
    }

    String table() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%-26s %9s %9s %9s %9s %10s %8s%n", "scenario", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "ops/s", "failed"));
        for (Result r : results) {
            s.append(String.format("%-26s %9.2f %9.2f %9.2f %9.2f %10.0f %8d%n",
                    r.name(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.opsPerS(), r.failed()));
        }
        s.append(String.format("%nkquorum / baseline (same run, same broker):%n"));
        ratios().forEach((k, v) -> s.append(String.format("  %-16s %6.2f%n", k, v)));
        return s.toString();
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("p50_ms", r.p50Ms());
            m.put("p99_ms", r.p99Ms());
            m.put("p999_ms", r.p999Ms());
            m.put("max_ms", r.maxMs());
            m.put("ops_per_s", r.opsPerS());
            m.put("ops", r.ops());
            m.put("failed", r.failed());
            scenarios.add(m);
        }
        root.put("scenarios", scenarios);
        root.put("ratios", ratios());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }
}
