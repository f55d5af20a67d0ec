package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user who forgot {@code ./kquorum up} sees: each command, pointed at an address where no
 * Kafka listens, says so in one plain line naming the address and what to try, within its timeout
 * (client commands) or 10 s (servers), with exit code 6 and no stack trace or Kafka log lines.
 * The bounds are stall checks with room for JVM start on a busy machine, not speed checks.
 */
class KafkaUnreachableTest {

    /** JVM start and exit on a loaded CI machine, on top of the command's own budget. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private String address;

    @BeforeEach
    void pickAnAddressWithNoKafka() throws Exception {
        address = "127.0.0.1:" + CliProcess.unusedPort();
    }

    @Test
    void putSaysKafkaIsUnreachableInOneLineWithinItsTimeout() throws Exception {
        CliProcess run = CliProcess.run(Duration.ofSeconds(3).plus(MARGIN),
                List.of("put", "a", "b", "--bootstrap-servers", address, "--timeout", "3s"));
        assertOneLineNamingTheAddress(run);
        assertThat(run.errLines()).singleElement().asString().contains("./kquorum up");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void getAndDeleteToo() throws Exception {
        for (List<String> args : List.of(List.of("get", "a"), List.of("delete", "a"))) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--bootstrap-servers", address, "--timeout", "2s", "--json"));
            CliProcess run = CliProcess.run(Duration.ofSeconds(2).plus(MARGIN), all);
            assertOneLineNamingTheAddress(run);
        }
    }

    @Test
    void verboseShowsTheKafkaClientLog() throws Exception {
        CliProcess run = CliProcess.run(Duration.ofSeconds(2).plus(MARGIN),
                List.of("get", "a", "--bootstrap-servers", address, "--timeout", "2s", "--verbose"));
        assertThat(run.exit()).isEqualTo(6);
        assertThat(run.err()).contains("org.apache.kafka");
    }

    @Test
    void serversSaySoWithinTenSecondsOfStart() throws Exception {
        List<List<String>> servers = List.of(
                List.of("coordinator", "--replicas", "r1,r2,r3", "--http-port", "-1"),
                List.of("worker", "--id", "r1", "--data-dir", dir.resolve("r1").toString(), "--http-port", "-1"),
                List.of("up", "--data-dir", dir.resolve("up").toString(), "--http-port", "-1"),
                List.of("bench", "--quick"),
                List.of("worker-bench"));
        // Side by side: each waits most of its ten seconds for a Kafka that is not there.
        List<CompletableFuture<CliProcess>> runs = new ArrayList<>();
        for (List<String> server : servers) {
            List<String> args = new ArrayList<>(server);
            args.addAll(List.of("--bootstrap-servers", address));
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return CliProcess.run(Duration.ofSeconds(10).plus(MARGIN), args);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        for (int i = 0; i < servers.size(); i++) {
            List<String> server = servers.get(i);
            CliProcess run = runs.get(i).join();
            assertThat(run.exit()).as("exit code of %s; stderr:%n%s", server.get(0), run.err()).isEqualTo(6);
            assertNoNoise(run);
            // Servers log their configuration first; the verdict is the last line.
            assertThat(run.errLines()).last().asString().contains("cannot reach Kafka at " + address);
            assertThat(run.err().lines().filter(l -> l.contains("cannot reach Kafka"))).hasSize(1);
        }
    }

    @Test
    void helpListsTheExitCodes() {
        java.io.StringWriter out = new java.io.StringWriter();
        assertThat(Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true), "--help")).isZero();
        assertThat(out.toString()).contains("Exit codes:", "6   Kafka unreachable", "1   no answer");
    }

    private void assertOneLineNamingTheAddress(CliProcess run) {
        assertThat(run.exit()).as("exit code; stderr:%n%s", run.err()).isEqualTo(6);
        assertNoNoise(run);
        assertThat(run.errLines()).singleElement().asString().contains("cannot reach Kafka at " + address);
    }

    private static void assertNoNoise(CliProcess run) {
        String all = run.out() + run.err();
        assertThat(all).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(all).as("no Kafka client log lines").doesNotContain("org.apache.kafka").doesNotContain(" WARN ");
    }
}
