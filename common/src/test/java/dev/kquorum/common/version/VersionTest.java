package dev.kquorum.common.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void ordersByTimestampThenWriter() {
        Version early = new Version(HybridClock.pack(100, 0), "z");
        Version late = new Version(HybridClock.pack(100, 1), "a");
        Version sameTimeOtherWriter = new Version(HybridClock.pack(100, 1), "b");
        assertThat(early).isLessThan(late);
        assertThat(late).isLessThan(sameTimeOtherWriter);
        assertThat(sameTimeOtherWriter.isNewerThan(late)).isTrue();
        assertThat(late.isNewerThan(null)).isTrue();
        assertThat(Version.max(early, late)).isEqualTo(late);
        assertThat(Version.max(null, early)).isEqualTo(early);
        assertThat(Version.max(early, null)).isEqualTo(early);
    }

    @Test
    void printsAndParsesTheSameForm() {
        Version v = new Version(HybridClock.pack(1_764_155_784_123L, 2), "coord@eu-1");
        assertThat(v.toString()).isEqualTo("1764155784123.2@coord@eu-1");
        assertThat(Version.parse(v.toString())).isEqualTo(v);
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> Version.parse("12@c1")).hasMessageContaining("expected a version like");
        assertThatThrownBy(() -> Version.parse("x.1@c1")).hasMessageContaining("'x.1@c1'");
        assertThatThrownBy(() -> Version.parse("1.70000@c1")).hasMessageContaining("logical counter out of range");
        assertThatThrownBy(() -> Version.parse("1.0@")).hasMessageContaining("expected a version like");
    }

    @Test
    void versionedValuesCompareByContent() {
        Version v = new Version(5, "c");
        assertThat(new Versioned(v, new byte[] {1, 2})).isEqualTo(new Versioned(v, new byte[] {1, 2}));
        assertThat(new Versioned(v, new byte[] {1, 2})).isNotEqualTo(Versioned.tombstone(v));
        assertThat(Versioned.tombstone(v).isTombstone()).isTrue();
    }
}
