package dev.kquorum.common.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.common.header.Headers;

/**
 * kquorum's own correlation id, the {@link KqHeaders#CORRELATION_ID} of what its coordinators and
 * tools send: 16 bytes, the sender's incarnation then a sequence number of the sender's choosing,
 * both 8-byte big-endian. The incarnation, random for each run of each sender, tells a sender which
 * answers on a shared reply topic are its own (another sender's, or an earlier run's, are strays);
 * the sequence tells it which of its requests an answer is for.
 *
 * <p>Only the sender reads its ids. Replicas and the gateway echo the header's bytes without reading
 * them, so an external client's correlation id, of whatever form, comes back to it untouched.
 */
public record CorrelationId(long incarnation, long sequence) {

    public static final int BYTES = 16;

    /** An incarnation for a new sender: random, so that no other sender or run shares it. */
    public static long newIncarnation() {
        return ThreadLocalRandom.current().nextLong();
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(BYTES).putLong(incarnation).putLong(sequence).array();
    }

    /** The id a record carries, or null when it carries none or one of another form. */
    public static CorrelationId of(Headers headers) {
        byte[] b = KqHeaders.bytes(headers, KqHeaders.CORRELATION_ID);
        if (b == null || b.length != BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(b);
        return new CorrelationId(buffer.getLong(), buffer.getLong());
    }

    /** The sequence of an answer to a request that {@code incarnation} sent, or null for a stray. */
    public static Long sequenceFor(long incarnation, Headers headers) {
        CorrelationId id = of(headers);
        return id == null || id.incarnation() != incarnation ? null : id.sequence();
    }
}
