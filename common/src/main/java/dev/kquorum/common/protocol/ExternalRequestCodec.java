package dev.kquorum.common.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.quorum.InvalidQuorumException;

/**
 * JSON of an {@link ExternalRequest}, client to coordinator on the request topic. People write
 * these by hand, so decoding is lenient where it can be ({@code "v"} optional, a plain UTF-8
 * {@code "value"}, quorum levels as names or numbers) and strict elsewhere (no unknown field).
 */
final class ExternalRequestCodec {

    private static final Set<String> FIELDS =
            Set.of("v", "op", "key", "value", "valueBase64", "w", "r", "timeoutMs", "mode", "requestId", "firstIssuedAtMs");

    private ExternalRequestCodec() {
    }

    static byte[] encode(ExternalRequest request) {
        return JsonMessages.write(g -> {
            g.writeStringField("op", request.op().wireName());
            g.writeStringField("key", request.key());
            if (request.value() != null) {
                g.writeBinaryField("valueBase64", request.value());
            }
            if (request.w() != null) {
                g.writeStringField("w", request.w().toString());
            }
            if (request.r() != null) {
                g.writeStringField("r", request.r().toString());
            }
            if (request.timeoutMs() != null) {
                g.writeNumberField("timeoutMs", request.timeoutMs());
            }
            if (request.mode() != null) {
                g.writeStringField("mode", request.mode().wireName());
            }
            if (request.requestId() != null) {
                g.writeStringField("requestId", request.requestId());
                if (request.retaken() && request.issuedAtMs() != null) {
                    g.writeNumberField("firstIssuedAtMs", request.issuedAtMs());
                }
            }
        });
    }

    static ExternalRequest decode(byte[] json) {
        JsonFields f = JsonMessages.read(json, false);
        f.rejectUnknown(FIELDS);
        Op op = Op.fromWire(f.text("op"));
        String key = f.nonEmptyText("key");
        byte[] value = null;
        if (f.has("value") && f.has("valueBase64")) {
            throw new ProtocolException("fields 'value' and 'valueBase64': give one, not both");
        }
        if (f.has("value")) {
            value = f.text("value").getBytes(StandardCharsets.UTF_8);
        } else if (f.has("valueBase64")) {
            value = f.base64("valueBase64");
        }
        if (op == Op.PUT && value == null) {
            throw new ProtocolException("field 'value': missing (a put needs 'value' or 'valueBase64')");
        }
        if (op != Op.PUT && value != null) {
            throw new ProtocolException("field 'value': a " + op.wireName() + " carries no value");
        }
        Consistency w = consistency(f, "w");
        Consistency r = consistency(f, "r");
        if (w != null && !op.isWrite()) {
            throw new ProtocolException("field 'w': applies to put and delete; a get takes 'r'");
        }
        if (r != null && op.isWrite()) {
            throw new ProtocolException("field 'r': applies to get; a " + op.wireName() + " takes 'w'");
        }
        Long timeoutMs = null;
        if (f.has("timeoutMs")) {
            timeoutMs = f.wholeNumber("timeoutMs");
            if (timeoutMs < 1 || timeoutMs > 600_000) {
                throw new ProtocolException("field 'timeoutMs': " + timeoutMs + " is outside 1..600000");
            }
        }
        Mode mode = f.has("mode") ? Mode.fromWire(f.text("mode")) : null;
        String requestId = f.has("requestId") ? f.requestId() : null;
        if (!f.has("firstIssuedAtMs")) {
            return new ExternalRequest(op, key, value, w, r, timeoutMs, mode, requestId, null);
        }
        // A client's retry: dated by its first attempt, and never the first execution of its request.
        if (requestId == null) {
            throw new ProtocolException("field 'firstIssuedAtMs': marks a retry, which needs the 'requestId' of its first attempt");
        }
        long firstIssuedAtMs = f.wholeNumber("firstIssuedAtMs");
        if (firstIssuedAtMs < 0) {
            throw new ProtocolException("field 'firstIssuedAtMs': " + firstIssuedAtMs + " is negative; it is the timestamp"
                    + " Kafka gave the first attempt's record, in ms since the epoch");
        }
        return new ExternalRequest(op, key, value, w, r, timeoutMs, mode, requestId, firstIssuedAtMs, true);
    }

    private static Consistency consistency(JsonFields f, String name) {
        if (!f.has(name)) {
            return null;
        }
        JsonNode node = f.node(name);
        try {
            if (node.isIntegralNumber() && node.canConvertToInt()) {
                return Consistency.count(node.intValue());
            }
            if (node.isTextual()) {
                return Consistency.parse(node.textValue());
            }
        } catch (InvalidQuorumException e) {
            throw new ProtocolException("field '" + name + "': " + e.getMessage());
        }
        throw JsonFields.wrongType(name, "ONE, QUORUM, ALL or a number of replicas", node);
    }
}
