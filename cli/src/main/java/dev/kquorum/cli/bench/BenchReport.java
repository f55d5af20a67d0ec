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
    /** The request topic's floor: client, relay, 3 echo topics, relay, client (4 hops). */
    static final String RELAY_LATENCY = "baseline 4-hop c=1";
    static final String GATEWAY_PUT_LATENCY = "gateway put c=1";
    static final String GATEWAY_GET_LATENCY = "gateway get c=1";
    /** The concurrency at which the request topic's throughput is compared with its floor's. */
    static final int EQUAL_CONCURRENCY = 32;
    static final String RELAY_THROUGHPUT = "baseline 4-hop c=" + EQUAL_CONCURRENCY;
    static final String GATEWAY_PUT_THROUGHPUT = "gateway put c=" + EQUAL_CONCURRENCY;
    static final int BURST = 200;
    static final String RELAY_BURST = "baseline 4-hop burst " + BURST;
    static final String GATEWAY_BURST = "gateway put burst " + BURST;
    static final String ABD_PUT_LATENCY = "put linearizable c=1";
    static final String ABD_GET_LATENCY = "get linearizable c=1";

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
        Result relay = find(RELAY_LATENCY);
        ratios.put("gateway_p50", find(GATEWAY_PUT_LATENCY).p50Ms() / relay.p50Ms());
        ratios.put("gateway_p99", find(GATEWAY_PUT_LATENCY).p99Ms() / relay.p99Ms());
        ratios.put("gateway_throughput", find(GATEWAY_PUT_THROUGHPUT).opsPerS() / find(RELAY_THROUGHPUT).opsPerS());
        // A burst's time is until its last answer: the maximum latency, timed from the burst's start.
        ratios.put("burst_ms", find(GATEWAY_BURST).maxMs() / find(RELAY_BURST).maxMs());
        ratios.put("abd_put_p50", find(ABD_PUT_LATENCY).p50Ms() / base.p50Ms());
        ratios.put("abd_get_p50", find(ABD_GET_LATENCY).p50Ms() / base.p50Ms());
        return ratios;
    }

    String table() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%-26s %9s %9s %9s %9s %10s %8s%n", "scenario", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "ops/s", "failed"));
        for (Result r : results) {
            s.append(String.format("%-26s %9.2f %9.2f %9.2f %9.2f %10.0f %8d%n",
                    r.name(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.opsPerS(), r.failed()));
        }
        s.append(String.format("%nkquorum / baseline (same run, same broker; gateway_* and burst_ms against the 4-hop"
                + " baseline, the rest against the 2-hop one):%n"));
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

    /** The percentile curves of the scenarios at concurrency 1, where paths compare one request at a time. */
    void writePlot(Path png) throws IOException {
        PercentilePlot.write(png, "kquorum bench: latency at concurrency 1",
                results.stream().filter(r -> r.name().endsWith(" c=1")).toList());
    }
}
