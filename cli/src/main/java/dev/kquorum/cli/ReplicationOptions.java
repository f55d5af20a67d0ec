package dev.kquorum.cli;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.kafka.TopicReplication;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How kquorum's topics are replicated: stated when it creates them, and the least it accepts at start. */
final class ReplicationOptions {

    @Option(names = "--replication-factor", defaultValue = "0",
            description = {"Replication factor of the topics kquorum creates, and the least it accepts of those it uses",
                "(default: 0, meaning min(3, brokers in the cluster))."})
    int replicationFactor;

    @Option(names = "--min-insync-replicas", defaultValue = "0",
            description = {"min.insync.replicas of the topics kquorum creates, and the least it accepts of those it uses",
                "(default: 0, meaning one less than the replication factor, at least 1)."})
    int minInsyncReplicas;

    TopicReplication topicReplication(CommandLine.Model.CommandSpec spec) {
        try {
            return new TopicReplication(replicationFactor, minInsyncReplicas);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replication-factor / --min-insync-replicas: "
                    + e.getMessage());
        }
    }

    /** The same choice, as arguments for a child process. */
    List<String> asArguments() {
        List<String> args = new ArrayList<>();
        if (replicationFactor != 0) {
            args.addAll(List.of("--replication-factor", Integer.toString(replicationFactor)));
        }
        if (minInsyncReplicas != 0) {
            args.addAll(List.of("--min-insync-replicas", Integer.toString(minInsyncReplicas)));
        }
        return args;
    }
}
