package dev.kquorum.cli.bench;

import org.HdrHistogram.Histogram;

/** One scenario's figures: latency percentiles in milliseconds and throughput. */
record Result(String name, double p50Ms, double p99Ms, double p999Ms, double maxMs, double opsPerS, long ops, long failed) {

    static Result of(String name, Histogram h, double seconds, long failed) {
        return new Result(name, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount() / seconds, h.getTotalCount(), failed);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
