package dev.kquorum.coordinator.gateway;

import dev.kquorum.common.protocol.ExternalRequest;

/**
 * What the gateway knows of a request beyond its JSON: its identity, when it was issued, and
 * whether it may have been taken up before. Executed again (a redelivery after a crash or
 * rebalance, or a client's retry), a request is recognised by its identity and supersedes nothing
 * newer.
 */
public final class RequestIdentity {

    private RequestIdentity() {
    }

    /**
     * @param decoded            the request as its record's JSON says
     * @param requestTopicId     the request topic's id: a topic recreated under the same name reuses offsets
     * @param recordTimestamp    the record's timestamp (the broker's, LogAppendTime)
     * @param maybeTakenUpBefore whether the record predates this gateway's ownership of its partition
     */
    public static ExternalRequest of(ExternalRequest decoded, String requestTopicId, int partition, long offset,
                                     long recordTimestamp, boolean maybeTakenUpBefore) {
        // The client's requestId, else the record's own coordinates.
        String identity = decoded.requestId() != null ? "id:" + decoded.requestId()
                : "at:" + requestTopicId + "/" + partition + "@" + offset;
        // A client's retry is dated by its first attempt, so that it writes the first attempt's version.
        long issuedAt = decoded.retaken() ? decoded.issuedAtMs() : recordTimestamp;
        return decoded.identified(identity, issuedAt).retaken(decoded.retaken() || maybeTakenUpBefore);
    }
}
