package dev.kquorum.common.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.OptionalInt;

/**
 * A Java main class run in a child JVM on this JVM's class path: how the local broker, worker
 * processes and {@code kquorum up} run their parts as real OS processes that can be SIGKILLed.
 * The child's output is copied line by line to a sink; {@link #start} returns once a line starts
 * with the given ready prefix.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);

    private final String name;
    private final Process process;
    private final String readyLine;
    private final Thread reaper;

    private ChildJvm(String name, Process process, String readyLine) {
        this.name = name;
        this.process = process;
        this.readyLine = readyLine;
        // A child outliving its parent (a failed test, a killed launcher) would hold ports and
        // stores; it goes down with us.
        this.reaper = new Thread(() -> process.toHandle().destroyForcibly(), name + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts {@code mainClass} with {@code args} and waits for a line starting with
     * {@code readyPrefix}.
     *
     * @param output receives every line the child prints (stdout and stderr together)
     */
    public static ChildJvm start(String name, List<String> jvmOptions, Class<?> mainClass, List<String> args,
                                 String readyPrefix, Duration timeout, Consumer<String> output) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(process, readyPrefix, ready, output), name + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            String line = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("{} (pid {}) is ready", name, process.pid());
            return new ChildJvm(name, process, line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not print its ready line within " + timeout, e);
        }
    }

    private static void pump(Process process, String readyPrefix, CompletableFuture<String> ready, Consumer<String> output) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!ready.isDone() && line.startsWith(readyPrefix)) {
                    ready.complete(line);
                }
                output.accept(line);
            }
        } catch (IOException e) {
            log.debug("output of process {} ended: {}", process.pid(), e.getMessage());
        }
        ready.completeExceptionally(new IllegalStateException("the process exited before it was ready"));
    }

    /** The line that said the child was ready. */
    public String readyLine() {
        return readyLine;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the child has exited (137 after a SIGKILL); empty while it runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** SIGKILL: the child gets no chance to flush or close anything. */
    public void kill() {
        process.toHandle().destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, and the exit code once it has stopped (-1 if it did not within the timeout). */
    public int terminate(Duration timeout) {
        // Through the handle: Process.destroy() also closes our end of the child's output, and
        // what the child prints while it shuts down would be lost.
        process.toHandle().destroy();
        return awaitExit(timeout) ? process.exitValue() : -1;
    }

    /** Waits for the child to end by itself: its exit code, or -1 if it still runs after {@code timeout}. */
    public int awaitExitCode(Duration timeout) {
        return awaitExit(timeout) ? process.exitValue() : -1;
    }

    /** SIGTERM; SIGKILL if it has not stopped within 30 s. */
    @Override
    public void close() {
        if (process.isAlive() && terminate(Duration.ofSeconds(30)) == -1) {
            log.warn("{} (pid {}) ignored SIGTERM for 30 s; killing it", name, process.pid());
            kill();
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                try {
                    Runtime.getRuntime().removeShutdownHook(reaper);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or about to; nothing to undo
                }
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
