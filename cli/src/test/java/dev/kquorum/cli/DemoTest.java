package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/** {@code kquorum demo} is a test of its own: its exit code and the outcomes it prints. */
class DemoTest {

    @Test
    void theTourEndsAsExpected() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "demo");
        String printed = out.toString();
        assertThat(exit).as("exit code; output:%n%s%nerrors:%n%s", printed, err).isZero();
        assertThat(printed)
                .contains("Step 1.", "Step 9.")
                .contains("worker r3 (pid", "killed with SIGKILL")
                .containsPattern("put +user:1 +-> OK .*\\[2 of 2 needed: r[12],r[12]\\]")
                .containsPattern("put +user:2 +-> QUORUM_NOT_REACHED \\[1 of 2 needed: r1\\]")
                .containsPattern("get +user:2 +-> OK \"v2 of user:2\" .*\\[3 of 3 needed")
                .contains("absent", "read repairs sent: 3")
                .contains("Demo complete: every step ended as expected.")
                .doesNotContain("UNEXPECTED");
    }
}
