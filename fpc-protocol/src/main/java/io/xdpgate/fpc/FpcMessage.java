package io.xdpgate.fpc;

/**
 * One FPC message body. Object messages (VRF, link, address, neighbour, nexthop, nexthop group, route, VXLAN,
 * policy routing)
 * have replace semantics: an ADD of an existing key replaces the object, and applying a message twice is
 * harmless (a ROUTE_ADD_LIST is its routes' adds in one message). CONTROL requests are numbered but are not objects.
 */
public sealed interface FpcMessage
        permits FpcHello, FpcSyncBegin, FpcSyncEnd, FpcVrf, FpcLink, FpcAddress, FpcNeighbour, FpcRoute,
        FpcReport, FpcKeepalive, FpcNexthopObject, FpcNexthopGroup, FpcControl, FpcVxlan, FpcPolicyRouting,
        FpcRouteList {

    FpcMessageType messageType();
}
