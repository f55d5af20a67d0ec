package dev.kquorum.common.health;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whether a component can do its job now, and the facts behind the verdict. */
public record Health(boolean healthy, Map<String, Object> details) {

    public Health {
        details = new LinkedHashMap<>(details);
    }
}
