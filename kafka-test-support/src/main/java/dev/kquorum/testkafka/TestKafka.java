package dev.kquorum.testkafka;

import java.util.UUID;

/**
 * A real Kafka broker that a test talks to. Tests share one broker per JVM, so every test names
 * its topics through {@link #uniqueName(String)} and never sees another test's records.
 */
public record TestKafka(String bootstrapServers, String source) {

    /** A name no other test in this run uses: {@code prefix} plus a random suffix. */
    public String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
