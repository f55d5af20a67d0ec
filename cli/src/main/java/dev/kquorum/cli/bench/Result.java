package dev.kquorum.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * One scenario's figures: latency percentiles in milliseconds and throughput, and the latency
 * histogram (microseconds) they come from, for the percentile plot.
 */
record Result(String name, double p50Ms, double p99Ms, double p999Ms, double maxMs, double opsPerS, long ops, long failed,
              Histogram histogram) {

    static Result of(String name, Histogram h, double seconds, long failed) {
        return new Result(name, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount() / seconds, h.getTotalCount(), failed, h);
    }

    /** The figures of this and {@code other}, measured one after the other, as one scenario. */
    Result plus(Result other) {
        Histogram both = histogram.copy();
        both.add(other.histogram);
        return of(name, both, ops / opsPerS + other.ops / other.opsPerS, failed + other.failed);
    }

    /** The same figures under another name. */
    Result named(String newName) {
        return new Result(newName, p50Ms, p99Ms, p999Ms, maxMs, opsPerS, ops, failed, histogram);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
