package dev.kquorum.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import dev.kquorum.common.health.KafkaProbe;
import dev.kquorum.cli.verify.Durations;
import dev.kquorum.cli.verify.VerdictReport;
import dev.kquorum.cli.verify.ProcessKiller;
import dev.kquorum.cli.verify.Workload;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.history.HistoryCheck;
import dev.kquorum.history.HistoryJson;
import dev.kquorum.history.HistoryOp;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum verify}: checks a running deployment's promises from the outside. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Drives a running kquorum through its request topic as external clients would (each client one",
            "sequential loop of puts and gets with unique values, on fresh keys), records the history, and checks it:",
            "linearizability per key (--mode linearizable) or the quorum promise (--mode quorum); and, at the end,",
            "that no acknowledged write was lost (every key read with R=ALL). Prints a verdict and, on a",
            "violation, the smallest failing sub-history. --check FILE judges a history written by --history-out.",
            "Faults are injected only into a deployment that `kquorum up` started (its pids are in --up-dir)."},
        footer = {"", "Exit codes: 0 no violation; 1 violation found; 2 bad options; 3 could not run (Kafka or the",
            "coordinator unreachable, a history file unreadable, keys that could not be read at the end)."})
final class VerifyCommand implements Callable<Integer> {

    static final int PASS = 0;
    static final int VIOLATION = 1;
    static final int COULD_NOT_RUN = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--duration", defaultValue = "60s", description = "How long the clients run: 1s..24h (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients, each one sequential loop: 1..256 (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--keys", defaultValue = "50", description = "Keys the clients share: 1..100000 (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--mode", description = "quorum or linearizable (default: quorum; with --check, the file's).")
    String mode;

    @Option(names = "--faults", defaultValue = "none",
            description = "none, kill-workers (SIGKILL a worker of `kquorum up` every --fault-interval), or kill-coordinators"
                    + " (SIGKILL one of the coordinators `kquorum up --coordinators 2` or more runs beside its own) (default: ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--fault-interval", defaultValue = "5s", description = "Time between two faults: 1s..10m (default: ${DEFAULT-VALUE}).")
    String faultInterval;

    @Option(names = "--up-dir", defaultValue = ".kquorum/up", description = "The --data-dir of the `kquorum up` to inject faults into (default: ${DEFAULT-VALUE}).")
    Path upDir;

    @Option(names = "--timeout", defaultValue = "2s", description = "Each operation's quorum timeout: 100ms..1m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--history-out", paramLabel = "FILE", description = "Write the whole history as JSON to FILE.")
    Path historyOut;

    @Option(names = "--check", paramLabel = "FILE", description = "Check a history JSON file (from --history-out) instead of running.")
    Path check;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Mode chosen = mode == null ? null : parseMode(mode);
        if (check != null) {
            return checkFile(out, chosen);
        }
        Duration runFor = duration("--duration", duration, Duration.ofSeconds(1), Duration.ofHours(24));
        Duration opTimeout = duration("--timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration interval = duration("--fault-interval", faultInterval, Duration.ofSeconds(1), Duration.ofMinutes(10));
        within("--clients", clients, 1, 256);
        within("--keys", keys, 1, 100_000);
        ProcessKiller.Role killing = faults();
        Mode runMode = chosen == null ? Mode.QUORUM : chosen;

        String bootstrap = kafka.bootstrapServers;
        try (KafkaProbe probe = new KafkaProbe(kafka.kafka(), "kq-verify-probe")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String problem = probe.problem();
            while (problem != null && System.nanoTime() < deadline) {
                Thread.sleep(1_100);
                problem = probe.problem();
            }
            if (problem != null) {
                spec.commandLine().getErr().println("kquorum verify: cannot reach Kafka at " + bootstrap + " (" + problem
                        + "). Is `./kquorum up` running, and is --bootstrap-servers right?");
                return COULD_NOT_RUN;
            }
        }
        String prefix = "kqv-" + UUID.randomUUID().toString().substring(0, 8) + "-k";
        try (GatewayClient client = new GatewayClient(kafka.kafka(), kafka.topics())) {
            Optional<Outcome> answer = client.call(ExternalRequest.get(prefix + "probe"), Duration.ofSeconds(15));
            if (answer.isEmpty()) {
                spec.commandLine().getErr().println("kquorum verify: no coordinator answered on " + kafka.topics().requests()
                        + " at " + bootstrap + " within 15 s. Is a coordinator running (./kquorum up, or kquorum coordinator)?");
                return COULD_NOT_RUN;
            }
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("kquorum verify: cannot talk to the request topic at " + bootstrap + ": " + e.getMessage());
            return COULD_NOT_RUN;
        }

        Workload workload = new Workload(kafka.kafka(), kafka.topics(), new Workload.Plan(clients, keys, prefix, runMode, opTimeout));
        say(out, clients + " clients on " + keys + " keys (" + prefix + "0.." + (keys - 1) + "), " + runMode.wireName()
                + " mode, for " + duration + ", faults: " + faults + (killing != null ? " every " + faultInterval + " in " + upDir : ""));
        long started = System.nanoTime();
        workload.start();
        ProcessKiller killer = killing != null ? ProcessKiller.start(upDir, killing, interval, line -> say(out, line)) : null;
        try {
            long end = started + runFor.toNanos();
            while (System.nanoTime() < end && workload.failure().isEmpty()) {
                Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        } finally {
            if (killer != null) {
                killer.close();
            }
            workload.stop();
        }
        if (workload.failure().isPresent()) {
            spec.commandLine().getErr().println("kquorum verify: a client failed: " + workload.failure().get().getMessage());
            return COULD_NOT_RUN;
        }
        say(out, VerdictReport.counts(workload, (System.nanoTime() - started) / 1e9, killer == null ? null : killer.kills() + " " + killing + "s"));
        if (killing != null && !ProcessKiller.awaitAllRunning(upDir, killing, Duration.ofSeconds(90))) {
            say(out, "not every " + killing + " is back after 90 s; reading with R=ALL anyway");
        }
        say(out, "reading every key with R=ALL to find lost writes");
        List<String> unread = workload.finalReads(Duration.ofSeconds(90));
        List<HistoryOp> history = workload.history();
        if (historyOut != null) {
            HistoryJson.write(historyOut, new HistoryJson.Recorded(runMode, history));
            say(out, "history written to " + historyOut + " (" + history.size() + " operations)");
        }
        HistoryCheck.Verdict verdict = HistoryCheck.check(history, runMode);
        VerdictReport.print(out, verdict);
        if (!verdict.passed()) {
            return VIOLATION;
        }
        if (!unread.isEmpty()) {
            spec.commandLine().getErr().println("kquorum verify: " + unread.size() + " keys could not be read with R=ALL within 90 s ("
                    + String.join(", ", unread.subList(0, Math.min(5, unread.size()))) + (unread.size() > 5 ? ", ..." : "")
                    + "), so lost writes could not be ruled out for them");
            return COULD_NOT_RUN;
        }
        return PASS;
    }

    private int checkFile(PrintWriter out, Mode chosen) {
        HistoryJson.Recorded recorded;
        try {
            recorded = HistoryJson.read(check);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            spec.commandLine().getErr().println("kquorum verify: --check " + check + ": " + e.getMessage());
            return COULD_NOT_RUN;
        }
        Mode m = chosen != null ? chosen : recorded.mode();
        say(out, "checking " + recorded.ops().size() + " operations from " + check + " in " + m.wireName() + " mode");
        HistoryCheck.Verdict verdict;
        try {
            verdict = HistoryCheck.check(recorded.ops(), m);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("kquorum verify: --check " + check + ": " + e.getMessage());
            return COULD_NOT_RUN;
        }
        VerdictReport.print(out, verdict);
        return verdict.passed() ? PASS : VIOLATION;
    }

    /** Whose processes to kill, or null for none; refuses what cannot be done here. */
    private ProcessKiller.Role faults() {
        ProcessKiller.Role role;
        switch (faults.toLowerCase(Locale.ROOT)) {
            case "none":
                return null;
            case "kill-workers":
                role = ProcessKiller.Role.WORKER;
                break;
            case "kill-coordinators":
                role = ProcessKiller.Role.COORDINATOR;
                break;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--faults: '" + faults + "' is not one of none, kill-workers, kill-coordinators");
        }
        try {
            ProcessKiller.targets(upDir, role);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--faults " + faults + ": " + e.getMessage());
        }
        return role;
    }

    private Mode parseMode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "quorum" -> Mode.QUORUM;
            case "linearizable" -> Mode.LINEARIZABLE;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--mode: '" + text + "' is not one of quorum, linearizable");
        };
    }

    private Duration duration(String option, String text, Duration min, Duration max) {
        try {
            return Durations.parse(option, text, min, max);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void within(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + " is outside " + min + ".." + max);
        }
    }

    private static void say(PrintWriter out, String line) {
        synchronized (out) {
            out.println("verify: " + line);
            out.flush();
        }
    }
}
