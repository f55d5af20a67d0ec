package dev.kquorum.cli.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import dev.kquorum.cli.Main;

/**
 * The faults of {@code verify --faults kill-workers} and {@code kill-coordinators}: every
 * interval, SIGKILLs one worker, or one coordinator, of a deployment that {@code kquorum up}
 * started, found by the pid files up keeps for the processes it supervises ({@code
 * <up-dir>/pids/<id>.pid} for workers, {@code <up-dir>/pids/coordinators/<id>.pid} for the
 * coordinators it runs beside its own), and leaves it to up to restart it. One is killed only
 * while all of its role are running, so at most one is down at a time.
 */
public final class ProcessKiller implements AutoCloseable {

    /** What kind of process to kill: the kquorum command it runs, and where up keeps its pid files. */
    public enum Role {
        WORKER("worker", "pids", "`kquorum up` records its workers' pids there"),
        COORDINATOR("coordinator", "pids/coordinators", "`kquorum up --coordinators 2` (or more) runs coordinators beside its"
                + " own and records their pids there; up's own, which runs the broker, is never killed");

        private final String command;
        private final String pidDir;
        private final String where;

        Role(String command, String pidDir, String where) {
            this.command = command;
            this.pidDir = pidDir;
            this.where = where;
        }

        @Override
        public String toString() {
            return command;
        }
    }

    /** A process as its pid file names it. */
    public record Target(Role role, String id, long pid) {

        /** The process, when it is running and is a kquorum process of its role (a stale pid may be reused by anything). */
        Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> runs(p, role.command));
        }

        /**
         * From its arguments: on Linux from /proc (the JDK's own view cuts the command line at 4 KiB,
         * shorter than a class path); elsewhere, at least a java process.
         */
        private static boolean runs(ProcessHandle p, String command) {
            Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
            if (Files.isReadable(cmdline)) {
                try {
                    List<String> args = List.of(Files.readString(cmdline, StandardCharsets.UTF_8).split("\0"));
                    return args.contains(Main.class.getName()) && args.contains(command);
                } catch (IOException e) {
                    return false;
                }
            }
            return p.info().command().map(c -> c.endsWith("java") || c.endsWith("java.exe")).orElse(true);
        }
    }

    private final Path upDir;
    private final Role role;
    private final Duration interval;
    private final Consumer<String> say;
    private final Random random = new Random();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile int kills;

    private ProcessKiller(Path upDir, Role role, Duration interval, Consumer<String> say) {
        this.upDir = upDir;
        this.role = role;
        this.interval = interval;
        this.say = say;
        this.thread = new Thread(this::run, "kq-verify-" + role + "-killer");
        this.thread.setDaemon(true);
    }

    /**
     * The processes of {@code role} listed in up's pid files, in id order.
     *
     * @throws IllegalArgumentException when there is no such directory or no pid in it
     */
    public static List<Target> targets(Path upDir, Role role) {
        Path dir = upDir.resolve(role.pidDir);
        String hint = "faults are injected only into a deployment that `kquorum up` started: " + role.where
                + ". Start it so, point --up-dir at its --data-dir, or use --faults none";
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("there is no " + dir + ": " + hint);
        }
        List<Target> targets = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".pid") && !name.equals("up.pid")) {
                    try {
                        targets.add(new Target(role, name.substring(0, name.length() - 4),
                                Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim())));
                    } catch (NumberFormatException | IOException e) {
                        // being rewritten, or not ours: skip it
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("there are no " + role + " pid files in " + dir + ": " + hint);
        }
        return targets;
    }

    /** Starts killing: the first kill comes one interval from now. */
    public static ProcessKiller start(Path upDir, Role role, Duration interval, Consumer<String> say) {
        ProcessKiller killer = new ProcessKiller(upDir, role, interval, say);
        killer.thread.start();
        return killer;
    }

    public int kills() {
        return kills;
    }

    private void run() {
        try {
            while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Target> targets;
                try {
                    targets = targets(upDir, role);
                } catch (IllegalArgumentException e) {
                    say.accept("cannot kill a " + role + ": " + e.getMessage());
                    continue;
                }
                List<Target> down = targets.stream().filter(w -> w.process().isEmpty()).toList();
                if (!down.isEmpty()) {
                    say.accept("not killing: waiting for up to restart " + down.stream().map(Target::id).toList());
                    continue;
                }
                Target victim = targets.get(random.nextInt(targets.size()));
                victim.process().ifPresent(p -> {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // it will be seen as down next round either way
                    }
                    kills++;
                    say.accept("SIGKILLed " + role + " " + victim.id() + " (pid " + victim.pid() + ")");
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether every process of {@code role} in the pid files is running again, waiting up to {@code wait}. */
    public static boolean awaitAllRunning(Path upDir, Role role, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                if (targets(upDir, role).stream().allMatch(w -> w.process().isPresent())) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // a pid file being rewritten; look again
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
