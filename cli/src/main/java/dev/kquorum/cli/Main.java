package dev.kquorum.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single {@code kquorum} command; every capability is a subcommand. */
@Command(name = "kquorum",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Quorum replication on Apache Kafka.",
        subcommands = {UpCommand.class, KafkaCommand.class, CoordinatorCommand.class, WorkerCommand.class,
            ClientCommand.Put.class, ClientCommand.Get.class, ClientCommand.Delete.class,
            WorkerBenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    /** As {@link #run(String...)}, with the command's output and errors sent where the caller says. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new Main()).setOut(out).setErr(err).execute(args);
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
