package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.kquorum.cli.verify.VerdictReport;
import dev.kquorum.common.io.Directories;
import dev.kquorum.common.process.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The done-when of {@code kquorum verify}, with real processes: {@code kquorum up} as a child
 * process (its own broker on a free port, three worker processes, and a second coordinator beside
 * its own), then {@code verify --faults kill-workers} SIGKILLing its workers while eight clients
 * run, and (in the long runs) {@code verify --faults kill-coordinators} SIGKILLing the second
 * coordinator, {@code up} restarting each.
 */
class VerifyAgainstUpTest {

    private static final Logger log = LoggerFactory.getLogger(VerifyAgainstUpTest.class);

    private Path dataDir;
    private ChildJvm up;

    @AfterEach
    void stop() throws IOException {
        if (up != null) {
            up.close();
        }
        Directories.deleteRecursively(dataDir);
    }

    private int port;
    private final ConcurrentLinkedQueue<String> upOutput = new ConcurrentLinkedQueue<>();
    private final StringWriter err = new StringWriter();

    /** {@code kquorum up} as a child process: its own broker, three worker processes, c1 and c2. */
    private void startUp() throws IOException {
        dataDir = Files.createTempDirectory("kq-verify-up");
        port = freePort();
        up = ChildJvm.start("kquorum up", List.of("-Xmx768m"), Main.class,
                List.of("up", "--port", Integer.toString(port), "--data-dir", dataDir.toString(), "--http-port", "-1",
                        "--coordinators", "2"),
                UpCommand.READY_PREFIX, Duration.ofSeconds(180), line -> {
                    upOutput.add(line);
                    log.info("[up] {}", line);
                });
        for (String id : List.of("r1", "r2", "r3", "up")) {
            assertThat(dataDir.resolve("pids/" + id + ".pid")).as("pid file of %s", id).exists();
        }
        assertThat(dataDir.resolve("pids/coordinators/c2.pid")).as("pid file of coordinator c2").exists();
    }

    @Test
    void verifyPassesWhileWorkersAreKilledAndUpRestartsThem() throws Exception {
        startUp();
        Path historyFile = dataDir.resolve("history.json");
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "verify",
                "--bootstrap-servers", "127.0.0.1:" + port, "--duration", "12s", "--faults", "kill-workers",
                "--fault-interval", "4s", "--up-dir", dataDir.toString(), "--history-out", historyFile.toString());
        log.info("verify said:\n{}\n{}", out, err);

        assertThat(exit).as("verify's exit code; output:\n%s\n%s", out, err).isEqualTo(VerifyCommand.PASS);
        assertThat(out.toString()).contains("SIGKILLed worker", VerdictReport.PASS_LINE + ": no violation in",
                "no acknowledged write was lost");
        assertThat(out.toString()).containsPattern("\\d+ writes acknowledged");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(upOutput).anyMatch(l -> l.contains("died with exit code 137 (SIGKILL); restarting it"))
                        .anyMatch(l -> l.contains("is back (pid")));

        // The history it wrote checks the same offline.
        StringWriter again = new StringWriter();
        assertThat(Main.run(new PrintWriter(again, true), new PrintWriter(err, true), "verify", "--check", historyFile.toString()))
                .isEqualTo(VerifyCommand.PASS);
        assertThat(again.toString()).contains(VerdictReport.PASS_LINE);

        assertThat(up.terminate(Duration.ofSeconds(60))).as("up's exit code after SIGTERM").isIn(0, 143);
        up = null;
        assertThat(dataDir.resolve("pids/r1.pid")).as("pid files are removed when up stops").doesNotExist();
    }

    /**
     * The coordinator beside up's own is SIGKILLed: its gateway partitions move to c1 or come back
     * with it, and nothing acknowledged is lost. In the long runs: a coordinator's SIGKILL under
     * load is in the default suite's FaultsInOneRunTest and CoordinatorFailoverTest.
     */
    @Test
    @Tag("long")
    void verifyPassesWhileACoordinatorIsKilledAndUpRestartsIt() throws Exception {
        startUp();
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "verify",
                "--bootstrap-servers", "127.0.0.1:" + port, "--duration", "12s", "--faults", "kill-coordinators",
                "--fault-interval", "5s", "--up-dir", dataDir.toString());
        log.info("verify --faults kill-coordinators said:\n{}\n{}", out, err);
        assertThat(exit).as("verify's exit code; output:\n%s\n%s", out, err).isEqualTo(VerifyCommand.PASS);
        assertThat(out.toString()).contains("SIGKILLed coordinator c2", VerdictReport.PASS_LINE + ": no violation in",
                "no acknowledged write was lost");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(upOutput).anyMatch(l -> l.contains("coordinator c2 (pid") && l.contains("restarting it")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
