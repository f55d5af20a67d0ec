package dev.kquorum.common.kafka;

import org.apache.kafka.common.header.Header;

/**
 * How large a record can be once Kafka has framed it, and whether it fits a topic: checked before
 * a send whose refusal cannot be undone. Under exactly-once a broker's refusal poisons the whole
 * transaction, so a replica that sent a record a topic cannot hold would abort, process the same
 * record again and be refused again, for ever.
 */
public final class RecordSize {

    /** A batch's fixed header, for a batch of this one record. */
    private static final int BATCH_OVERHEAD = 61;
    /** A record's length, attributes, timestamp and offset deltas, key and value lengths and header count, as varints at their widest. */
    private static final int RECORD_OVERHEAD = 36;
    /** A header's key and value lengths, as varints at their widest. */
    private static final int HEADER_OVERHEAD = 10;

    private RecordSize() {
    }

    /** At least the bytes Kafka counts against {@code max.message.bytes} for this record, uncompressed. */
    public static long upperBound(byte[] key, byte[] value, Iterable<Header> headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + length(key) + length(value);
        for (Header h : headers) {
            size += HEADER_OVERHEAD + h.key().length() * 4L + length(h.value());
        }
        return size;
    }

    /**
     * The largest record kquorum may send to a topic whose {@code max.message.bytes} is
     * {@code topicLimit}: also no larger than its producers' {@code max.request.size}.
     */
    public static int limit(int topicLimit) {
        return Math.min(topicLimit, KafkaSettings.MAX_RECORD_BYTES);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
