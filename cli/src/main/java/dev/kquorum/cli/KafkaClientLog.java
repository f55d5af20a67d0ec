package dev.kquorum.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import java.util.Optional;

/**
 * The Kafka client's own log. Against an unreachable cluster it warns once a second per client;
 * a user of put/get/delete needs one line saying what is wrong, not that, so client commands
 * turn it off unless {@code --verbose}. Servers keep it (operators read it) except while they
 * check that Kafka answers at start, where kquorum's own line says it better.
 */
final class KafkaClientLog {

    private static final String KAFKA = "org.apache.kafka";

    private KafkaClientLog() {
    }

    /** Off for good in this process, unless {@code verbose}, which shows everything at INFO and up. */
    static void forClientCommand(boolean verbose) {
        kafkaLogger().ifPresent(l -> l.setLevel(verbose ? Level.INFO : Level.OFF));
    }

    /** Off until the returned handle is closed, then as before. */
    static Quiet quietWhile() {
        Logger logger = kafkaLogger().orElse(null);
        Level before = logger == null ? null : logger.getLevel();
        if (logger != null) {
            logger.setLevel(Level.OFF);
        }
        return () -> {
            if (logger != null) {
                logger.setLevel(before);
            }
        };
    }

    interface Quiet extends AutoCloseable {
        @Override
        void close();
    }

    /** Empty when another SLF4J binding than logback is in use (then its own configuration rules). */
    private static Optional<Logger> kafkaLogger() {
        return LoggerFactory.getLogger(KAFKA) instanceof Logger l ? Optional.of(l) : Optional.empty();
    }
}
