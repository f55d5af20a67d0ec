package dev.kquorum.common.quorum;

/** A quorum that cannot be met by construction; its message says which and why. */
public class InvalidQuorumException extends IllegalArgumentException {

    public InvalidQuorumException(String message) {
        super(message);
    }
}
