package io.xdpgate.netlink;

import java.net.InetAddress;

/**
 * The parameters of a VXLAN device (IFLA_INFO_DATA of IFLA_LINKINFO when the kind is "vxlan").
 *
 * @param vni             IFLA_VXLAN_ID
 * @param local           IFLA_VXLAN_LOCAL or IFLA_VXLAN_LOCAL6, null if unset
 * @param group           IFLA_VXLAN_GROUP or IFLA_VXLAN_GROUP6: the remote endpoint or multicast group, null if unset
 * @param port            IFLA_VXLAN_PORT (sent in network order, given here in host order). Linux always sends
 *                        it; a device created without a port has the kernel default 8472, not IANA's 4789.
 *                        0 only if the attribute is absent.
 * @param underlayIfindex IFLA_VXLAN_LINK, 0 if unset
 * @param ttl             IFLA_VXLAN_TTL, 0 meaning "auto"
 * @param learning        IFLA_VXLAN_LEARNING (source address learning into the FDB)
 */
public record VxlanInfo(int vni, InetAddress local, InetAddress group, int port, int underlayIfindex, int ttl,
                        boolean learning) {}
