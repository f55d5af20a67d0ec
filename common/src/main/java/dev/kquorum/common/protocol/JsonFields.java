package dev.kquorum.common.protocol;

import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import java.util.Locale;

/**
 * Reads the fields of one JSON object, failing with a message that names the field and the problem:
 * plain JSON types, and the kquorum types more than one message carries (versions, versioned
 * values, request identities).
 */
final class JsonFields {

    private final JsonNode node;

    JsonFields(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ProtocolException("expected a JSON object, got " + describe(node));
        }
        this.node = node;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    void rejectUnknown(Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ProtocolException("field '" + name + "': unknown field; allowed are " + String.join(", ", allowed));
            }
        }
    }

    String text(String name) {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return Limits.requireValidUnicode(name, v.textValue());
    }

    String optionalText(String name) {
        return has(name) ? text(name) : null;
    }

    String nonEmptyText(String name) {
        String t = text(name);
        if (t.isEmpty()) {
            throw new ProtocolException("field '" + name + "': must not be empty");
        }
        return t;
    }

    long wholeNumber(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(name, "a whole number", v);
        }
        return v.longValue();
    }

    boolean optionalBoolean(String name) {
        if (!has(name)) {
            return false;
        }
        JsonNode v = node.get(name);
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false", v);
        }
        return v.booleanValue();
    }

    byte[] base64(String name) {
        try {
            return Base64.getDecoder().decode(text(name));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("field '" + name + "': not valid base64 (" + e.getMessage() + ")");
        }
    }

    Version version(String name) {
        try {
            return Version.parse(text(name));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("field '" + name + "': " + e.getMessage());
        }
    }

    /**
     * The version and value or tombstone that {@link JsonMessages#writeVersioned} wrote.
     *
     * @param valueOrTombstoneRequired whether a body with neither is refused (a write) or read as
     *                                 a null value
     */
    Versioned versioned(boolean valueOrTombstoneRequired) {
        Version version = version("version");
        if (optionalBoolean("tombstone")) {
            if (has("value")) {
                throw new ProtocolException("field 'value': a tombstone carries no value");
            }
            return Versioned.tombstone(version);
        }
        if (!has("value") && valueOrTombstoneRequired) {
            throw new ProtocolException("field 'value': missing (a write needs a value or \"tombstone\":true)");
        }
        return new Versioned(version, base64("value"));
    }

    /** {@code "requestId"}: non-empty and as {@link #checkRequestId} allows. */
    String requestId() {
        String id = nonEmptyText("requestId");
        checkRequestId(id);
        return id;
    }

    /** @throws ProtocolException when the identity is too long or holds a NUL (the replicas' separator) */
    static void checkRequestId(String id) {
        if (id.length() > ExternalRequest.MAX_REQUEST_ID_LENGTH) {
            throw new ProtocolException("field 'requestId': " + id.length() + " characters, over the limit of "
                    + ExternalRequest.MAX_REQUEST_ID_LENGTH);
        }
        if (id.indexOf('\0') >= 0) {
            throw new ProtocolException("field 'requestId': must not contain the NUL character");
        }
    }

    /** The raw node, for fields of more than one type. */
    JsonNode node(String name) {
        return required(name);
    }

    void requireSchemaVersion(int supported, boolean requiredField) {
        if (!has("v")) {
            if (requiredField) {
                throw new ProtocolException("field 'v': missing (the schema version, " + supported + ")");
            }
            return;
        }
        long v = wholeNumber("v");
        if (v != supported) {
            throw new ProtocolException("field 'v': schema version " + v + " is not supported (this build reads " + supported + ")");
        }
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new ProtocolException("field '" + name + "': missing");
        }
        return v;
    }

    static ProtocolException wrongType(String name, String expected, JsonNode actual) {
        return new ProtocolException("field '" + name + "': expected " + expected + ", got " + describe(actual));
    }

    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        String text = v.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return v.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shown;
    }
}
