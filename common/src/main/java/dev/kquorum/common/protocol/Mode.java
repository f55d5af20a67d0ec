package dev.kquorum.common.protocol;

import java.util.Locale;

/** Per-request consistency model: one round trip each way, or linearizable (ABD). */
public enum Mode {
    QUORUM, LINEARIZABLE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws ProtocolException when the text is not one of the modes */
    public static Mode fromWire(String text) {
        for (Mode m : values()) {
            if (m.wireName().equals(text)) {
                return m;
            }
        }
        throw new ProtocolException("field 'mode': unknown mode '" + text + "', expected quorum or linearizable");
    }
}
