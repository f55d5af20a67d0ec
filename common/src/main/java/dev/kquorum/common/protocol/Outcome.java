package dev.kquorum.common.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.kquorum.common.version.Version;

/**
 * How an operation ended: exactly one status, and what the caller may want to know about it. The
 * core's answer is what goes on the wire, to a client of the request topic ({@link
 * ProtocolCodec#encode(Outcome)}) as to a caller of the Java API.
 *
 * @param value    the value read (OK of a get), else null
 * @param version  the version written (OK of a put or delete) or read (OK of a get), else null
 * @param acks     how many distinct replicas answered in the deciding round
 * @param required how many were needed
 * @param replicas which replicas answered in the deciding round
 * @param error    what went wrong, for every status but OK and NOT_FOUND
 */
public record Outcome(Status status, Op op, String key, byte[] value, Version version,
                      int acks, int required, List<String> replicas, String error) {

    public Outcome {
        Objects.requireNonNull(status, "status");
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    public static Outcome invalid(Op op, String key, String error) {
        return new Outcome(Status.INVALID, op, key, null, null, 0, 0, List.of(), error);
    }

    public static Outcome overloaded(Op op, String key, int limit) {
        return new Outcome(Status.OVERLOADED, op, key, null, null, 0, 0, List.of(),
                limit + " operations already in flight; nothing was sent, try again later");
    }

    /**
     * A request taken up after its own timeout had passed: not executed now. It may have been
     * executed before (this is a redelivery after a crash), so, as for a timeout, its outcome is
     * unknown: QUORUM_NOT_REACHED, never OVERLOADED's "nothing was done".
     */
    public static Outcome late(Op op, String key, long ageMs, long timeoutMs) {
        return new Outcome(Status.QUORUM_NOT_REACHED, op, key, null, null, 0, 0, List.of(),
                "not executed: issued " + ageMs + " ms ago, past its timeout of " + timeoutMs
                        + " ms (the gateway was behind, took the request over after a crash, or the client retried too late); an earlier execution, if any,"
                        + " may still become visible");
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /**
     * Whether replicas were asked, so that the counts mean something: not for INVALID (refused
     * before anything was sent) or OVERLOADED (nothing was sent). The wire leaves them out then.
     */
    public boolean counted() {
        return status != Status.INVALID && status != Status.OVERLOADED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome x && status == x.status && op == x.op && Objects.equals(key, x.key)
                && Arrays.equals(value, x.value) && Objects.equals(version, x.version) && acks == x.acks
                && required == x.required && replicas.equals(x.replicas) && Objects.equals(error, x.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, op, key, Arrays.hashCode(value), version, acks, required, replicas, error);
    }

    @Override
    public String toString() {
        return status + " " + op + " " + key + (version != null ? " @" + version : "")
                + " (" + acks + "/" + required + " " + replicas + ")" + (error != null ? ": " + error : "");
    }
}
