package dev.kquorum.coordinator.call;

import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;

/** Mints this coordinator's versions, above every version it has observed. */
public final class Versions {

    private final String writerId;
    private final HybridClock clock;

    public Versions(String writerId, HybridClock clock) {
        this.writerId = writerId;
        this.clock = clock;
    }

    public Version next() {
        return new Version(clock.now(), writerId);
    }

    public void observe(Version version) {
        if (version != null) {
            clock.observe(version.timestamp());
        }
    }

    public String writerId() {
        return writerId;
    }
}
