package dev.kquorum.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a command's settings come from, in order of precedence: the command line, then the
 * environment ({@code --bootstrap-servers} is {@code KQ_BOOTSTRAP_SERVERS}), then a properties file
 * ({@code --config FILE}, with the option names as keys: {@code bootstrap-servers=...}), then the
 * built-in default. Keys with a dot in the file ({@code security.protocol}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}, ...) are Kafka client properties and pass through to every
 * Kafka client.
 */
public final class Settings implements CommandLine.IDefaultValueProvider {

    public static final String CONFIG_OPTION = "--config";
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|ssl\\.key).*");

    private final Map<String, String> env;
    private final Properties file;
    private final Path fileName;
    private final Map<String, String> sources = new TreeMap<>();

    private Settings(Map<String, String> env, Properties file, Path fileName) {
        this.env = env;
        this.file = file;
        this.fileName = fileName;
    }

    /**
     * Reads the file named by {@code --config} in {@code args}, if any.
     *
     * @throws IllegalArgumentException naming the file and why it cannot be used
     */
    public static Settings load(String[] args, Map<String, String> env) {
        Path path = configPath(args, env);
        Properties props = new Properties();
        if (path != null) {
            try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--config " + path + ": cannot read the file (" + e.getMessage() + ")");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--config " + path + ": not a properties file (" + e.getMessage() + ")");
            }
        }
        return new Settings(env, props, path);
    }

    private static Path configPath(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith(CONFIG_OPTION + "=")) {
                return Path.of(args[i].substring(CONFIG_OPTION.length() + 1));
            }
        }
        String fromEnv = env.get(envName(CONFIG_OPTION));
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** {@code --bootstrap-servers} becomes {@code KQ_BOOTSTRAP_SERVERS}. */
    public static String envName(String option) {
        return "KQ_" + option.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String fileKey(String option) {
        return option.replaceFirst("^-+", "");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.longestName().equals(CONFIG_OPTION)) {
            return null;
        }
        String name = option.longestName();
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            sources.put(name, "environment " + envName(name));
            return fromEnv;
        }
        String fromFile = file.getProperty(fileKey(name));
        if (fromFile != null) {
            sources.put(name, "file " + fileName);
            return fromFile.trim();
        }
        return null;
    }

    /** Kafka client properties from the file: every key with a dot in it. */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> kafka = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.contains(".")) {
                kafka.put(key, file.getProperty(key).trim());
            }
        }
        return Collections.unmodifiableMap(kafka);
    }

    /**
     * Rejects file keys that are neither a kquorum option (of any command) nor a Kafka property.
     *
     * @throws IllegalArgumentException naming the key and the file
     */
    public void checkFileKeys(CommandLine root) {
        Set<String> known = new HashSet<>();
        collectOptions(root, known);
        for (String key : file.stringPropertyNames()) {
            if (!key.contains(".") && !known.contains(key)) {
                throw new IllegalArgumentException("--config " + fileName + ": unknown setting '" + key
                        + "' (kquorum settings are option names such as bootstrap-servers; Kafka client properties contain a dot)");
            }
        }
    }

    private static void collectOptions(CommandLine cl, Set<String> known) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            known.add(fileKey(o.longestName()));
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            collectOptions(sub, known);
        }
    }

    /** One line per setting of {@code command} and where it came from, secrets masked. */
    public List<String> describe(CommandLine.Model.CommandSpec command) {
        Map<String, String> lines = new TreeMap<>();
        for (OptionSpec o : command.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String name = o.longestName();
            Object value = o.getValue();
            String source = o.originalStringValues().isEmpty() ? sources.getOrDefault(name, "default") : "command line";
            lines.put(name, name.replaceFirst("^-+", "") + "=" + mask(name, value) + " (" + source + ")");
        }
        kafkaClientProperties().forEach((k, v) -> lines.put("~" + k, k + "=" + mask(k, v) + " (file " + fileName + ", Kafka client)"));
        return List.copyOf(lines.values());
    }

    static String mask(String name, Object value) {
        if (value == null) {
            return "";
        }
        return SECRET.matcher(name).matches() ? "****" : String.valueOf(value);
    }
}
