package dev.kquorum.common.version;

import java.util.function.LongSupplier;

/**
 * Wall-clock milliseconds that never step: the wall clock is read once, at start, and from then
 * on the time moves with the monotonic clock. A coordinator drives its core with it, so a wall
 * clock stepped back (or forward) by NTP or an operator neither stretches nor cuts the timeouts of
 * the calls in flight, and its versions still follow physical time closely (the monotonic clock
 * is slewed with the wall clock, only its steps are left out).
 */
public final class SteadyClock {

    private final LongSupplier nanos;
    private final long wallAtStart;
    private final long nanosAtStart;

    public SteadyClock() {
        this(System::currentTimeMillis);
    }

    /** Starts at {@code wall}'s reading now, and never reads it again. */
    public SteadyClock(LongSupplier wall) {
        this(wall.getAsLong(), System::nanoTime);
    }

    SteadyClock(long wallAtStart, LongSupplier nanos) {
        this.nanos = nanos;
        this.wallAtStart = wallAtStart;
        this.nanosAtStart = nanos.getAsLong();
    }

    public long millis() {
        return wallAtStart + (nanos.getAsLong() - nanosAtStart) / 1_000_000;
    }
}
