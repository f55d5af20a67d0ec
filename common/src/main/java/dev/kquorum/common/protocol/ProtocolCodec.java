package dev.kquorum.common.protocol;

/**
 * The one JSON codec for every kquorum message. Each body carries {@code "v"}, the schema version;
 * decoding rejects what it cannot use with a {@link ProtocolException} that names the field.
 * Values are bytes, base64 in JSON; an external request may give a plain UTF-8 {@code "value"}.
 *
 * <p>The entry point for callers; each message family has its own codec in this package
 * ({@code ReplicaRequestCodec}, {@code ReplicaReplyCodec}, {@code ExternalRequestCodec},
 * {@code OutcomeCodec}), on the framing of {@code JsonMessages} and {@code JsonFields}.
 */
public final class ProtocolCodec {

    public static final int SCHEMA_VERSION = JsonMessages.SCHEMA_VERSION;

    private ProtocolCodec() {
    }

    // ---- coordinator -> replica

    public static byte[] encode(ReplicaRequest request) {
        return ReplicaRequestCodec.encode(request);
    }

    public static ReplicaRequest decodeReplicaRequest(byte[] json) {
        return ReplicaRequestCodec.decode(json);
    }

    // ---- replica -> coordinator

    public static byte[] encode(ReplicaReply reply) {
        return ReplicaReplyCodec.encode(reply);
    }

    public static ReplicaReply decodeReplicaReply(byte[] json) {
        return ReplicaReplyCodec.decode(json);
    }

    // ---- external client -> coordinator

    public static byte[] encode(ExternalRequest request) {
        return ExternalRequestCodec.encode(request);
    }

    /**
     * Parses and checks an external request: the operation, a non-empty key, a value for a put
     * and none otherwise, quorum levels that parse, a positive timeout. Whether W and R fit the
     * replica group is for the coordinator, which knows N.
     */
    public static ExternalRequest decodeExternalRequest(byte[] json) {
        return ExternalRequestCodec.decode(json);
    }

    // ---- coordinator -> external client

    public static byte[] encode(Outcome response) {
        return OutcomeCodec.encode(response);
    }

    public static Outcome decodeOutcome(byte[] json) {
        return OutcomeCodec.decode(json);
    }

    /** @throws ProtocolException when the identity is too long or holds a NUL (the replicas' separator) */
    public static void checkRequestId(String id) {
        JsonFields.checkRequestId(id);
    }
}
