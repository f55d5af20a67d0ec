package dev.kquorum.common.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSON of an {@link Outcome}, coordinator to client on the response topic: the status, and only
 * the fields that apply to it (no counts when nothing was sent, see {@link Outcome#counted()}); a
 * value goes as text when it is UTF-8, else as base64.
 */
final class OutcomeCodec {

    private OutcomeCodec() {
    }

    static byte[] encode(Outcome response) {
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
            if (response.counted()) {
                g.writeNumberField("acks", response.acks());
                g.writeNumberField("required", response.required());
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

    static Outcome decode(byte[] json) {
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
        return new Outcome(status,
                f.has("op") ? Op.fromWire(f.text("op")) : null,
                f.optionalText("key"),
                f.has("value") ? f.text("value").getBytes(StandardCharsets.UTF_8)
                        : f.has("valueBase64") ? f.base64("valueBase64") : null,
                f.has("version") ? f.version("version") : null,
                f.has("acks") ? (int) f.wholeNumber("acks") : 0,
                f.has("required") ? (int) f.wholeNumber("required") : 0,
                replicas,
                f.optionalText("error"));
    }

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
