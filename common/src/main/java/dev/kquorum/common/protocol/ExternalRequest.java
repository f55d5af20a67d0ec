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
 * @param issuedAtMs when the request was issued (the gateway: its record's timestamp; a client's
 *                   retry: its first attempt's), the same on every execution of it; null for now. A
 *                   write with an identity is first written at a version made from it, so that
 *                   executing it again writes the same version
 * @param retaken    this request may have been taken up before: a client's retry (on the wire,
 *                   {@code firstIssuedAtMs} with the {@code requestId} of the first attempt), or a
 *                   record the gateway cannot rule out was taken up by another gateway or an earlier
 *                   run (it predates this gateway's ownership of the partition). Only a first
 *                   execution chooses a new version for a write; one that may be retaken only
 *                   completes what an earlier one wrote, or answers QUORUM_NOT_REACHED
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

    /**
     * This request sent again by its client, which did not get the first attempt's answer: the
     * same {@code requestId}, dated by the first attempt ({@code firstIssuedAtMs}, the timestamp
     * Kafka gave its record), so that it writes only what the first attempt wrote.
     */
    public ExternalRequest retryOf(long firstIssuedAtMs) {
        if (requestId == null) {
            throw new IllegalStateException("only a request with a requestId can be retried as the same request");
        }
        return identified(requestId, firstIssuedAtMs).retaken(true);
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
