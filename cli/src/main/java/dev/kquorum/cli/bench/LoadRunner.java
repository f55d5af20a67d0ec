package dev.kquorum.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a {@link Target} and records latency in microseconds with HdrHistogram.
 * Closed loop: a fixed number of operations in flight, each started when one completes.
 * Open loop: operations started on a fixed schedule whether or not earlier ones completed, and
 * each latency measured from when it <em>should</em> have started, which corrects for coordinated
 * omission (a stalled system cannot hide its stall by slowing the load down).
 */
final class LoadRunner {

    private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

    private LoadRunner() {
    }

    static Result closedLoop(String name, Target target, int concurrency, long durationMs, long warmupMs) throws InterruptedException {
        run(target, concurrency, warmupMs, new Recorder(MAX_MICROS, 3), new AtomicLong());
        Recorder recorder = new Recorder(MAX_MICROS, 3);
        AtomicLong failed = new AtomicLong();
        long started = System.nanoTime();
        run(target, concurrency, durationMs, recorder, failed);
        double seconds = (System.nanoTime() - started) / 1e9;
        return Result.of(name, recorder.getIntervalHistogram(), seconds, failed.get());
    }

    private static void run(Target target, int concurrency, long durationMs, Recorder recorder, AtomicLong failed)
            throws InterruptedException {
        Semaphore window = new Semaphore(concurrency);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        AtomicLong next = new AtomicLong();
        while (System.nanoTime() < end) {
            if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long start = System.nanoTime();
            target.call(next.getAndIncrement()).whenComplete((ok, error) -> {
                recorder.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - start) / 1000));
                if (error != null || !Boolean.TRUE.equals(ok)) {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        // Let what is in flight finish before the next phase.
        window.tryAcquire(concurrency, 30, TimeUnit.SECONDS);
    }

    static Result openLoop(String name, Target target, double ratePerS, long durationMs) throws InterruptedException {
        return scheduled(name, target, (long) (ratePerS * durationMs / 1000.0), (long) (1e9 / ratePerS));
    }

    /**
     * {@code count} operations started at once, as a burst of requests from many clients: each
     * latency runs from the burst's start, so the maximum is the time until the last is answered.
     */
    static Result burst(String name, Target target, int count) throws InterruptedException {
        return scheduled(name, target, count, 0);
    }

    /** {@code count} operations started every {@code intervalNanos}, each timed from its intended start. */
    private static Result scheduled(String name, Target target, long count, long intervalNanos) throws InterruptedException {
        Histogram histogram = new Histogram(MAX_MICROS, 3);
        AtomicLong failed = new AtomicLong();
        long begin = System.nanoTime();
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long intended = begin + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            CompletableFuture<Boolean> f = target.call(i);
            all.add(f.whenComplete((ok, error) -> {
                synchronized (histogram) {
                    histogram.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - intended) / 1000));
                }
                if (error != null || !Boolean.TRUE.equals(ok)) {
                    failed.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).completeOnTimeout(null, 60, TimeUnit.SECONDS).join();
        double seconds = (System.nanoTime() - begin) / 1e9;
        synchronized (histogram) {
            return Result.of(name, histogram.copy(), seconds, failed.get());
        }
    }
}
