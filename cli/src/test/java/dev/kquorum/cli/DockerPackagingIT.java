package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine here, so the image cannot be built; what can be checked is checked
 * against the real build output: the Dockerfile builds and copies the jar this build produces,
 * that jar runs, and every command in the compose file is one the jar accepts.
 */
class DockerPackagingIT {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theDockerfileCopiesAndRunsTheJarTheBuildProduces() throws Exception {
        String dockerfile = Files.readString(REPO.resolve("docker/Dockerfile"));
        Matcher copy = Pattern.compile("COPY --from=build /src/(\\S+) (\\S+)").matcher(dockerfile);
        assertThat(copy.find()).as("the runtime stage copies from the build stage").isTrue();
        Path jar = REPO.resolve(copy.group(1));
        assertThat(jar).as("the path the Dockerfile copies is what this build produced").isRegularFile();
        assertThat(dockerfile).contains("-pl cli -am package").containsPattern("ENTRYPOINT \\[\"java\".*\"-jar\", \"" + Pattern.quote(copy.group(2)) + "\"\\]");

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "--version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("kquorum");
    }

    @Test
    void everyComposeCommandIsOneTheJarAccepts() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(REPO.resolve("docker/compose.yaml").toFile());
        List<String> checked = new ArrayList<>();
        for (var service : (Iterable<Map.Entry<String, JsonNode>>) compose.get("services")::fields) {
            JsonNode command = service.getValue().get("command");
            if (command == null) {
                continue;
            }
            List<String> args = new ArrayList<>();
            command.forEach(a -> args.add(a.asText()));
            JsonNode environment = service.getValue().get("environment");
            if (environment == null) {
                // Merged in from the shared x-kquorum settings (Jackson does not resolve YAML's '<<').
                environment = compose.get("x-kquorum").get("environment");
            }
            java.util.Map<String, String> env = new java.util.HashMap<>();
            environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            // Parsing is what the image's entrypoint does first; a wrong option fails here as it would there.
            Main.commandLine(env, args.toArray(String[]::new)).parseArgs(args.toArray(String[]::new));
            checked.add(service.getKey());
        }
        assertThat(checked).containsExactlyInAnyOrder("worker-1", "worker-2", "worker-3", "coordinator");
    }
}
