package dev.kquorum.common.version;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value with its version, as a replica stores it and a read returns it. A null value is a
 * tombstone: the key was deleted at that version, and reads see it as not found.
 */
public record Versioned(Version version, byte[] value) {

    public Versioned {
        Objects.requireNonNull(version, "version");
    }

    public static Versioned tombstone(Version version) {
        return new Versioned(version, null);
    }

    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned other && version.equals(other.version) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * version.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return isTombstone() ? "tombstone@" + version : value.length + " bytes@" + version;
    }
}
