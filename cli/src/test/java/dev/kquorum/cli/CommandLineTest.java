package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("kafka", "help");
        assertThat(run("kafka", "--help")).isZero();
        assertThat(out.toString()).contains("--port", "--data-dir");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("a subcommand is required");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate");
    }

    @Test
    void badPortIsRejectedBeforeAnythingStarts() {
        assertThat(run("kafka", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("--port 70000 is not between 1 and 65535");
        assertThat(run("kafka", "--port", "nine")).isEqualTo(2);
        assertThat(err.toString()).contains("'nine'");
    }

    @Test
    void aPortInUseIsSaidPlainly() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(run("kafka", "--port", Integer.toString(taken.getLocalPort()))).isEqualTo(1);
        }
        assertThat(err.toString()).contains("is in use", "--port");
    }
}
