package dev.kquorum.common.protocol;

import java.nio.charset.StandardCharsets;

/** Size limits on keys and values, enforced wherever a request enters. */
public record Limits(int maxKeyBytes, int maxValueBytes) {

    public static final Limits DEFAULT = new Limits(1024, 1024 * 1024);

    public Limits {
        if (maxKeyBytes < 1 || maxValueBytes < 0) {
            throw new IllegalArgumentException("limits must be positive: key " + maxKeyBytes + ", value " + maxValueBytes);
        }
    }

    /** @throws ProtocolException when the key is empty or either part is over its limit */
    public void check(String key, byte[] value) {
        if (key.isEmpty()) {
            throw new ProtocolException("field 'key': must not be empty");
        }
        if (key.indexOf('\0') >= 0) {
            throw new ProtocolException("field 'key': must not contain the NUL character");
        }
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (keyBytes > maxKeyBytes) {
            throw new ProtocolException("field 'key': " + keyBytes + " bytes, over the limit of " + maxKeyBytes);
        }
        if (value != null && value.length > maxValueBytes) {
            throw new ProtocolException("field 'value': " + value.length + " bytes, over the limit of " + maxValueBytes);
        }
    }
}
