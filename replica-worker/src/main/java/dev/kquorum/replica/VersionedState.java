package dev.kquorum.replica;

import dev.kquorum.common.version.Versioned;

/** The key-value state a {@link Replica} reads and changes: what it holds for each key. */
public interface VersionedState {

    /** What is held for {@code key}, or null if nothing ever was. */
    Versioned get(String key);

    void put(String key, Versioned value);
}
