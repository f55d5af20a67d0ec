package dev.kquorum.coordinator.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.kquorum.common.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Latency by operation and outcome, read repairs, calls in flight, stray replies, far-future versions ignored. */
final class CoordinatorMetrics {

    private final MeterRegistry registry;
    private final Counter repairs;
    private final Counter strayReplies;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    CoordinatorMetrics(MeterRegistry registry, Supplier<Number> inFlight, Supplier<Number> ignoredFutureVersions) {
        this.registry = registry;
        this.repairs = Counter.builder("kquorum.coordinator.read.repairs")
                .description("Repair writes sent to replicas behind the newest version").register(registry);
        this.strayReplies = Counter.builder("kquorum.coordinator.replies.stray")
                .description("Replies on this coordinator's partition that belong to another coordinator or none")
                .register(registry);
        Gauge.builder("kquorum.coordinator.inflight", inFlight).description("Operations in flight").register(registry);
        Gauge.builder("kquorum.coordinator.future.versions.ignored", ignoredFutureVersions)
                .description("Versions seen on replicas beyond the max clock offset, which the clock refused to follow")
                .register(registry);
    }

    void completed(Outcome outcome, long startedNanos) {
        String op = outcome.op() == null ? "unknown" : outcome.op().wireName();
        // Looked up once per (op, status): building and registering a timer on every operation showed in the profile.
        timers.computeIfAbsent(op + "/" + outcome.status(), k -> Timer.builder("kquorum.coordinator.operation")
                        .description("Operation latency, by operation and outcome")
                        .tag("op", op)
                        .tag("status", outcome.status().name())
                        .publishPercentileHistogram()
                        .register(registry))
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    void repairsSent(int n) {
        repairs.increment(n);
    }

    void strayReply() {
        strayReplies.increment();
    }
}
