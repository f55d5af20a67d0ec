package dev.kquorum.cli;

import java.io.PrintWriter;
import java.util.Map;

import dev.kquorum.cli.config.Settings;
import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.KafkaUnavailableException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.kquorum.cli.bench.BenchCommand;
import java.time.Duration;

/** The single {@code kquorum} command; every capability is a subcommand. */
@Command(name = "kquorum",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Quorum replication on Apache Kafka.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done: OK (put/get/delete), or stopped cleanly (servers)",
            "1:no answer: no coordinator running, or kquorum's topics missing; or an unexpected failure",
            "2:INVALID request, or bad usage",
            "3:NOT_FOUND (get)",
            "4:QUORUM_NOT_REACHED: too few replicas answered in time",
            "5:OVERLOADED: the coordinator had too much in flight; nothing was sent",
            "6:Kafka unreachable, or it refused access (credentials, ACLs)"},
        subcommands = {UpCommand.class, DemoCommand.class, KafkaCommand.class, CoordinatorCommand.class, WorkerCommand.class,
            ClientCommand.Put.class, ClientCommand.Get.class, ClientCommand.Delete.class, VerifyCommand.class,
            WorkerBenchCommand.class, BenchCommand.class, AclsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code when no answer came, or kquorum's topics are missing: most often, no coordinator runs. */
    static final int EXIT_NO_ANSWER = 1;
    /** Exit code when Kafka cannot be reached, or refuses access. */
    static final int EXIT_KAFKA_UNAVAILABLE = 6;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Exit code of a server command ({@code coordinator}, {@code up}) whose coordinator or gateway
     * loop failed: the process cannot go on, and a supervisor should restart it (sysexits' EX_SOFTWARE).
     */
    static final int EXIT_LOOP_FAILED = 70;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private Settings settings;

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(), args);
    }

    /** As {@link #run(String...)}, with the command's output and errors sent where the caller says. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, System.getenv(), args);
    }

    /** As {@link #run(String...)}, with the environment given (for tests of configuration precedence). */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        CommandLine cl;
        try {
            cl = commandLine(env, args);
        } catch (IllegalArgumentException e) {
            err.println("kquorum: " + e.getMessage());
            err.flush();
            return 2;
        }
        return cl.setOut(out).setErr(err).setExecutionExceptionHandler(Main::failure).execute(args);
    }

    /**
     * Turns a command's failure into one line and an exit code. A user who forgot to start Kafka
     * should read what to do, not a stack trace; the trace is logged at DEBUG for whoever needs it.
     */
    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        org.slf4j.LoggerFactory.getLogger(Main.class).debug("kquorum {} failed", cl.getCommandName(), e);
        KafkaUnavailableException kafka = kafkaProblem(e, cl);
        PrintWriter err = cl.getErr();
        if (kafka != null) {
            err.println("kquorum " + cl.getCommandName() + ": " + kafka.getMessage());
            err.flush();
            return switch (kafka.reason()) {
                case UNREACHABLE, REFUSED -> EXIT_KAFKA_UNAVAILABLE;
                case MISSING_TOPIC, FAILED -> EXIT_NO_ANSWER;
            };
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
        err.println("kquorum " + cl.getCommandName() + ": " + message + " (KQ_LOG_LEVEL=DEBUG logs the details)");
        err.flush();
        return 1;
    }

    /**
     * The Kafka problem behind {@code e}, if any: one of ours, or Kafka refusing credentials or
     * rights, said with the principal of the command's settings and what kquorum was doing (the
     * message of the failure that wraps Kafka's, which names the operation and topics).
     */
    private static KafkaUnavailableException kafkaProblem(Throwable e, CommandLine cl) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KafkaUnavailableException k) {
                return k;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                KafkaSettings kafka = new KafkaSettings("the configured cluster", settings(cl.getCommandSpec()).kafkaClientProperties());
                String doing = t == e || e.getMessage() == null ? null : "(" + e.getMessage().replaceAll("\\s+", " ") + ")";
                return KafkaUnavailableException.refused(t, "the configured cluster", kafka.principal(), doing, e);
            }
        }
        return null;
    }

    /**
     * The command line with its settings: flags, then {@code KQ_*} environment variables, then the
     * {@code --config} file, then defaults.
     *
     * @throws IllegalArgumentException when the configuration file cannot be used
     */
    static CommandLine commandLine(Map<String, String> env, String... args) {
        Settings settings = Settings.load(args, env);
        Main main = new Main();
        main.settings = settings;
        CommandLine cl = new CommandLine(main).setDefaultValueProvider(settings);
        settings.checkFileKeys(cl);
        return cl;
    }

    /** The settings of the command line that {@code spec} belongs to. */
    static Settings settings(CommandLine.Model.CommandSpec spec) {
        return ((Main) spec.root().userObject()).settings;
    }

    /** Logs the settings a long-running command runs with, once, secrets masked. */
    static void logEffectiveConfiguration(CommandLine.Model.CommandSpec spec) {
        org.slf4j.LoggerFactory.getLogger(Main.class).info("kquorum {} configuration:\n  {}", spec.name(),
                String.join("\n  ", settings(spec).describe(spec)));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kquorum " + (v == null ? "(development build)" : v)};
        }
    }
}
