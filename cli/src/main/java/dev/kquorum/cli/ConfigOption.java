package dev.kquorum.cli;

import java.nio.file.Path;

import dev.kquorum.cli.config.Settings;
import picocli.CommandLine.Option;

/** {@code --config FILE}, for commands that take no Kafka options of their own. */
final class ConfigOption {

    @Option(names = Settings.CONFIG_OPTION, paramLabel = "FILE",
            description = "Properties file with settings (option names as keys) and Kafka client properties (keys with a dot).")
    Path config;
}
