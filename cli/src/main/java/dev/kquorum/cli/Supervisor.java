package dev.kquorum.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import dev.kquorum.common.process.ChildJvm;

/**
 * Child processes of {@code kquorum up} of one role (workers, or the coordinators beside up's own),
 * kept running: each one's pid is in {@code <pid-dir>/<name>.pid} while it runs (so that {@code
 * kquorum verify --faults} can find and SIGKILL it), and a child that dies with a non-zero exit
 * code is started again, with a line saying so. A child that exits 0 was stopped on purpose and stays stopped, as with
 * systemd's {@code Restart=on-failure}.
 */
final class Supervisor implements AutoCloseable {

    /** Where {@code up} keeps its pid files, under its data directory. */
    static final String PID_DIR = "pids";

    private final Path pidDir;
    private final String role;
    private final Function<String, ChildJvm> starter;
    private final PrintWriter out;
    private final Map<String, ChildJvm> children = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closing;

    /** @param pidDir where the pid files go, under up's data directory */
    Supervisor(Path pidDir, String role, Function<String, ChildJvm> starter, PrintWriter out) {
        this.pidDir = pidDir;
        this.role = role;
        this.starter = starter;
        this.out = out;
        try {
            Files.createDirectories(pidDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + pidDir + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::watch, "kq-up-" + role + "-supervisor");
        this.thread.setDaemon(true);
    }

    /** Starts a child (waiting for its ready line) and supervises it from now on. */
    synchronized void start(String name) {
        ChildJvm child = starter.apply(name);
        children.put(name, child);
        writePid(name, child.pid());
    }

    /**
     * Starts children three at a time, side by side (a start is mostly waiting for Kafka), and
     * supervises each from then on; if one fails to start, those started are killed.
     */
    void startAll(List<String> names) {
        ExecutorService starting = Executors.newFixedThreadPool(Math.max(1, Math.min(3, names.size())));
        Map<String, Future<ChildJvm>> pending = new LinkedHashMap<>();
        names.forEach(name -> pending.put(name, starting.submit(() -> starter.apply(name))));
        starting.shutdown();
        Map<String, ChildJvm> started = new LinkedHashMap<>();
        RuntimeException failure = null;
        for (Map.Entry<String, Future<ChildJvm>> e : pending.entrySet()) {
            try {
                started.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException ex) {
                failure = failure != null ? failure : ex.getCause() instanceof RuntimeException r ? r
                        : new IllegalStateException(ex.getCause());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted while starting " + role + "s", ex);
            }
        }
        if (failure != null) {
            started.values().forEach(ChildJvm::kill);
            throw failure;
        }
        synchronized (this) {
            started.forEach((name, child) -> {
                children.put(name, child);
                writePid(name, child.pid());
            });
        }
    }

    /** Begins restarting children that die: call once every child has been started. */
    void superviseFromNow() {
        thread.start();
    }

    private void watch() {
        while (!closing) {
            for (String name : names()) {
                ChildJvm child;
                synchronized (this) {
                    child = children.get(name);
                }
                OptionalInt exit = child.exitCode();
                if (closing || exit.isEmpty() || exit.getAsInt() == 0) {
                    continue;
                }
                say(role + " " + name + " (pid " + child.pid() + ") died with exit code " + exit.getAsInt()
                        + (exit.getAsInt() == 137 ? " (SIGKILL)" : "") + "; restarting it");
                try {
                    synchronized (this) {
                        if (closing) {
                            return;
                        }
                        start(name);
                    }
                    say(role + " " + name + " is back (pid " + children.get(name).pid() + ")");
                } catch (RuntimeException e) {
                    say(role + " " + name + " did not restart: " + e.getMessage() + "; trying again");
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized List<String> names() {
        return List.copyOf(children.keySet());
    }

    private void say(String line) {
        synchronized (out) {
            out.println("kquorum up: " + line);
            out.flush();
        }
    }

    private void writePid(String name, long pid) {
        Path file = pidDir.resolve(name + ".pid");
        Path tmp = pidDir.resolve(name + ".pid.tmp");
        try {
            Files.writeString(tmp, pid + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stops supervising, stops every child (SIGTERM), and removes the pid files. */
    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join(70_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ChildJvm> stopping;
        synchronized (this) {
            stopping = List.copyOf(children.values());
        }
        // In reverse order of start, as the rest of up stops.
        for (int i = stopping.size() - 1; i >= 0; i--) {
            stopping.get(i).close();
        }
        for (String name : names()) {
            try {
                Files.deleteIfExists(pidDir.resolve(name + ".pid"));
            } catch (IOException e) {
                say("cannot remove " + pidDir.resolve(name + ".pid") + ": " + e.getMessage());
            }
        }
    }
}
