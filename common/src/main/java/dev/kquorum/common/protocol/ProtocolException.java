package dev.kquorum.common.protocol;

/** A message that cannot be used as it is; the message names the field and what is wrong. */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
