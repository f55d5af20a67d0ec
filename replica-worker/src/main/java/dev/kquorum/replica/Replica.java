package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.Objects;

import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * One replica's rules, with no I/O: a delivered request, the current state and the time in; the
 * state changed, the reply and any dead letter out. Every per-record rule lives here, so the
 * simulation runs the real ones:
 * <ul>
 *   <li>keep the higher version: applying a request twice is applying it once, and the order of
 *   concurrent writes does not matter;</li>
 *   <li>versions are unique: the same version with another value is refused, never acked;</li>
 *   <li>a version beyond the time Kafka appended its request plus the max clock offset is refused;</li>
 *   <li>a write with an identity is remembered (per key, for the dedup window): another execution
 *   of the same request writes nothing and is told the version it was first written at;</li>
 *   <li>bad input is refused with the reason, and set aside as a dead letter;</li>
 *   <li>a stale read is skipped only while catching up (never on the word of another host's clock
 *   alone, so skew cannot silence a replica), unless it claims a request: a claim is state.</li>
 * </ul>
 */
public final class Replica {

    /** What became of one delivered record. */
    public enum Kind { WRITE, READ, STALE, REFUSED, UNREADABLE }

    /**
     * @param reply      what to answer if the record names a reply address, or null for nothing
     * @param deadLetter why the record is set aside as a dead letter, or null
     */
    public record Decision(Kind kind, ReplicaReply reply, String deadLetter) {
    }

    /**
     * How a record arrived.
     *
     * @param deadlineMs the sender's deadline, by the sender's clock (null: none)
     * @param nowMs      this replica's clock, against the deadline
     * @param catchingUp whether this replica is behind its topic (more records wait after this batch)
     * @param appendedMs when Kafka appended the request to the replica's topic (its LogAppendTime):
     *                   the time a version is judged by. It is the same each time the request is
     *                   applied, so a request applied again (its transaction aborted by a crash,
     *                   after its reply went out) is decided as it was the first time, even on a
     *                   clock stepped back across the restart
     */
    public record Delivery(Long deadlineMs, long nowMs, boolean catchingUp, long appendedMs) {

        /** A request judged by this replica's clock, where no append time is known (tests, the simulation). */
        public Delivery(Long deadlineMs, long nowMs, boolean catchingUp) {
            this(deadlineMs, nowMs, catchingUp, nowMs);
        }
    }

    /** Store keys of identity records start with NUL, which no data key may contain. */
    private static final char RESERVED = '\0';

    private final String id;
    private final ReplicaRules rules;

    public Replica(String id) {
        this(id, ReplicaRules.DEFAULT);
    }

    public Replica(String id, ReplicaRules rules) {
        this.id = Objects.requireNonNull(id, "id");
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    public String id() {
        return id;
    }

    /** A record's body as it came off the topic. */
    public Decision receive(byte[] body, Delivery delivery, VersionedState state) {
        ReplicaRequest request;
        try {
            request = ProtocolCodec.decodeReplicaRequest(body);
        } catch (ProtocolException e) {
            return unreadable(e.getMessage());
        }
        return receive(request, delivery, state);
    }

    public Decision receive(ReplicaRequest request, Delivery delivery, VersionedState state) {
        try {
            rules.limits().check(request.key(), request instanceof ReplicaRequest.Write w ? w.versioned().value() : null);
        } catch (ProtocolException e) {
            return unreadable(e.getMessage());
        }
        boolean write = request instanceof ReplicaRequest.Write;
        boolean claims = request instanceof ReplicaRequest.Read read && read.attempt() != null;
        boolean stale = delivery.catchingUp() && delivery.deadlineMs() != null && delivery.nowMs() > delivery.deadlineMs();
        if (stale && !write && !claims) {
            // Nobody waits for it; skipping lets a replica that is catching up get current fast. A
            // claim is applied whatever its age: a replica replaying its topic (a wiped disk) must
            // record the claims it answered before, in the same order, or it could answer a later
            // execution that the request is its own.
            return new Decision(Kind.STALE, null, null);
        }
        ReplicaReply reply = apply(request, state, delivery.appendedMs(), delivery.nowMs());
        Kind kind = reply instanceof ReplicaReply.Invalid ? Kind.REFUSED : write ? Kind.WRITE : Kind.READ;
        return new Decision(kind, stale ? null : reply, null);
    }

    private Decision unreadable(String reason) {
        return new Decision(Kind.UNREADABLE, new ReplicaReply.Invalid(id, reason), reason);
    }

    /** The rule for one request against the state, at this replica's time {@code nowMs}. */
    public ReplicaReply apply(ReplicaRequest request, VersionedState state, long nowMs) {
        return apply(request, state, nowMs, nowMs);
    }

    /**
     * @param appendedMs the time a version is judged by ({@link Delivery#appendedMs}): the same on a replay
     * @param nowMs      this replica's clock, which dates a claim for the purge (the purge runs by it too)
     */
    private ReplicaReply apply(ReplicaRequest request, VersionedState state, long appendedMs, long nowMs) {
        if (request instanceof ReplicaRequest.Write write) {
            return write(write, state, appendedMs);
        }
        ReplicaRequest.Read read = (ReplicaRequest.Read) request;
        Identity seen = read.requestId() == null ? null : Identity.read(state, read.key(), read.requestId());
        boolean claimed = false;
        if (read.attempt() != null) {
            // First come, first recorded, and never changed: so at most one execution of a request
            // is recorded first by a majority, and only that one chooses a version.
            if (seen == null) {
                seen = Identity.claim(read.attempt(), nowMs);
                seen.write(state, read.key(), read.requestId());
            }
            claimed = seen.attempt().equals(read.attempt());
        }
        return new ReplicaReply.Value(id, read.key(), state.get(read.key()), seen == null ? null : seen.duplicate(), claimed);
    }

    /**
     * Stores the write unless a version at least as high is held, and acks with the version now
     * held: the request's, or a higher one that tells the coordinator it was out-versioned.
     */
    private ReplicaReply write(ReplicaRequest.Write write, VersionedState state, long nowMs) {
        Version incoming = write.versioned().version();
        if (rules.maxClockOffset().exceededBy(incoming, nowMs)) {
            return new ReplicaReply.Invalid(id, rules.maxClockOffset().describe(incoming, nowMs, "the appending broker's"));
        }
        Versioned held = state.get(write.key());
        ReplicaRequest.Origin origin = write.origin();
        Identity seen = origin == null ? null : Identity.read(state, write.key(), origin.requestId());
        if (seen != null && seen.claimOnly() && !origin.reissue()) {
            // Only a quorum-mode execution writes a first version, and only a linearizable one claims.
            return new ReplicaReply.Invalid(id, "request " + origin.requestId() + " was claimed here by a linearizable"
                    + " execution; an execution of it in quorum mode is refused (one requestId, one request)");
        }
        if (seen != null && !origin.reissue() && !seen.attempt().equals(origin.attempt())) {
            // Another execution of this request wrote it already: write nothing above what followed.
            return new ReplicaReply.Ack(id, write.key(), Version.max(held == null ? null : held.version(), seen.written()),
                    seen.duplicate());
        }
        if (held != null && held.version().equals(incoming) && !Arrays.equals(held.value(), write.versioned().value())) {
            return new ReplicaReply.Invalid(id, "version " + incoming + " is already held here with another value;"
                    + " versions must be unique, so a writer reused one");
        }
        if (origin != null) {
            boolean fresh = held == null || !held.version().isNewerThan(incoming);
            Identity now = seen == null
                    ? new Identity(origin.attempt(), incoming, origin.reissue(), !origin.reissue() && fresh, false)
                    : seen.written(incoming, origin.reissue());
            now.write(state, write.key(), origin.requestId());
        }
        if (held == null || incoming.isNewerThan(held.version())) {
            state.put(write.key(), write.versioned());
            return new ReplicaReply.Ack(id, write.key(), incoming);
        }
        return new ReplicaReply.Ack(id, write.key(), held.version());
    }

    /**
     * What this replica remembers of a request with an identity, per key: which execution
     * (attempt) wrote or claimed it first, the highest version it was written at, whether that
     * version was a re-issue, and whether its first version was the newest here when it arrived.
     * Stored as an entry of its own, under a key no data key can take, and purged after the dedup
     * window. A claim (a linearizable write's query) has written nothing yet: its version is only
     * the time of the claim, which dates it for the purge.
     */
    private record Identity(String attempt, Version written, boolean reissued, boolean firstFresh, boolean claimOnly) {

        private static final String CLAIM_WRITER = "claim";

        static Identity claim(String attempt, long nowMs) {
            return new Identity(attempt, new Version(HybridClock.pack(nowMs, 0), CLAIM_WRITER), false, false, true);
        }

        static Identity read(VersionedState state, String key, String requestId) {
            Versioned stored = state.get(storeKey(key, requestId));
            if (stored == null) {
                return null;
            }
            String[] parts = new String(stored.value(), UTF_8).split("\n", -1);
            return new Identity(parts[0], stored.version(), parts[1].equals("1"), parts[2].equals("1"),
                    parts.length > 3 && parts[3].equals("claim"));
        }

        void write(VersionedState state, String key, String requestId) {
            String flags = attempt + "\n" + (reissued ? "1" : "0") + "\n" + (firstFresh ? "1" : "0") + (claimOnly ? "\nclaim" : "");
            state.put(storeKey(key, requestId), new Versioned(written, flags.getBytes(UTF_8)));
        }

        /**
         * Written again at {@code version}: the highest version stays, and says whether it was a
         * re-issue. A claim takes the first version written, whatever the time of the claim.
         */
        Identity written(Version version, boolean reissue) {
            return claimOnly || version.isNewerThan(written) ? new Identity(attempt, version, reissue, firstFresh, false) : this;
        }

        /** What another execution is told: null for a claim, under which nothing was written. */
        ReplicaReply.Duplicate duplicate() {
            return claimOnly ? null : new ReplicaReply.Duplicate(written, reissued, firstFresh);
        }

        static String storeKey(String key, String requestId) {
            return RESERVED + requestId + RESERVED + key;
        }
    }

    /**
     * Whether a stored entry can go: a tombstone older than the grace period (by then every replica
     * has had time to learn of the delete; a write older than it arriving after the purge would
     * bring the key back, which is why the grace period is long), or an identity record older than
     * the dedup window.
     */
    public boolean purgeable(String storeKey, Versioned held, long nowMs) {
        if (held == null) {
            return false;
        }
        long age = nowMs - held.version().physicalMillis();
        if (!storeKey.isEmpty() && storeKey.charAt(0) == RESERVED) {
            return age > rules.dedupWindow().toMillis();
        }
        return held.isTombstone() && age > rules.tombstoneGrace().toMillis();
    }

    /** True for store keys that hold data, not this replica's own records of request identities. */
    public static boolean isDataKey(String storeKey) {
        return storeKey.isEmpty() || storeKey.charAt(0) != RESERVED;
    }
}
