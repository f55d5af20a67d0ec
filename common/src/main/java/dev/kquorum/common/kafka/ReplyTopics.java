package dev.kquorum.common.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * Used by the gateway (answers to clients) and by replicas (replies to coordinators): whoever
 * sends a request names where it is answered.
 *
 * <p>Reply topics are never created here: a client names a topic it reads, so it exists. A bad
 * topic is remembered briefly, so that a stream of requests naming it costs one lookup, not one
 * each; a good one for longer, and then looked up again in case partitions were added.
 */
public final class ReplyTopics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplyTopics.class);
    public static final Duration REMEMBER_GOOD = Duration.ofSeconds(60);
    public static final Duration REMEMBER_BAD = Duration.ofSeconds(10);
    private static final String LOOKUP_TIMEOUT_MS = "5000";

    private final Admin admin;
    /** Who answers, for the log: "Gateway", "Replica r1". */
    private final String answerer;
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

    /** @param answerer who answers on these topics, as the log names it ("Gateway", "Replica r1") */
    public ReplyTopics(KafkaSettings kafka, String clientId, String answerer) {
        this.answerer = answerer;
        var props = kafka.admin(clientId + "-reply-topics");
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, LOOKUP_TIMEOUT_MS);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, LOOKUP_TIMEOUT_MS);
        this.admin = Admin.create(props);
    }

    /**
     * The topic's partition count; completes exceptionally with a reason an operator or client can
     * act on when the topic cannot be answered on.
     */
    public CompletableFuture<Integer> partitions(String topic) {
        long now = System.nanoTime();
        Lookup lookup = lookups.compute(topic, (t, known) -> known == null || known.stale(now) ? start(t, now) : known);
        return lookup.partitions();
    }

    /**
     * The topic's partition count, waiting at most {@code timeout} for a lookup under way: for a
     * thread that must answer in order (a replica's stream thread), which pays one bounded wait per
     * topic per {@link #REMEMBER_GOOD}, not one per record.
     *
     * @throws BadReplyTopicException naming why the topic cannot be answered on, or that the lookup timed out
     */
    public int partitionsWithin(String topic, Duration timeout) {
        try {
            return partitions(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BadReplyTopicException bad ? bad : new BadReplyTopicException(e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new BadReplyTopicException("no answer from Kafka within " + timeout.toMillis() + " ms about reply topic " + topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadReplyTopicException("interrupted while looking up reply topic " + topic);
        }
    }

    /** Forgets what is known of {@code topic}, after a send to it failed. */
    public void forget(String topic) {
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
                    ? "reply topic " + topic + " does not exist (reply topics are never created by whoever answers; create it first)"
                    : "cannot look up reply topic " + topic + ": " + cause.getMessage();
            log.warn("{} cannot answer requests that name {} for the next {} s: {}", answerer, topic, REMEMBER_BAD.toSeconds(), reason);
            partitions.completeExceptionally(new BadReplyTopicException(reason));
        });
        return new Lookup(partitions, now);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    /** Why a reply topic cannot be answered on. */
    public static final class BadReplyTopicException extends RuntimeException {
        public BadReplyTopicException(String reason) {
            super(reason, null, false, false);
        }
    }
}
