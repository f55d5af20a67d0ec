package dev.kquorum.replica.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kquorum.common.protocol.KqHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What goes to the dead-letter topic when a dead letter cannot be written whole: a record that
 * fits the replica topic can be too large for the dead-letter topic once the reason is added.
 * A small JSON record naming where the original is, its size and why it was set aside takes its
 * place, so no single record can stop a replica. The original stays on the replica topic until
 * retention removes it.
 */
final class DeadLetterReference {

    /** Header set to {@code true} on a reference, so tools can tell it from a whole dead letter. */
    static final String HEADER = "kq_dlq_reference";
    /** Header naming where a dead letter's record came from: topic-partition@offset. */
    static final String SOURCE = "kq_source";
    private static final int MAX_REASON_CHARS = 1_000;
    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterReference() {
    }

    /**
     * A reference to {@code whole}, the dead letter (its record with the reason and source headers)
     * that is {@code size} bytes where the dead-letter topic takes {@code limit}.
     */
    static Record<byte[], byte[]> of(Record<byte[], byte[]> whole, long size, int limit, long now) {
        String source = String.valueOf(KqHeaders.text(whole.headers(), SOURCE));
        String reason = truncate(KqHeaders.text(whole.headers(), KqHeaders.ERROR));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(body)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("type", "reference");
            g.writeStringField("source", source);
            g.writeNumberField("keyBytes", whole.key() == null ? 0 : whole.key().length);
            g.writeNumberField("valueBytes", whole.value() == null ? 0 : whole.value().length);
            g.writeNumberField("sizeBytes", size);
            g.writeStringField("reason", reason);
            g.writeStringField("notWrittenWhole", "larger than the dead-letter topic takes (" + limit + " bytes)");
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(KqHeaders.ERROR, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER, "true".getBytes(StandardCharsets.UTF_8));
        return new Record<>(null, body.toByteArray(), now, headers);
    }

    private static String truncate(String text) {
        String t = text == null ? "" : text;
        return t.length() <= MAX_REASON_CHARS ? t : t.substring(0, MAX_REASON_CHARS) + "...";
    }
}
