package dev.kquorum.coordinator.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import dev.kquorum.common.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition counts of the reply topics that requests name, looked up without blocking anyone:
 * a lookup is an asynchronous metadata request, and only the answers waiting for that topic wait
 * for it. A producer would instead block its caller for {@code max.block.ms} on a topic that does
 * not exist or cannot be created (such as {@code kq_responses}, which collides with
 * {@code kq.responses}), so a client could silence the gateway with one request every few seconds.
 *
 * <p>Reply topics are never created here: a client names a topic it reads, so it exists. A bad
 * topic is remembered briefly, so that a stream of requests naming it costs one lookup, not one
 * each; a good one for longer, and then looked up again in case partitions were added.
 */
final class ReplyTopics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplyTopics.class);
    static final Duration REMEMBER_GOOD = Duration.ofSeconds(60);
    static final Duration REMEMBER_BAD = Duration.ofSeconds(10);
    private static final String LOOKUP_TIMEOUT_MS = "5000";

    private final Admin admin;
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();

    private record Lookup(CompletableFuture<Integer> partitions, long startedNanos) {
        boolean stale(long now) {
            if (!partitions.isDone()) {
                return false;
            }
            Duration keep = partitions.isCompletedExceptionally() ? REMEMBER_BAD : REMEMBER_GOOD;
            return now - startedNanos > keep.toNanos();
        }
    }

    ReplyTopics(KafkaSettings kafka, String clientId) {
        var props = kafka.admin(clientId + "-reply-topics");
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, LOOKUP_TIMEOUT_MS);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, LOOKUP_TIMEOUT_MS);
        this.admin = Admin.create(props);
    }

    /**
     * The topic's partition count; completes exceptionally with a reason an operator or client can
     * act on when the topic cannot be answered on.
     */
    CompletableFuture<Integer> partitions(String topic) {
        long now = System.nanoTime();
        Lookup lookup = lookups.compute(topic, (t, known) -> known == null || known.stale(now) ? start(t, now) : known);
        return lookup.partitions();
    }

    /** Forgets what is known of {@code topic}, after a send to it failed. */
    void forget(String topic) {
        lookups.computeIfPresent(topic, (t, known) -> known.partitions().isDone() ? null : known);
    }

    private Lookup start(String topic, long now) {
        CompletableFuture<Integer> partitions = new CompletableFuture<>();
        admin.describeTopics(List.of(topic)).allTopicNames().whenComplete((described, error) -> {
            if (error == null) {
                partitions.complete(described.get(topic).partitions().size());
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String reason = cause instanceof UnknownTopicOrPartitionException
                    ? "reply topic " + topic + " does not exist (the gateway does not create reply topics; create it first)"
                    : "cannot look up reply topic " + topic + ": " + cause.getMessage();
            log.warn("Gateway will dead-letter requests that name {} for the next {} s: {}", topic, REMEMBER_BAD.toSeconds(), reason);
            partitions.completeExceptionally(new BadReplyTopicException(reason));
        });
        return new Lookup(partitions, now);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    /** Why a reply topic cannot be answered on. */
    static final class BadReplyTopicException extends RuntimeException {
        BadReplyTopicException(String reason) {
            super(reason, null, false, false);
        }
    }
}
