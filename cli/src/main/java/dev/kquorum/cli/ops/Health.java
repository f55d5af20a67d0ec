package dev.kquorum.cli.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whether a component can do its job now, and the facts behind the verdict. */
public record Health(boolean healthy, Map<String, Object> details) {

    public Health {
        details = new LinkedHashMap<>(details);
    }

    String toJson() {
        StringBuilder s = new StringBuilder("{\"status\":\"").append(healthy ? "UP" : "DOWN").append('"');
        details.forEach((k, v) -> {
            s.append(",\"").append(k).append("\":");
            if (v instanceof Number || v instanceof Boolean) {
                s.append(v);
            } else {
                s.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return s.append('}').toString();
    }
}
