package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at a tiny size: its output is complete and its figures are consistent with one
 * another. Nothing here asserts speed; that is what the benchmark itself is for.
 */
@ExtendWith(KafkaExtension.class)
class BenchTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryFigureAndTheRatiosAreTheQuotientsOfTheFigures(TestKafka kafka) throws Exception {
        Path json = dir.resolve("out.json");
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "bench", "--quick", "--phase-ms", "300", "--bootstrap-servers", kafka.bootstrapServers(), "--json", json.toString());
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("bench: ", "scenario", "p50 ms", "kquorum / baseline", "put_throughput");

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode s : root.get("scenarios")) {
            for (String field : List.of("name", "p50_ms", "p99_ms", "p999_ms", "max_ms", "ops_per_s")) {
                assertThat(s.has(field)).as("%s has %s", s, field).isTrue();
            }
            double p50 = s.get("p50_ms").asDouble();
            double p99 = s.get("p99_ms").asDouble();
            double p999 = s.get("p999_ms").asDouble();
            double max = s.get("max_ms").asDouble();
            assertThat(p50).as("%s p50", s.get("name")).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(p999);
            assertThat(p999).isLessThanOrEqualTo(max);
            assertThat(s.get("ops_per_s").asDouble()).isPositive();
            assertThat(s.get("failed").asLong()).as("%s failed operations", s.get("name")).isZero();
            byName.put(s.get("name").asText(), s);
        }
        assertThat(byName).containsKeys("baseline W=2 c=1", "put QUORUM c=1", "get QUORUM c=1", "put ONE c=1", "put ALL c=1",
                "baseline W=2 max", "put QUORUM max", "get QUORUM max");
        assertThat(byName.keySet()).anyMatch(n -> n.startsWith("put QUORUM open "));

        JsonNode ratios = root.get("ratios");
        assertThat(ratios.size()).isEqualTo(6);
        assertRatio(ratios, "put_p50", byName.get("put QUORUM c=1"), byName.get("baseline W=2 c=1"), "p50_ms");
        assertRatio(ratios, "put_p99", byName.get("put QUORUM c=1"), byName.get("baseline W=2 c=1"), "p99_ms");
        assertRatio(ratios, "get_p50", byName.get("get QUORUM c=1"), byName.get("baseline W=2 c=1"), "p50_ms");
        assertRatio(ratios, "get_p99", byName.get("get QUORUM c=1"), byName.get("baseline W=2 c=1"), "p99_ms");
        assertRatio(ratios, "put_throughput", byName.get("put QUORUM max"), byName.get("baseline W=2 max"), "ops_per_s");
        assertRatio(ratios, "get_throughput", byName.get("get QUORUM max"), byName.get("baseline W=2 max"), "ops_per_s");
    }

    private static void assertRatio(JsonNode ratios, String name, JsonNode kquorum, JsonNode baseline, String figure) {
        double expected = kquorum.get(figure).asDouble() / baseline.get(figure).asDouble();
        assertThat(ratios.get(name).asDouble()).as(name).isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
    }
}
