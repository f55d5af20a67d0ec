package dev.kquorum.cli.verify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.KafkaUnavailableException;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.cli.client.GatewayClient;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LostWriteChecker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of {@code kquorum verify}: each one a sequential loop of puts and gets on random
 * keys through the request topic, as any external client would send them (plain requests, no
 * request id), recording a history. Every write has a unique value ({@code <client>-<n>}), so a
 * read maps back to its write. Times come from one monotonic clock, in nanoseconds from the
 * start. A write answered QUORUM_NOT_REACHED, or not at all, is of unknown outcome; such a read
 * tells nothing and is left out; an OVERLOADED or INVALID answer means nothing was done.
 */
public final class Workload {

    private static final Logger log = LoggerFactory.getLogger(Workload.class);

    /** What the run does: keys are {@code <keyPrefix><n>} for n in 0..keys-1. */
    public record Plan(int clients, int keys, String keyPrefix, Mode mode, Duration opTimeout) {
    }

    private final KafkaSettings kafka;
    private final TopicNames topics;
    private final Plan plan;
    private final long origin = System.nanoTime();
    private final AtomicInteger ids = new AtomicInteger();
    private final List<HistoryOp> history = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean stopping;

    final AtomicInteger writesAcked = new AtomicInteger();
    final AtomicInteger writesUnknown = new AtomicInteger();
    final AtomicInteger readsAnswered = new AtomicInteger();
    final AtomicInteger readsDropped = new AtomicInteger();
    final AtomicInteger overloaded = new AtomicInteger();
    final AtomicInteger requestsNotTaken = new AtomicInteger();
    final AtomicInteger invalid = new AtomicInteger();
    final AtomicReference<String> firstInvalid = new AtomicReference<>();

    public Workload(KafkaSettings kafka, TopicNames topics, Plan plan) {
        this.kafka = kafka;
        this.topics = topics;
        this.plan = plan;
    }

    public String key(int n) {
        return plan.keyPrefix() + n;
    }

    /** Starts the clients; each opens its own connection to Kafka. */
    public void start() {
        for (int c = 1; c <= plan.clients(); c++) {
            String name = "c" + c;
            Thread t = new Thread(() -> {
                try (GatewayClient client = new GatewayClient(kafka, topics)) {
                    loop(client, name);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "kq-verify-" + name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Writes acknowledged so far: how a caller sees the load make progress. */
    public int writesAcknowledged() {
        return writesAcked.get();
    }

    /** Operations that ended without an answer: writes of unknown outcome, and reads. */
    public int operationsUnanswered() {
        return writesUnknown.get() + readsDropped.get();
    }

    /** Nanoseconds since this workload was created: the time base of {@link #history()}. */
    public long elapsedNanos() {
        return now();
    }

    /** A client that failed (not an answer: an exception, such as Kafka going away), if any. */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Stops the clients once their operation in hand is answered or has timed out. */
    public void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join();
        }
    }

    private void loop(GatewayClient client, String name) {
        Random random = new Random();
        int n = 0;
        while (!stopping) {
            String key = key(random.nextInt(plan.keys()));
            if (random.nextBoolean()) {
                String value = name + "-" + n++;
                write(client, name, key, value);
            } else {
                read(client, name, key, null);
            }
        }
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    /**
     * Sends the request and waits for its answer; empty when none came, or when Kafka did not take
     * the request in time (brokers down, too few in-sync replicas). Such a request may still be
     * appended, by the producer's retries, and executed: a write is then of unknown outcome, never
     * forgotten, and the client goes on with the next operation rather than ending the run.
     */
    private Optional<Outcome> call(GatewayClient client, ExternalRequest request) {
        try {
            return client.call(request, plan.opTimeout().plusSeconds(5));
        } catch (KafkaUnavailableException e) {
            if (e.reason() != KafkaUnavailableException.Reason.UNREACHABLE) {
                // Refused or failed: retrying will not help, and the run cannot go on.
                throw e;
            }
            requestsNotTaken.incrementAndGet();
            log.debug("Kafka did not take a request in time: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private void write(GatewayClient client, String name, String key, String value) {
        int id = ids.getAndIncrement();
        long invoked = now();
        Optional<Outcome> answer = call(client, new ExternalRequest(Op.PUT, key, value.getBytes(StandardCharsets.UTF_8),
                null, null, plan.opTimeout().toMillis(), mode()));
        long completed = now();
        Status status = answer.map(Outcome::status).orElse(Status.QUORUM_NOT_REACHED);
        switch (status) {
            case OK -> {
                writesAcked.incrementAndGet();
                history.add(new HistoryOp(id, name, key, true, value, answer.get().version(), invoked, completed));
            }
            case QUORUM_NOT_REACHED -> {
                writesUnknown.incrementAndGet();
                history.add(new HistoryOp(id, name, key, true, value, null, invoked, HistoryOp.UNKNOWN));
            }
            default -> nothingDone(status, answer);
        }
    }

    /** Reads a key; with {@code r} set (the final reads), answers other than OK and NOT_FOUND return false. */
    private boolean read(GatewayClient client, String name, String key, Consistency r) {
        int id = ids.getAndIncrement();
        long invoked = now();
        Optional<Outcome> answer = call(client, new ExternalRequest(Op.GET, key, null, null, r,
                plan.opTimeout().toMillis(), mode()));
        long completed = now();
        Status status = answer.map(Outcome::status).orElse(Status.QUORUM_NOT_REACHED);
        switch (status) {
            case OK, NOT_FOUND -> {
                Outcome a = answer.get();
                String seen = status == Status.OK ? new String(a.value(), StandardCharsets.UTF_8) : null;
                history.add(new HistoryOp(id, name, key, false, seen, status == Status.OK ? a.version() : null, invoked, completed));
                if (r == null) {
                    readsAnswered.incrementAndGet();
                }
                return true;
            }
            case QUORUM_NOT_REACHED -> {
                if (r == null) {
                    readsDropped.incrementAndGet();
                }
                return false;
            }
            default -> {
                nothingDone(status, answer);
                return false;
            }
        }
    }

    private void nothingDone(Status status, Optional<Outcome> answer) {
        if (status == Status.OVERLOADED) {
            overloaded.incrementAndGet();
        } else {
            invalid.incrementAndGet();
            firstInvalid.compareAndSet(null, answer.map(Outcome::error).orElse(status.name()));
        }
    }

    private Mode mode() {
        return plan.mode() == Mode.LINEARIZABLE ? Mode.LINEARIZABLE : null;
    }

    /**
     * Reads every key once more with R = ALL, as client {@link LostWriteChecker#FINAL_READER},
     * retrying each until it is answered or {@code within} has passed.
     *
     * @return the keys that could not be read
     */
    public List<String> finalReads(Duration within) {
        return finalReads(within, Consistency.ALL);
    }

    /** The same, reading {@code r} replicas (any read quorum sees every acknowledged write). */
    public List<String> finalReads(Duration within, Consistency all) {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> unread = new ArrayList<>();
        try (GatewayClient client = new GatewayClient(kafka, topics)) {
            for (int k = 0; k < plan.keys(); k++) {
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    done = read(client, LostWriteChecker.FINAL_READER, key(k), all);
                }
                if (!done) {
                    unread.add(key(k));
                }
            }
        }
        return unread;
    }

    /** The history so far, in the order operations were recorded. */
    public List<HistoryOp> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }
}
