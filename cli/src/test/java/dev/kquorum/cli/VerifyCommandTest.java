package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.kquorum.cli.verify.VerdictReport;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.version.Version;
import dev.kquorum.history.HistoryJson;
import dev.kquorum.history.HistoryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kquorum verify} offline (--check) and its refusals; the real run is in {@link VerifyAgainstUpTest}. */
class VerifyCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static HistoryOp write(int id, String value, long version, long from, long to) {
        return new HistoryOp(id, "c" + id, "k", true, value, new Version(version, "c1"), from, to);
    }

    @Test
    void aHistoryWithAStaleReadIsAViolationWithItsSmallestFailingSubHistory() {
        Path file = dir.resolve("broken.json");
        HistoryJson.write(file, new HistoryJson.Recorded(Mode.QUORUM, List.of(
                write(0, "a", 1, 0, 10),
                write(1, "b", 2, 20, 30),
                new HistoryOp(2, "c9", "other", true, "x", new Version(3, "c1"), 0, 5),
                new HistoryOp(3, "c2", "k", false, "b", new Version(2, "c1"), 40, 50),
                new HistoryOp(4, "c3", "k", false, "a", new Version(1, "c1"), 60, 70))));

        assertThat(run("verify", "--check", file.toString())).isEqualTo(VerifyCommand.VIOLATION);
        assertThat(out.toString()).contains(VerdictReport.FAIL_LINE, "is older than",
                "Smallest failing sub-history (3 operations", "read  k -> a", "write k = b").doesNotContain("other");

        assertThat(run("verify", "--check", file.toString(), "--mode", "linearizable")).isEqualTo(VerifyCommand.VIOLATION);
        assertThat(out.toString()).contains("the history of key k is not linearizable");
    }

    @Test
    void aCleanHistoryPasses() {
        Path file = dir.resolve("clean.json");
        HistoryJson.write(file, new HistoryJson.Recorded(Mode.LINEARIZABLE, List.of(
                write(0, "a", 1, 0, 10),
                new HistoryOp(1, "c2", "k", true, "b", null, 5, HistoryOp.UNKNOWN),
                new HistoryOp(2, "c3", "k", false, "a", new Version(1, "c1"), 20, 30))));
        assertThat(run("verify", "--check", file.toString())).isEqualTo(VerifyCommand.PASS);
        assertThat(out.toString()).contains(VerdictReport.PASS_LINE, "linearizable");
    }

    @Test
    void anUnreadableHistoryCouldNotBeChecked() throws Exception {
        Path file = dir.resolve("garbage.json");
        Files.writeString(file, "{not json");
        assertThat(run("verify", "--check", file.toString())).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(err.toString()).contains("--check", "is not JSON");
        assertThat(run("verify", "--check", dir.resolve("absent.json").toString())).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(err.toString()).contains("cannot read");
    }

    @Test
    void faultsNeedADeploymentThatUpStarted() {
        assertThat(run("verify", "--faults", "kill-workers", "--up-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--faults kill-workers", "there is no " + dir.resolve("pids"), "kquorum up");
        assertThat(run("verify", "--faults", "kill-coordinators", "--up-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--faults kill-coordinators", "there is no " + dir.resolve("pids/coordinators"),
                "kquorum up --coordinators 2");
    }

    @Test
    void badOptionsAreNamedWithWhatIsAllowed() {
        assertThat(run("verify", "--faults", "kill-everything")).isEqualTo(2);
        assertThat(err.toString()).contains("--faults: 'kill-everything' is not one of none, kill-workers, kill-coordinators");
        assertThat(run("verify", "--mode", "eventual")).isEqualTo(2);
        assertThat(err.toString()).contains("--mode: 'eventual' is not one of quorum, linearizable");
        assertThat(run("verify", "--duration", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration: expected a duration like 500ms, 30s, 2m or 1h, got 'soon'");
        assertThat(run("verify", "--clients", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--clients 0 is outside 1..256");
    }

    @Test
    void kafkaUnreachableIsSaidInOneLine() {
        assertThat(run("verify", "--bootstrap-servers", "127.0.0.1:1", "--duration", "1s")).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(err.toString()).contains("cannot reach Kafka at 127.0.0.1:1", "kquorum up");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        assertThat(run("verify", "--help")).isZero();
        assertThat(out.toString()).contains("--faults", "--history-out", "--check", "Exit codes: 0 no violation; 1 violation found");
    }
}
