package dev.kquorum.common.protocol;

import java.util.Arrays;
import java.util.Objects;

import dev.kquorum.common.quorum.Consistency;

/**
 * A request published to {@code kq.requests} by any Kafka client. {@code w}, {@code r},
 * {@code timeoutMs} and {@code mode} are optional (null: the coordinator's defaults).
 *
 * @param requestId  the request's identity (an idempotency key, as HTTP's {@code Idempotency-Key}):
 *                   executing a request with the same identity again never supersedes a write that
 *                   began after its first answer; null for none. The gateway gives every request one:
 *                   the client's, or else the request record's topic, partition and offset
 * @param issuedAtMs when the request was issued (the gateway: its record's timestamp), the same on
 *                   every execution of it; null for now. A write with an identity is first written
 *                   at a version made from it, so that executing it again writes the same version
 * @param retaken    the gateway cannot rule out that this request was taken up before, by another
 *                   gateway or an earlier run (its record predates this gateway's ownership of the
 *                   partition). Only a first execution chooses a new version for a write; one that
 *                   may be retaken only completes what an earlier one wrote, or answers
 *                   QUORUM_NOT_REACHED. Not part of the wire format
 */
public record ExternalRequest(Op op, String key, byte[] value, Consistency w, Consistency r, Long timeoutMs, Mode mode,
                              String requestId, Long issuedAtMs, boolean retaken) {

    /** The longest {@code requestId} accepted, in characters. */
    public static final int MAX_REQUEST_ID_LENGTH = 256;

    public ExternalRequest {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
    }

    public ExternalRequest(Op op, String key, byte[] value, Consistency w, Consistency r, Long timeoutMs, Mode mode) {
        this(op, key, value, w, r, timeoutMs, mode, null, null);
    }

    public ExternalRequest(Op op, String key, byte[] value, Consistency w, Consistency r, Long timeoutMs, Mode mode,
                           String requestId, Long issuedAtMs) {
        this(op, key, value, w, r, timeoutMs, mode, requestId, issuedAtMs, false);
    }

    public static ExternalRequest put(String key, byte[] value) {
        return new ExternalRequest(Op.PUT, key, value, null, null, null, null);
    }

    public static ExternalRequest get(String key) {
        return new ExternalRequest(Op.GET, key, null, null, null, null, null);
    }

    public static ExternalRequest delete(String key) {
        return new ExternalRequest(Op.DELETE, key, null, null, null, null, null);
    }

    /** The same request in another consistency mode. */
    public ExternalRequest withMode(Mode newMode) {
        return new ExternalRequest(op, key, value, w, r, timeoutMs, newMode, requestId, issuedAtMs, retaken);
    }

    /** The same request with this identity and issue time. */
    public ExternalRequest identified(String id, Long issuedAt) {
        return new ExternalRequest(op, key, value, w, r, timeoutMs, mode, id, issuedAt, retaken);
    }

    /** The same request, maybe taken up before (see {@code retaken}). */
    public ExternalRequest retaken(boolean maybe) {
        return new ExternalRequest(op, key, value, w, r, timeoutMs, mode, requestId, issuedAtMs, maybe);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExternalRequest x && op == x.op && key.equals(x.key) && Arrays.equals(value, x.value)
                && Objects.equals(w, x.w) && Objects.equals(r, x.r) && Objects.equals(timeoutMs, x.timeoutMs) && mode == x.mode
                && Objects.equals(requestId, x.requestId) && Objects.equals(issuedAtMs, x.issuedAtMs) && retaken == x.retaken;
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, key, Arrays.hashCode(value), w, r, timeoutMs, mode, requestId, issuedAtMs, retaken);
    }
}
