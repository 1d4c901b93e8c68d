package io.xdpgate.fpc;

/**
 * One FPC message body. Object messages (VRF, link, address, neighbour, route) have replace
 * semantics: an ADD of an existing key replaces the object, and applying a message twice is harmless.
 */
public sealed interface FpcMessage
        permits FpcHello, FpcSyncBegin, FpcSyncEnd, FpcVrf, FpcLink, FpcAddress, FpcNeighbour, FpcRoute,
        FpcReport, FpcKeepalive {

    FpcMessageType messageType();
}
