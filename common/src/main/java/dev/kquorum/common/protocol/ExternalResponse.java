package dev.kquorum.common.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.kquorum.common.version.Version;

/**
 * The outcome of an external request, published to the reply topic the request named. Fields that
 * do not apply are null and left out of the JSON.
 *
 * @param acks     how many distinct replicas answered (acked a write, or replied to a read)
 * @param required how many were needed
 * @param replicas which replicas answered
 */
public record ExternalResponse(Status status, Op op, String key, byte[] value, Version version,
                               Integer acks, Integer required, List<String> replicas, String error) {

    public ExternalResponse {
        Objects.requireNonNull(status, "status");
        replicas = replicas == null ? null : List.copyOf(replicas);
    }

    public static ExternalResponse invalid(Op op, String key, String error) {
        return new ExternalResponse(Status.INVALID, op, key, null, null, null, null, null, error);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExternalResponse x && status == x.status && op == x.op && Objects.equals(key, x.key)
                && Arrays.equals(value, x.value) && Objects.equals(version, x.version) && Objects.equals(acks, x.acks)
                && Objects.equals(required, x.required) && Objects.equals(replicas, x.replicas) && Objects.equals(error, x.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, op, key, Arrays.hashCode(value), version, acks, required, replicas, error);
    }
}
