package dev.kquorum.common.protocol;

/** JSON of a {@link ReplicaRequest}, coordinator to replica: a write of a versioned value, or a read. */
final class ReplicaRequestCodec {

    private ReplicaRequestCodec() {
    }

    static byte[] encode(ReplicaRequest request) {
        return JsonMessages.write(g -> {
            if (request instanceof ReplicaRequest.Write w) {
                g.writeStringField("type", "write");
                g.writeStringField("key", w.key());
                JsonMessages.writeVersioned(g, w.versioned());
                if (w.origin() != null) {
                    g.writeStringField("requestId", w.origin().requestId());
                    g.writeStringField("attempt", w.origin().attempt());
                    if (w.origin().reissue()) {
                        g.writeBooleanField("reissue", true);
                    }
                }
            } else if (request instanceof ReplicaRequest.Read r) {
                g.writeStringField("type", "read");
                g.writeStringField("key", r.key());
                if (r.requestId() != null) {
                    g.writeStringField("requestId", r.requestId());
                }
                if (r.attempt() != null) {
                    g.writeStringField("attempt", r.attempt());
                }
            }
        });
    }

    static ReplicaRequest decode(byte[] json) {
        JsonFields f = JsonMessages.read(json, true);
        String type = f.text("type");
        return switch (type) {
            case "write" -> new ReplicaRequest.Write(f.nonEmptyText("key"), f.versioned(true),
                    f.has("requestId") ? new ReplicaRequest.Origin(f.requestId(), f.nonEmptyText("attempt"), f.optionalBoolean("reissue")) : null);
            case "read" -> read(f);
            default -> throw new ProtocolException("field 'type': unknown request type '" + type + "', expected write or read");
        };
    }

    private static ReplicaRequest.Read read(JsonFields f) {
        String requestId = f.has("requestId") ? f.requestId() : null;
        String attempt = f.has("attempt") ? f.nonEmptyText("attempt") : null;
        if (attempt != null && requestId == null) {
            throw new ProtocolException("field 'attempt': a read claims a request for an attempt only with its 'requestId'");
        }
        return new ReplicaRequest.Read(f.nonEmptyText("key"), requestId, attempt);
    }
}
