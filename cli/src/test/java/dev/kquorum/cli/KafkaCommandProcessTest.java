package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.process.ChildJvm;
import dev.kquorum.common.io.Directories;
import dev.kquorum.localkafka.LocalKafkaMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code kquorum kafka} as a user runs it: a separate process, reached by a third-party client
 * (kcat, librdkafka), and stopped with SIGTERM. CI installs kcat and sets KQ_REQUIRE_KCAT=1, so
 * there the test cannot be skipped.
 */
class KafkaCommandProcessTest {

    private Path dataDir;
    private ChildJvm kafka;

    @AfterEach
    void stop() throws IOException {
        if (kafka != null) {
            kafka.kill();
        }
        Directories.deleteRecursively(dataDir);
    }

    @Test
    void aThirdPartyClientProducesAndConsumes() throws Exception {
        boolean kcat = Files.isExecutable(Path.of("/usr/bin/kcat"));
        if (!kcat && "1".equals(System.getenv("KQ_REQUIRE_KCAT"))) {
            throw new AssertionError("kcat is required (KQ_REQUIRE_KCAT=1) but /usr/bin/kcat is missing");
        }
        Assumptions.assumeTrue(kcat, "kcat is not installed (apt-get install kcat)");

        dataDir = Files.createTempDirectory("kq-cli-kafka");
        int port = freePort();
        ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
        kafka = ChildJvm.start("kquorum kafka", List.of("-Xmx512m"), Main.class,
                List.of("kafka", "--port", Integer.toString(port), "--data-dir", dataDir.toString()),
                LocalKafkaMain.READY_PREFIX, Duration.ofSeconds(90), output::add);
        String bootstrap = "127.0.0.1:" + port;
        assertThat(kafka.readyLine()).startsWith(LocalKafkaMain.READY_PREFIX + bootstrap);

        String produced = run(List.of("kcat", "-P", "-b", bootstrap, "-t", "kcat-topic", "-K", ":"), "k1:hello\nk2:world\n");
        assertThat(produced).isEmpty();
        String consumed = run(List.of("kcat", "-C", "-b", bootstrap, "-t", "kcat-topic", "-e", "-q", "-f", "%k=%s\\n"), "");
        assertThat(consumed.lines()).containsExactly("k1=hello", "k2=world");

        int exit = kafka.terminate(Duration.ofSeconds(60));
        assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
        // The output pump may still be draining the pipe when the process has exited.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output).contains(LocalKafkaMain.STOPPED_LINE));
        kafka = null;
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        assertThat(p.exitValue()).as("kcat exit code; output: %s", out).isZero();
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
