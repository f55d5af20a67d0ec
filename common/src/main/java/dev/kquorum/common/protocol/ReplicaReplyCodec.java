package dev.kquorum.common.protocol;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * JSON of a {@link ReplicaReply}, replica to coordinator: an ack of a write, the value held for a
 * read, or why the request was refused; an ack or value may tell of an earlier write it repeats.
 */
final class ReplicaReplyCodec {

    private ReplicaReplyCodec() {
    }

    static byte[] encode(ReplicaReply reply) {
        return JsonMessages.write(g -> {
            if (reply instanceof ReplicaReply.Ack a) {
                g.writeStringField("type", "ack");
                g.writeStringField("replica", a.replica());
                g.writeStringField("key", a.key());
                g.writeStringField("version", a.held().toString());
                writeDuplicate(g, a.duplicate());
            } else if (reply instanceof ReplicaReply.Value v) {
                g.writeStringField("type", "value");
                g.writeStringField("replica", v.replica());
                g.writeStringField("key", v.key());
                if (v.held() != null) {
                    JsonMessages.writeVersioned(g, v.held());
                }
                writeDuplicate(g, v.duplicate());
                if (v.claimed()) {
                    g.writeBooleanField("claimed", true);
                }
            } else if (reply instanceof ReplicaReply.Invalid i) {
                g.writeStringField("type", "invalid");
                g.writeStringField("replica", i.replica());
                g.writeStringField("error", i.error());
            }
        });
    }

    static ReplicaReply decode(byte[] json) {
        JsonFields f = JsonMessages.read(json, true);
        String type = f.text("type");
        return switch (type) {
            case "ack" -> new ReplicaReply.Ack(f.nonEmptyText("replica"), f.text("key"), f.version("version"), duplicate(f));
            case "value" -> new ReplicaReply.Value(f.nonEmptyText("replica"), f.text("key"),
                    f.has("version") ? f.versioned(false) : null, duplicate(f), f.optionalBoolean("claimed"));
            case "invalid" -> new ReplicaReply.Invalid(f.nonEmptyText("replica"), f.text("error"));
            default -> throw new ProtocolException("field 'type': unknown reply type '" + type + "', expected ack, value or invalid");
        };
    }

    private static void writeDuplicate(JsonGenerator g, ReplicaReply.Duplicate d) throws IOException {
        if (d != null) {
            g.writeStringField("duplicateOf", d.written().toString());
            g.writeBooleanField("duplicateReissued", d.reissued());
            g.writeBooleanField("duplicateFresh", d.firstFresh());
        }
    }

    private static ReplicaReply.Duplicate duplicate(JsonFields f) {
        return f.has("duplicateOf") ? new ReplicaReply.Duplicate(f.version("duplicateOf"),
                f.optionalBoolean("duplicateReissued"), f.optionalBoolean("duplicateFresh")) : null;
    }
}
