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
        requireValidUnicode("key", key);
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (keyBytes > maxKeyBytes) {
            throw new ProtocolException("field 'key': " + keyBytes + " bytes, over the limit of " + maxKeyBytes);
        }
        if (value != null && value.length > maxValueBytes) {
            throw new ProtocolException("field 'value': " + value.length + " bytes, over the limit of " + maxValueBytes);
        }
    }

    /**
     * Returns {@code text} when it is well-formed UTF-16. A lone surrogate has no UTF-8 form: Java's
     * encoder would turn it into '?', so a key with a lone high surrogate between x and y would silently address key "x?y".
     *
     * @throws ProtocolException naming {@code field} and where the lone surrogate is
     */
    static String requireValidUnicode(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ProtocolException(String.format("field '%s': not valid Unicode (a lone surrogate \\u%04x at character %d)",
                        field, (int) c, i));
            }
        }
        return text;
    }
}
