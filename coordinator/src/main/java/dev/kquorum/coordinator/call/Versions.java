package dev.kquorum.coordinator.call;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.MaxClockOffset;
import dev.kquorum.common.version.Version;

/**
 * Mints this coordinator's versions, above every version it has observed within the max clock
 * offset. The writer id names one run of one coordinator (its id and a random incarnation), so no
 * two runs mint the same version, whatever their clocks did in between. Time is always given by
 * the caller: the core's one time input.
 */
public final class Versions {

    private final String writerId;
    private final HybridClock clock;
    private long ignored;

    public Versions(String writerId, HybridClock clock) {
        this.writerId = writerId;
        this.clock = clock;
    }

    public Versions(String writerId, MaxClockOffset maxOffset) {
        this(writerId, new HybridClock(maxOffset));
    }

    public Version next(long nowMs) {
        return new Version(clock.now(nowMs), writerId);
    }

    /**
     * Pushes the clock past {@code version} (null: nothing to do), unless it is beyond the max
     * clock offset at {@code nowMs}: then it is counted, not adopted, and false says so. A caller
     * about to mint a version above {@code version} observes it again then, since the clock may
     * have moved close enough since the first look.
     */
    public boolean observe(Version version, long nowMs) {
        if (version == null || clock.observe(version.timestamp(), nowMs)) {
            return true;
        }
        ignored++;
        return false;
    }

    public String describeFuture(Version version, long nowMs) {
        return clock.maxOffset().describe(version, nowMs, "this coordinator's");
    }

    public MaxClockOffset maxOffset() {
        return clock.maxOffset();
    }

    /** How many observed versions were ignored for being beyond the max clock offset. */
    public long ignoredFutureVersions() {
        return ignored;
    }

    /**
     * The first version of a request with an identity: made from the identity and the time the
     * request was issued, so that every execution of the request writes this same version first.
     */
    public static Version forRequest(String requestId, long issuedAtMs) {
        return new Version(HybridClock.pack(issuedAtMs, 0), "req~" + digest(requestId));
    }

    /**
     * The version a linearizable write with an identity writes when its query saw nothing of an
     * earlier execution: its first version if that is above {@code highestSeen}, else the least
     * version above {@code highestSeen} under the request's own writer id. Both depend only on the
     * request and on what the query saw, never on this coordinator's clock, so two executions that
     * saw the same replicas write the same version instead of one above the other's answer.
     *
     * <p>The writer id of the least version starts with {@code !}, which sorts below every legal
     * coordinator id: a write that began after this one's answer observed {@code highestSeen} and
     * so writes at least {@code highestSeen + 1} under a coordinator id, which is above it.
     */
    public static Version forRequestAbove(Version first, Version highestSeen) {
        if (first.isNewerThan(highestSeen)) {
            return first;
        }
        return new Version(highestSeen.timestamp() + 1, "!" + first.writerId());
    }

    public String writerId() {
        return writerId;
    }

    /** 64 bits of SHA-256: distinct identities issued in the same millisecond do not collide in practice. */
    private static String digest(String requestId) {
        // One digest per thread: looking the algorithm up for every request was a tenth of the
        // gateway thread's samples in a profile of puts through the request topic.
        byte[] hash = SHA_256.get().digest(requestId.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(hash, 0, 8);
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });
}
