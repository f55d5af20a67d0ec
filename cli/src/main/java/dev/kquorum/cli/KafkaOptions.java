package dev.kquorum.cli;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicNames;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where Kafka is and which topics are kquorum's: shared by every command that talks to Kafka. */
final class KafkaOptions {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = {"--topic-prefix", "--prefix"}, defaultValue = "kq",
            description = "Prefix of every kquorum topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @CommandLine.Mixin
    ConfigOption config;

    @CommandLine.Mixin
    ReplicationOptions replication;

    /** Kafka settings with every client property from the configuration file passed through. */
    KafkaSettings kafka() {
        return new KafkaSettings(bootstrapServers, Main.settings(spec).kafkaClientProperties(), replication.topicReplication(spec));
    }

    TopicNames topics() {
        try {
            return new TopicNames(topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--topic-prefix: " + e.getMessage());
        }
    }
}
