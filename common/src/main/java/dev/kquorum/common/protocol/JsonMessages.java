package dev.kquorum.common.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kquorum.common.version.Versioned;

/**
 * What every kquorum message body has in common: one JSON object per record, the schema version
 * in {@code "v"}, and the versioned value as coordinators and replicas write it. The codecs of
 * the four message families build on this; {@link JsonFields} reads the fields.
 */
final class JsonMessages {

    static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private JsonMessages() {
    }

    /** Writes the fields of one message body, after {@code "v"}. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** One JSON object: the schema version, then what {@code body} writes. */
    static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", SCHEMA_VERSION);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a message: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * The fields of one JSON object whose schema version this build reads.
     *
     * @param versionRequired whether a body without {@code "v"} is refused (between kquorum's own
     *                        processes) or taken as the current version (from external clients)
     */
    static JsonFields read(byte[] json, boolean versionRequired) {
        JsonFields f = parse(json);
        f.requireSchemaVersion(SCHEMA_VERSION, versionRequired);
        return f;
    }

    static void writeVersioned(JsonGenerator g, Versioned v) throws IOException {
        g.writeStringField("version", v.version().toString());
        if (v.isTombstone()) {
            g.writeBooleanField("tombstone", true);
        } else {
            g.writeBinaryField("value", v.value());
        }
    }

    private static JsonFields parse(byte[] json) {
        if (json == null || json.length == 0) {
            throw new ProtocolException("empty message: expected a JSON object");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonNode node = MAPPER.readTree(parser);
            // One record, one object: "{...} junk" or two objects in one record must not pass as
            // the first object alone (readTree stops after the first value and ignores the rest).
            requireNothingAfter(parser);
            return new JsonFields(node);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr()), e);
        } catch (IOException e) {
            throw new ProtocolException("unreadable message: " + e.getMessage(), e);
        }
    }

    private static void requireNothingAfter(JsonParser parser) throws IOException {
        JsonToken next;
        try {
            next = parser.nextToken();
        } catch (JsonProcessingException e) {
            next = JsonToken.NOT_AVAILABLE;
        }
        if (next != null) {
            throw new ProtocolException("malformed JSON: something after the JSON object at column "
                    + parser.currentLocation().getColumnNr() + " (one record carries one object)");
        }
    }
}
