package dev.kquorum.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.version.Version;

/**
 * A history as JSON, as {@code kquorum verify --history-out} writes it and {@code --check} reads
 * it:
 *
 * <pre>{@code
 * {"format": "kquorum-history", "formatVersion": 1, "mode": "quorum", "timeUnit": "ns",
 *  "ops": [{"id": 0, "client": "c1", "key": "k7", "type": "write", "value": "c1-0",
 *           "version": "1764155784123.0@c1", "invokedAt": 1200, "completedAt": 5400}, ...]}
 * }</pre>
 *
 * A {@code null} value is a delete (write) or not-found (read); a {@code null} completedAt is a
 * write of unknown outcome.
 */
public final class HistoryJson {

    public static final String FORMAT = "kquorum-history";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryJson() {
    }

    /** A history and the mode it was recorded in. */
    public record Recorded(Mode mode, List<HistoryOp> ops) {

        public Recorded {
            ops = List.copyOf(ops);
        }
    }

    public static void write(Path file, Recorded history) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("formatVersion", 1).put("mode", history.mode().wireName()).put("timeUnit", "ns");
        ArrayNode ops = root.putArray("ops");
        for (HistoryOp op : history.ops()) {
            ObjectNode o = ops.addObject();
            o.put("id", op.id()).put("client", op.client()).put("key", op.key()).put("type", op.write() ? "write" : "read");
            o.put("value", op.value());
            o.put("version", op.version() == null ? null : op.version().toString());
            o.put("invokedAt", op.invokedAt());
            if (op.completed()) {
                o.put("completedAt", op.completedAt());
            } else {
                o.putNull("completedAt");
            }
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a history written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file, the operation and the field that is wrong
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static Recorded read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + " is not a kquorum history (no \"format\": \"" + FORMAT + "\")");
        }
        Mode mode;
        try {
            mode = Mode.fromWire(root.path("mode").asText());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        JsonNode ops = root.path("ops");
        if (!ops.isArray()) {
            throw new IllegalArgumentException(file + ": \"ops\" must be an array");
        }
        List<HistoryOp> history = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            history.add(op(file, i, ops.get(i)));
        }
        return new Recorded(mode, history);
    }

    private static HistoryOp op(Path file, int index, JsonNode o) {
        String where = file + ": ops[" + index + "]";
        String type = text(o, "type", where);
        if (!"write".equals(type) && !"read".equals(type)) {
            throw new IllegalArgumentException(where + ".type must be \"write\" or \"read\", got \"" + type + "\"");
        }
        String key = text(o, "key", where);
        if (key == null) {
            throw new IllegalArgumentException(where + ".key is missing");
        }
        Version version = null;
        String v = text(o, "version", where);
        if (v != null) {
            try {
                version = Version.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".version: " + e.getMessage(), e);
            }
        }
        long invokedAt = number(o, "invokedAt", where);
        JsonNode completed = o.get("completedAt");
        long completedAt = completed == null || completed.isNull() ? HistoryOp.UNKNOWN : number(o, "completedAt", where);
        if (completedAt < invokedAt) {
            throw new IllegalArgumentException(where + ": completedAt " + completedAt + " is before invokedAt " + invokedAt);
        }
        if ("read".equals(type) && completedAt == HistoryOp.UNKNOWN) {
            throw new IllegalArgumentException(where + ": a read must have a completedAt (unanswered reads are left out)");
        }
        int id = o.has("id") ? (int) number(o, "id", where) : index;
        String client = text(o, "client", where);
        return new HistoryOp(id, client == null ? "?" : client, key, "write".equals(type), text(o, "value", where), version,
                invokedAt, completedAt);
    }

    private static String text(JsonNode o, String field, String where) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + " must be a string, got " + n);
        }
        return n.asText();
    }

    private static long number(JsonNode o, String field, String where) {
        JsonNode n = o.get(field);
        if (n == null || !n.isIntegralNumber()) {
            throw new IllegalArgumentException(where + "." + field + " must be an integer, got " + n);
        }
        return n.asLong();
    }
}
