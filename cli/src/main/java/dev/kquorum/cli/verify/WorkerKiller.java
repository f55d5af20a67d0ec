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
 * The fault of {@code verify --faults kill-workers}: every interval, SIGKILLs one worker of a
 * deployment that {@code kquorum up} started, found by the pid files up keeps in
 * {@code <up-dir>/pids/<id>.pid}, and leaves it to up to restart it. A worker is killed only
 * while every worker is running, so at most one is down at a time.
 */
public final class WorkerKiller implements AutoCloseable {

    /** A worker as its pid file names it. */
    public record Worker(String id, long pid) {

        /** The process, when it is running and is a kquorum worker (a stale pid may be reused by anything). */
        Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(Worker::isKquorumWorker);
        }

        /**
         * From its arguments: on Linux from /proc (the JDK's own view cuts the command line at 4 KiB,
         * shorter than a class path); elsewhere, at least a java process.
         */
        private static boolean isKquorumWorker(ProcessHandle p) {
            Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
            if (Files.isReadable(cmdline)) {
                try {
                    List<String> args = List.of(Files.readString(cmdline, StandardCharsets.UTF_8).split("\0"));
                    return args.contains(Main.class.getName()) && args.contains("worker");
                } catch (IOException e) {
                    return false;
                }
            }
            return p.info().command().map(c -> c.endsWith("java") || c.endsWith("java.exe")).orElse(true);
        }
    }

    private final Path upDir;
    private final Duration interval;
    private final Consumer<String> say;
    private final Random random = new Random();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile int kills;

    private WorkerKiller(Path upDir, Duration interval, Consumer<String> say) {
        this.upDir = upDir;
        this.interval = interval;
        this.say = say;
        this.thread = new Thread(this::run, "kq-verify-worker-killer");
        this.thread.setDaemon(true);
    }

    /**
     * The workers listed in {@code <upDir>/pids}, in id order.
     *
     * @throws IllegalArgumentException when there is no such directory or no worker pid in it
     */
    public static List<Worker> workers(Path upDir) {
        Path dir = upDir.resolve("pids");
        String hint = "faults are injected only into a deployment that `kquorum up` started, which records its workers'"
                + " pids there. Start ./kquorum up, point --up-dir at its --data-dir, or use --faults none";
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("there is no " + dir + ": " + hint);
        }
        List<Worker> workers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".pid") && !name.equals("up.pid")) {
                    try {
                        workers.add(new Worker(name.substring(0, name.length() - 4),
                                Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim())));
                    } catch (NumberFormatException | IOException e) {
                        // being rewritten, or not ours: skip it
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("there are no worker pid files in " + dir + ": " + hint);
        }
        return workers;
    }

    /** Starts killing: the first kill comes one interval from now. */
    public static WorkerKiller start(Path upDir, Duration interval, Consumer<String> say) {
        WorkerKiller killer = new WorkerKiller(upDir, interval, say);
        killer.thread.start();
        return killer;
    }

    public int kills() {
        return kills;
    }

    private void run() {
        try {
            while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Worker> workers;
                try {
                    workers = workers(upDir);
                } catch (IllegalArgumentException e) {
                    say.accept("cannot kill a worker: " + e.getMessage());
                    continue;
                }
                List<Worker> down = workers.stream().filter(w -> w.process().isEmpty()).toList();
                if (!down.isEmpty()) {
                    say.accept("not killing: waiting for up to restart " + down.stream().map(Worker::id).toList());
                    continue;
                }
                Worker victim = workers.get(random.nextInt(workers.size()));
                victim.process().ifPresent(p -> {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // it will be seen as down next round either way
                    }
                    kills++;
                    say.accept("SIGKILLed worker " + victim.id() + " (pid " + victim.pid() + ")");
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether every worker in the pid files is running again, waiting up to {@code wait}. */
    public static boolean awaitAllRunning(Path upDir, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                if (workers(upDir).stream().allMatch(w -> w.process().isPresent())) {
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
