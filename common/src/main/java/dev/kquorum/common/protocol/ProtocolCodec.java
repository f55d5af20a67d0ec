package dev.kquorum.common.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.quorum.InvalidQuorumException;

/**
 * The one JSON codec for every kquorum message. Each body carries {@code "v"}, the schema version;
 * decoding rejects what it cannot use with a {@link ProtocolException} that names the field.
 * Values are bytes, base64 in JSON; an external request may give a plain UTF-8 {@code "value"}.
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

    public static byte[] encode(ExternalResponse response) {
        return JsonMessages.write(g -> {
            g.writeStringField("status", response.status().name());
            if (response.op() != null) {
                g.writeStringField("op", response.op().wireName());
            }
            if (response.key() != null) {
                g.writeStringField("key", response.key());
            }
            if (response.value() != null) {
                // Once, not twice: both forms made an answer 2.3 times the value, too big to send
                // for values far below the limit. Text stays readable; other bytes go as base64.
                String text = utf8OrNull(response.value());
                if (text != null) {
                    g.writeStringField("value", text);
                } else {
                    g.writeBinaryField("valueBase64", response.value());
                }
            }
            if (response.version() != null) {
                g.writeStringField("version", response.version().toString());
            }
            if (response.acks() != null) {
                g.writeNumberField("acks", response.acks());
            }
            if (response.required() != null) {
                g.writeNumberField("required", response.required());
            }
            if (response.replicas() != null) {
                g.writeArrayFieldStart("replicas");
                for (String replica : response.replicas()) {
                    g.writeString(replica);
                }
                g.writeEndArray();
            }
            if (response.error() != null) {
                g.writeStringField("error", response.error());
            }
        });
    }

    public static ExternalResponse decodeExternalResponse(byte[] json) {
        JsonFields f = JsonMessages.read(json, false);
        Status status;
        try {
            status = Status.valueOf(f.text("status"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("field 'status': unknown status '" + f.text("status") + "'");
        }
        List<String> replicas = null;
        if (f.has("replicas")) {
            JsonNode array = f.node("replicas");
            if (!array.isArray()) {
                throw JsonFields.wrongType("replicas", "an array of replica ids", array);
            }
            replicas = new ArrayList<>();
            for (JsonNode id : array) {
                replicas.add(id.asText());
            }
        }
        return new ExternalResponse(status,
                f.has("op") ? Op.fromWire(f.text("op")) : null,
                f.optionalText("key"),
                f.has("value") ? f.text("value").getBytes(StandardCharsets.UTF_8)
                        : f.has("valueBase64") ? f.base64("valueBase64") : null,
                f.has("version") ? f.version("version") : null,
                f.has("acks") ? (int) f.wholeNumber("acks") : null,
                f.has("required") ? (int) f.wholeNumber("required") : null,
                replicas,
                f.optionalText("error"));
    }

    /** @throws ProtocolException when the identity is too long or holds a NUL (the replicas' separator) */
    public static void checkRequestId(String id) {
        JsonFields.checkRequestId(id);
    }

    // ---- pieces of one family

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
