package dev.kquorum.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.quorum.InvalidQuorumException;
import dev.kquorum.cli.client.GatewayClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.Locale;

/**
 * {@code kquorum put/get/delete}: clients of the request topic. Flags are checked before anything
 * is sent; the outcome is printed on one line (or as JSON) and becomes the exit code.
 */
abstract class ClientCommand implements Callable<Integer> {

    static final int EXIT_NO_ANSWER = Main.EXIT_NO_ANSWER;
    /** Connecting gets at least this long even under a shorter --timeout: a slow connect is not an unreachable cluster. */
    static final long MIN_CONNECT_MS = 2_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--timeout", defaultValue = "2s", description = {"How long the coordinator waits for the quorum, above the max clock offset (500 ms): 1s, 2s, 1m (default: ${DEFAULT-VALUE}).",
        "Also how long to try to reach Kafka (at least 2s)."})
    String timeout;

    @Option(names = "--verbose", description = "Show the Kafka client's log (hidden otherwise).")
    boolean verbose;

    @Option(names = "--json", description = "Print the full answer as JSON.")
    boolean json;

    @Option(names = "--linearizable", description = "Linearizable mode (ABD): a round more, and the history of the key is linearizable.")
    boolean linearizable;

    Mode mode() {
        return linearizable ? Mode.LINEARIZABLE : null;
    }

    abstract ExternalRequest request(long timeoutMs);

    @Override
    public Integer call() {
        if (key.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "KEY must not be empty");
        }
        long timeoutMs = parseDuration(timeout);
        ExternalRequest request = request(timeoutMs);
        KafkaClientLog.forClientCommand(verbose);
        Optional<Outcome> answer;
        Duration connect = Duration.ofMillis(Math.max(timeoutMs, MIN_CONNECT_MS));
        try (GatewayClient client = new GatewayClient(kafka.kafka(), kafka.topics(), connect)) {
            answer = client.call(request, Duration.ofMillis(timeoutMs).plusSeconds(10));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (answer.isEmpty()) {
            spec.commandLine().getErr().println("no answer within " + (timeoutMs / 1000 + 10) + " s: is a coordinator running"
                    + " against " + kafka.bootstrapServers + " (kquorum up, or kquorum coordinator)?");
            return EXIT_NO_ANSWER;
        }
        Outcome r = answer.get();
        out.println(json ? new String(ProtocolCodec.encode(r), StandardCharsets.UTF_8) : oneLine(r));
        out.flush();
        return exitCode(r.status());
    }

    static int exitCode(Status status) {
        return switch (status) {
            case OK -> 0;
            case INVALID -> 2;
            case NOT_FOUND -> 3;
            case QUORUM_NOT_REACHED -> 4;
            case OVERLOADED -> 5;
        };
    }

    static String oneLine(Outcome r) {
        StringBuilder s = new StringBuilder(r.status().name());
        if (r.value() != null) {
            s.append(' ').append(new String(r.value(), StandardCharsets.UTF_8));
        }
        if (r.version() != null) {
            s.append(" (version ").append(r.version()).append(')');
        }
        if (r.counted()) {
            s.append(" [").append(r.acks()).append('/').append(r.required()).append(": ")
                    .append(String.join(",", r.replicas())).append(']');
        }
        if (r.error() != null) {
            s.append(": ").append(r.error());
        }
        return s.toString();
    }

    Consistency consistency(String flag, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Consistency.parse(text);
        } catch (InvalidQuorumException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    long parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            long ms;
            if (t.endsWith("ms")) {
                ms = Long.parseLong(t.substring(0, t.length() - 2));
            } else if (t.endsWith("s")) {
                ms = Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000);
            } else if (t.endsWith("m")) {
                ms = Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000);
            } else {
                ms = Long.parseLong(t);
            }
            if (ms < 1 || ms > 600_000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout " + text + " is outside 1ms..10m");
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: expected a duration like 500ms, 2s or 1m, got '" + text + "'");
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Writes VALUE under KEY through the request topic. Exit: 0 OK, 1 no answer, 2 INVALID, 4 QUORUM_NOT_REACHED, 5 OVERLOADED, 6 Kafka unreachable.")
    static final class Put extends ClientCommand {
        @Parameters(index = "1", paramLabel = "VALUE", description = "The value (UTF-8 text).")
        String value;

        @Option(names = "--w", description = "Acks needed: ONE, QUORUM, ALL or a number (default: QUORUM).")
        String w;

        @Override
        ExternalRequest request(long timeoutMs) {
            return new ExternalRequest(Op.PUT, key, value.getBytes(StandardCharsets.UTF_8), consistency("--w", w), null, timeoutMs, mode());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Reads KEY through the request topic. Exit: 0 OK, 1 no answer, 2 INVALID, 3 NOT_FOUND, 4 QUORUM_NOT_REACHED, 5 OVERLOADED, 6 Kafka unreachable.")
    static final class Get extends ClientCommand {
        @Option(names = "--r", description = "Replies needed: ONE, QUORUM, ALL or a number (default: QUORUM).")
        String r;

        @Override
        ExternalRequest request(long timeoutMs) {
            return new ExternalRequest(Op.GET, key, null, null, consistency("--r", r), timeoutMs, mode());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes KEY (writes a tombstone) through the request topic. Exit: 0 OK, 1 no answer, 2 INVALID, 4 QUORUM_NOT_REACHED, 5 OVERLOADED, 6 Kafka unreachable.")
    static final class Delete extends ClientCommand {
        @Option(names = "--w", description = "Acks needed: ONE, QUORUM, ALL or a number (default: QUORUM).")
        String w;

        @Override
        ExternalRequest request(long timeoutMs) {
            return new ExternalRequest(Op.DELETE, key, null, consistency("--w", w), null, timeoutMs, mode());
        }
    }
}
