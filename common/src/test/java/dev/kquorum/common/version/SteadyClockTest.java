package dev.kquorum.common.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SteadyClockTest {

    @Test
    void startsAtTheWallClockAndMovesOnlyWithTheMonotonicOne() {
        AtomicLong nanos = new AtomicLong(42);
        SteadyClock clock = new SteadyClock(1_000_000, nanos::get);
        assertThat(clock.millis()).isEqualTo(1_000_000);
        nanos.addAndGet(2_500_000_000L);
        assertThat(clock.millis()).as("2.5 s of monotonic time later").isEqualTo(1_002_500);
    }

    @Test
    void theRealOneStartsNearTheWallClock() {
        long before = System.currentTimeMillis();
        long read = new SteadyClock().millis();
        assertThat(read).isBetween(before - 1_000, System.currentTimeMillis() + 1_000);
    }
}
