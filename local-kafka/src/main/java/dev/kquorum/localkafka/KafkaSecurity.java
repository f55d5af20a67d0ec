package dev.kquorum.localkafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Kafka with SASL/SCRAM-SHA-512 on its client listener and Kafka's StandardAuthorizer,
 * nobody allowed anything an ACL does not grant. Each user (the broker's own, {@code admin}, and one
 * per kquorum role) gets a random password at first start, written with the client settings that
 * use it to {@code credentials/<user>.properties} (mode 600): the file a kquorum command takes as
 * {@code --config}. The broker's own user and {@code admin} are super users.
 *
 * @param credentialsDir where the users' files are
 * @param passwords      each user's password, by user name
 */
public record KafkaSecurity(Path credentialsDir, Map<String, String> passwords) {

    /** The user brokers and the controller authenticate to each other as. */
    public static final String BROKER_USER = "kafka";
    /** The user that creates topics and grants ACLs. */
    public static final String ADMIN_USER = "admin";
    public static final String MECHANISM = "SCRAM-SHA-512";
    private static final Pattern PASSWORD = Pattern.compile("password=\"([^\"]*)\"");

    public KafkaSecurity {
        passwords = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(passwords));
    }

    /**
     * The users' credentials in {@code credentialsDir}: those written before, and a new random
     * password for each of {@code users} that has none (with the broker's user and admin always).
     */
    public static KafkaSecurity inDirectory(Path credentialsDir, List<String> users) {
        List<String> all = new ArrayList<>(List.of(BROKER_USER, ADMIN_USER));
        users.stream().filter(u -> !all.contains(u)).forEach(all::add);
        Map<String, String> passwords = new LinkedHashMap<>();
        try {
            Files.createDirectories(credentialsDir);
            Files.setPosixFilePermissions(credentialsDir, PosixFilePermissions.fromString("rwx------"));
            for (String user : all) {
                Path file = credentialsDir.resolve(user + ".properties");
                if (Files.exists(file)) {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(file)) {
                        p.load(in);
                    }
                    Matcher m = PASSWORD.matcher(p.getProperty("sasl.jaas.config", ""));
                    if (!m.find()) {
                        throw new IllegalStateException(file + " has no password in its sasl.jaas.config");
                    }
                    passwords.put(user, m.group(1));
                } else {
                    String password = randomPassword();
                    passwords.put(user, password);
                    write(file, user, password);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep credentials in " + credentialsDir + ": " + e.getMessage(), e);
        }
        return new KafkaSecurity(credentialsDir, passwords);
    }

    /** Reads what {@link #inDirectory} wrote, creating nothing: for a cluster's nodes, started after it. */
    public static KafkaSecurity read(Path credentialsDir) {
        try (var files = Files.list(credentialsDir)) {
            List<String> users = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".properties"))
                    .map(n -> n.substring(0, n.length() - ".properties".length())).sorted().toList();
            return inDirectory(credentialsDir, users);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credentials in " + credentialsDir + ": " + e.getMessage(), e);
        }
    }

    /** The file holding {@code user}'s client settings. */
    public Path credentialsFile(String user) {
        return credentialsDir.resolve(user + ".properties");
    }

    /** Kafka client properties that authenticate as {@code user}. */
    public Map<String, String> clientProperties(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user " + user + "; the users are " + passwords.keySet());
        }
        return clientProperties(user, password);
    }

    /** Kafka client properties that authenticate as {@code user} with {@code password}, right or wrong. */
    public static Map<String, String> clientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";");
    }

    /** The broker settings for a SASL client listener, a SASL controller listener and the authorizer. */
    void addTo(Properties p) {
        String broker = passwords.get(BROKER_USER);
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + BROKER_USER + "\" password=\""
                        + broker + "\";");
        // The controller cannot check SCRAM (its credentials live in the metadata the controller
        // serves): PLAIN, with the broker's user the one it knows.
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + BROKER_USER + "\" password=\"" + broker + "\" user_" + BROKER_USER + "=\"" + broker + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + BROKER_USER + ";User:" + ADMIN_USER);
    }

    /** {@code kafka-storage format} arguments that create every user's SCRAM credential. */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        passwords.forEach((user, password) -> args.addAll(List.of("--add-scram",
                MECHANISM + "=[name=" + user + ",password=" + password + "]")));
        return args;
    }

    /** Written by hand, not by Properties.store, which would escape the JAAS line's '=' and make it hard to read. */
    private static void write(Path file, String user, String password) throws IOException {
        StringBuilder text = new StringBuilder("# Kafka credentials of user " + user
                + " (SASL/SCRAM-SHA-512); pass to kquorum with --config FILE\n");
        new java.util.TreeMap<>(clientProperties(user, password)).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text.toString());
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
