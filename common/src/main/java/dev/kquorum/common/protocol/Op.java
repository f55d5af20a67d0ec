package dev.kquorum.common.protocol;

import java.util.Locale;

/** The operations a client can ask for. On the wire: {@code put}, {@code get}, {@code delete}. */
public enum Op {
    PUT, GET, DELETE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isWrite() {
        return this != GET;
    }

    /** @throws ProtocolException when the text is not one of the operations */
    public static Op fromWire(String text) {
        for (Op op : values()) {
            if (op.wireName().equals(text)) {
                return op;
            }
        }
        throw new ProtocolException("field 'op': unknown operation '" + text + "', expected put, get or delete");
    }
}
