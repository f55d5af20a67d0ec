package dev.kquorum.common.kafka;

import java.time.Duration;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import java.util.Locale;

/**
 * Kafka cannot be used as configured: unreachable, refusing kquorum's credentials or rights, or
 * missing a topic kquorum needs. The message is one plain sentence that names the address and
 * says what to try, because it is what a user sees when they forgot to start Kafka.
 */
public final class KafkaUnavailableException extends RuntimeException {

    /** Why Kafka cannot be used; the command line maps it to an exit code. */
    public enum Reason { UNREACHABLE, REFUSED, MISSING_TOPIC, FAILED }

    private final Reason reason;

    public KafkaUnavailableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** A topic that a client may not create (clients lack that right on a secured cluster) is absent. */
    public static KafkaUnavailableException missingTopic(String topic, String bootstrapServers) {
        return new KafkaUnavailableException(Reason.MISSING_TOPIC, "topic " + topic + " does not exist at " + bootstrapServers
                + ": has a coordinator run there with this --topic-prefix? Start one with ./kquorum up or ./kquorum coordinator", null);
    }

    /**
     * What {@code failure}, met while talking to Kafka for up to {@code waited}, means to the user:
     * refused when Kafka rejected the credentials or the rights (retrying will not help),
     * unreachable when it timed out, failed otherwise.
     *
     * @param doing what kquorum was doing, said after the principal ("to write a request to kq.requests"), or null
     */
    public static KafkaUnavailableException from(Throwable failure, KafkaSettings kafka, Duration waited, String doing) {
        String bootstrapServers = kafka.bootstrapServers();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return refused(t, bootstrapServers, kafka.principal(), doing, failure);
            }
            if (t instanceof ConfigException) {
                return new KafkaUnavailableException(Reason.UNREACHABLE, "cannot use Kafka at " + bootstrapServers + ": "
                        + oneLine(t.getMessage()) + ": check --bootstrap-servers (host:port[,host:port...])", failure);
            }
        }
        boolean timedOut = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            timedOut |= t instanceof org.apache.kafka.common.errors.TimeoutException || t instanceof java.util.concurrent.TimeoutException;
        }
        if (!timedOut) {
            return new KafkaUnavailableException(Reason.FAILED, "Kafka at " + bootstrapServers + " failed the request ("
                    + failure.getClass().getSimpleName() + ": " + oneLine(failure.getMessage()) + ")", failure);
        }
        return new KafkaUnavailableException(Reason.UNREACHABLE, "cannot reach Kafka at " + bootstrapServers + " within "
                + seconds(waited) + ": is Kafka running? Try ./kquorum up (or ./kquorum kafka), or point --bootstrap-servers at your cluster",
                failure);
    }

    /**
     * Kafka refused {@code principal}: its credentials ({@link AuthenticationException}) or, while
     * {@code doing} something, its rights ({@link AuthorizationException}, which names the topic or
     * group). The message names the principal, the operation and the resource, and what to fix.
     */
    public static KafkaUnavailableException refused(Throwable refusal, String bootstrapServers, String principal, String doing,
                                                    Throwable failure) {
        String what = refusal.getClass().getSimpleName() + ": " + oneLine(refusal.getMessage());
        if (refusal instanceof AuthenticationException) {
            return new KafkaUnavailableException(Reason.REFUSED, "Kafka at " + bootstrapServers + " did not accept the credentials of "
                    + principal + " (" + what + "): check sasl.jaas.config (user name and password), sasl.mechanism and"
                    + " security.protocol in --config", failure);
        }
        return new KafkaUnavailableException(Reason.REFUSED, "Kafka at " + bootstrapServers + " refused " + principal
                + (doing == null ? "" : " " + doing) + " (" + what + "): the principal needs an ACL that allows it"
                + " (./kquorum acls --print lists each role's; docs/security.md)", failure);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String oneLine(String text) {
        return text == null ? "no detail" : text.replaceAll("\\s+", " ").trim();
    }
}
