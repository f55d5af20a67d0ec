package dev.kquorum.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryJsonTest {

    @TempDir
    Path dir;

    @Test
    void aHistoryRoundTrips() {
        List<HistoryOp> ops = List.of(
                new HistoryOp(0, "c1", "k", true, "c1-0", Version.parse("1764155784123.2@c1"), 10, 20),
                new HistoryOp(1, "c2", "k", true, "c2-0", null, 15, HistoryOp.UNKNOWN),
                new HistoryOp(2, "c1", "k", false, null, null, 30, 40));
        Path file = dir.resolve("sub/h.json");
        HistoryJson.write(file, new HistoryJson.Recorded(Mode.LINEARIZABLE, ops));
        HistoryJson.Recorded back = HistoryJson.read(file);
        assertThat(back.mode()).isEqualTo(Mode.LINEARIZABLE);
        assertThat(back.ops()).isEqualTo(ops);
    }

    @Test
    void aBrokenFileIsNamedWithWhatIsWrong() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"kquorum-history\",\"mode\":\"quorum\",\"ops\":[{\"type\":\"erase\",\"key\":\"k\"}]}");
        assertThatThrownBy(() -> HistoryJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ops[0].type").hasMessageContaining("erase");
        Files.writeString(file, "not json");
        assertThatThrownBy(() -> HistoryJson.read(file)).hasMessageContaining("is not JSON");
        Files.writeString(file, "{\"ops\":[]}");
        assertThatThrownBy(() -> HistoryJson.read(file)).hasMessageContaining("not a kquorum history");
    }
}
