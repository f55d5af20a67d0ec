package dev.kquorum.common.protocol;

import java.util.Arrays;
import java.util.Objects;

import dev.kquorum.common.quorum.Consistency;

/**
 * A request published to {@code kq.requests} by any Kafka client. {@code w}, {@code r},
 * {@code timeoutMs} and {@code mode} are optional (null: the coordinator's defaults).
 */
public record ExternalRequest(Op op, String key, byte[] value, Consistency w, Consistency r, Long timeoutMs, Mode mode) {

    public ExternalRequest {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
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
        return new ExternalRequest(op, key, value, w, r, timeoutMs, newMode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExternalRequest x && op == x.op && key.equals(x.key) && Arrays.equals(value, x.value)
                && Objects.equals(w, x.w) && Objects.equals(r, x.r) && Objects.equals(timeoutMs, x.timeoutMs) && mode == x.mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, key, Arrays.hashCode(value), w, r, timeoutMs, mode);
    }
}
