package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
                "baseline W=2 max", "put QUORUM max", "get QUORUM max", "baseline 4-hop c=1", "gateway put c=1",
                "gateway get c=1", "put linearizable c=1", "get linearizable c=1", "baseline 4-hop c=32", "gateway put c=32",
                "baseline 4-hop burst 200", "gateway put burst 200");
        assertThat(byName.keySet()).anyMatch(n -> n.startsWith("put QUORUM open "));
        assertThat(byName.get("gateway put burst 200").get("ops").asLong()).as("every request of the burst answered").isEqualTo(200);

        JsonNode ratios = root.get("ratios");
        assertThat(ratios.size()).isEqualTo(12);
        // Each ratio: name, kquorum's scenario, its baseline, and the figure divided.
        String[][] quotients = {
            {"put_p50", "put QUORUM c=1", "baseline W=2 c=1", "p50_ms"},
            {"put_p99", "put QUORUM c=1", "baseline W=2 c=1", "p99_ms"},
            {"get_p50", "get QUORUM c=1", "baseline W=2 c=1", "p50_ms"},
            {"get_p99", "get QUORUM c=1", "baseline W=2 c=1", "p99_ms"},
            {"put_throughput", "put QUORUM max", "baseline W=2 max", "ops_per_s"},
            {"get_throughput", "get QUORUM max", "baseline W=2 max", "ops_per_s"},
            {"gateway_p50", "gateway put c=1", "baseline 4-hop c=1", "p50_ms"},
            {"gateway_p99", "gateway put c=1", "baseline 4-hop c=1", "p99_ms"},
            {"gateway_throughput", "gateway put c=32", "baseline 4-hop c=32", "ops_per_s"},
            {"burst_ms", "gateway put burst 200", "baseline 4-hop burst 200", "max_ms"},
            {"abd_put_p50", "put linearizable c=1", "baseline W=2 c=1", "p50_ms"},
            {"abd_get_p50", "get linearizable c=1", "baseline W=2 c=1", "p50_ms"},
        };
        for (String[] q : quotients) {
            double expected = byName.get(q[1]).get(q[3]).asDouble() / byName.get(q[2]).get(q[3]).asDouble();
            assertThat(ratios.get(q[0]).asDouble()).as(q[0]).isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
        }

        // The percentile plot beside the JSON: a PNG image.
        byte[] png = Files.readAllBytes(dir.resolve("out.png"));
        assertThat(png.length).isGreaterThan(1000);
        assertThat(Arrays.copyOf(png, 4)).containsExactly(0x89, 'P', 'N', 'G');
    }

}
