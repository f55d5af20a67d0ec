package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kquorum} run as a user runs it: its own JVM, with the logging configuration the jar
 * ships (not the tests' one), so that what reaches the terminal is what a user would see.
 */
record CliProcess(int exit, String out, String err, Duration took) {

    /** Runs the command line and fails the test if it has not ended within {@code bound}. */
    static CliProcess run(Duration bound, List<String> args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kq-cli-out", ".txt");
        Path err = Files.createTempFile("kq-cli-err", ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            boolean ended = p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(ended).as("kquorum %s ended within %s; stderr so far:%n%s", args, bound, stderr).isTrue();
            return new CliProcess(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr, took);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The lines of stderr that are not blank. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }

    /** A port on 127.0.0.1 that nothing listens on (bound, then released). */
    static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
