package dev.kquorum.common.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input that a lenient decoder would quietly turn into something else: trailing bytes after the
 * JSON object, and text that is not valid Unicode (which Java's UTF-8 encoder rewrites as '?', so
 * key "x\ud800y" would address key "x?y").
 */
class HostileInputTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"op\":\"get\",\"key\":\"k\"} junk",
        "{\"op\":\"get\",\"key\":\"k\"}{\"op\":\"delete\",\"key\":\"k\"}",
        "{\"op\":\"get\",\"key\":\"k\"} 7",
        "{\"op\":\"get\",\"key\":\"k\"}]"})
    void trailingTokensAfterTheObjectAreRejected(String json) {
        assertThatThrownBy(() -> ProtocolCodec.decodeExternalRequest(json.getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("after the JSON object");
    }

    @Test
    void trailingWhitespaceIsFine() {
        assertThat(ProtocolCodec.decodeExternalRequest("{\"op\":\"get\",\"key\":\"k\"}\n  ".getBytes(UTF_8)).key()).isEqualTo("k");
    }

    @Test
    void replicaMessagesRejectTrailingTokensToo() {
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaRequest("{\"v\":1,\"type\":\"read\",\"key\":\"k\"} x".getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("after the JSON object");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"op\":\"put\",\"key\":\"x\\ud800y\",\"value\":\"a\"}|field 'key'",
        "{\"op\":\"get\",\"key\":\"x\\udc00\"}|field 'key'",
        "{\"op\":\"get\",\"key\":\"\\udc00\\ud800\"}|field 'key'",
        "{\"op\":\"put\",\"key\":\"k\",\"value\":\"a\\ud800\"}|field 'value'"})
    void loneSurrogatesInEscapesAreRejectedNamingTheField(String caseText) {
        String[] parts = caseText.split("\\|");
        assertThatThrownBy(() -> ProtocolCodec.decodeExternalRequest(parts[0].getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(parts[1]).hasMessageContaining("not valid Unicode");
    }

    @Test
    void surrogatesEncodedAsUtf8BytesAreRejected() {
        // CESU-style bytes ED A0 80 encode U+D800, which UTF-8 forbids.
        byte[] prefix = "{\"op\":\"get\",\"key\":\"x".getBytes(UTF_8);
        byte[] suffix = "\"}".getBytes(UTF_8);
        byte[] json = new byte[prefix.length + 3 + suffix.length];
        System.arraycopy(prefix, 0, json, 0, prefix.length);
        json[prefix.length] = (byte) 0xED;
        json[prefix.length + 1] = (byte) 0xA0;
        json[prefix.length + 2] = (byte) 0x80;
        System.arraycopy(suffix, 0, json, prefix.length + 3, suffix.length);
        assertThatThrownBy(() -> ProtocolCodec.decodeExternalRequest(json)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void replicaRequestsRejectLoneSurrogatesInKeys() {
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaRequest("{\"v\":1,\"type\":\"read\",\"key\":\"x\\ud800y\"}".getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("field 'key'").hasMessageContaining("not valid Unicode");
    }

    @Test
    void pairedSurrogatesAreOrdinaryText() {
        ExternalRequest r = ProtocolCodec.decodeExternalRequest(
                "{\"op\":\"put\",\"key\":\"\\ud83d\\ude00\",\"value\":\"\uD83D\uDE00\"}".getBytes(UTF_8));
        assertThat(r.key()).isEqualTo("\uD83D\uDE00");
        assertThat(r.value()).isEqualTo("\uD83D\uDE00".getBytes(UTF_8));
    }

    @Test
    void theJavaApiKeyCheckRejectsLoneSurrogates() {
        assertThatThrownBy(() -> Limits.DEFAULT.check("x\ud800y", null))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("field 'key'").hasMessageContaining("not valid Unicode");
        Limits.DEFAULT.check("\uD83D\uDE00", null);
    }
}
