package dev.kquorum.replica.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * The bytes a {@link Versioned} is stored as: a format byte, the 8-byte timestamp, the writer id
 * (2-byte length, UTF-8), a tombstone flag, then the value. Binary, not JSON: the store is read
 * on every request.
 */
public final class StoredValueFormat {

    private static final byte FORMAT = 1;

    private StoredValueFormat() {
    }

    public static byte[] encode(Versioned v) {
        byte[] writer = v.version().writerId().getBytes(StandardCharsets.UTF_8);
        int valueLength = v.isTombstone() ? 0 : v.value().length;
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 2 + writer.length + 1 + valueLength);
        buf.put(FORMAT).putLong(v.version().timestamp()).putShort((short) writer.length).put(writer);
        buf.put((byte) (v.isTombstone() ? 1 : 0));
        if (!v.isTombstone()) {
            buf.put(v.value());
        }
        return buf.array();
    }

    public static Versioned decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte format = buf.get();
        if (format != FORMAT) {
            throw new IllegalStateException("stored value has format " + format + "; this build reads " + FORMAT);
        }
        long timestamp = buf.getLong();
        byte[] writer = new byte[Short.toUnsignedInt(buf.getShort())];
        buf.get(writer);
        Version version = new Version(timestamp, new String(writer, StandardCharsets.UTF_8));
        if (buf.get() == 1) {
            return Versioned.tombstone(version);
        }
        byte[] value = new byte[buf.remaining()];
        buf.get(value);
        return new Versioned(version, value);
    }
}
