package dev.kquorum.cli.bench;

import java.util.concurrent.CompletableFuture;

/** Something the benchmark drives: one call is one operation, done when the future completes. */
@FunctionalInterface
interface Target {

    /** Starts operation number {@code i}; the future fails or is false when the operation did not succeed. */
    CompletableFuture<Boolean> call(long i);
}
