package dev.kquorum.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.kquorum.common.process.ChildJvm;

/**
 * {@code kquorum worker} and {@code kquorum coordinator} as child processes on this JVM's class
 * path, each waited for until it prints its ready line: how {@code up}, the demo and the tests get
 * real processes to supervise and SIGKILL.
 */
public final class KquorumProcesses {

    /** A child that never needs much heap, and starts fast rather than peaks. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
    /** A child measured at its peak: the JIT's optimizing compiler on (it takes longer to warm). */
    private static final List<String> PEAK_JVM_OPTIONS = List.of("-Xmx512m");

    private KquorumProcesses() {
    }

    /**
     * Runs {@code kquorum worker}.
     *
     * @param extraArgs more options, e.g. {@code --topic-prefix}, {@code --http-port}, {@code --config}
     */
    public static ChildJvm worker(String id, String bootstrap, Path dataDir, List<String> extraArgs, Consumer<String> output) {
        return worker(id, bootstrap, dataDir, extraArgs, JVM_OPTIONS, output);
    }

    /** Runs {@code kquorum worker} for a benchmark: compiled for peak speed, not for a fast start. */
    public static ChildJvm workerAtPeak(String id, String bootstrap, Path dataDir, List<String> extraArgs, Consumer<String> output) {
        return worker(id, bootstrap, dataDir, extraArgs, PEAK_JVM_OPTIONS, output);
    }

    private static ChildJvm worker(String id, String bootstrap, Path dataDir, List<String> extraArgs, List<String> jvmOptions,
                                   Consumer<String> output) {
        List<String> args = new ArrayList<>(List.of("worker", "--id", id, "--bootstrap-servers", bootstrap,
                "--data-dir", dataDir.toString()));
        args.addAll(extraArgs);
        return ChildJvm.start("worker " + id, jvmOptions, Main.class, args, WorkerCommand.READY_PREFIX, Duration.ofSeconds(60), output);
    }

    /**
     * Runs {@code kquorum coordinator}.
     *
     * @param extraArgs more options, e.g. {@code --topic-prefix}, {@code --http-port}
     */
    public static ChildJvm coordinator(String id, int replyPartition, String bootstrap, List<String> replicas,
                                       List<String> extraArgs, Consumer<String> output) {
        List<String> args = new ArrayList<>(List.of("coordinator", "--id", id, "--reply-partition", Integer.toString(replyPartition),
                "--bootstrap-servers", bootstrap, "--replicas", String.join(",", replicas)));
        args.addAll(extraArgs);
        return ChildJvm.start("coordinator " + id, JVM_OPTIONS, Main.class, args, CoordinatorCommand.READY_PREFIX,
                Duration.ofSeconds(90), output);
    }
}
