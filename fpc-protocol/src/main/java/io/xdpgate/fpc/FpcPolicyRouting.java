package io.xdpgate.fpc;

/**
 * POLICY_ROUTING_ADD / POLICY_ROUTING_DEL. Key: {@code vrf}. An ADD says that the VRF's namespace has
 * policy routing rules ({@code ip rule}) other than the kernel's defaults in the families of
 * {@code families} ({@link #IPV4}, {@link #IPV6}): the kernel may forward some of its packets by other
 * tables than main, so none of its traffic may be forwarded from the main table alone. A DEL says its
 * rules are the defaults again; it carries the same body, of which the receiver uses the key only.
 */
public record FpcPolicyRouting(boolean add, int vrf, int families) implements FpcMessage {
    /** The IPv4 rules are not the defaults. */
    public static final int IPV4 = 0x01;
    /** The IPv6 rules are not the defaults. */
    public static final int IPV6 = 0x02;

    public FpcPolicyRouting {
        FpcChecks.unsigned("policy routing families", families, IPV4 | IPV6);
        if (add && families == 0) {
            throw new IllegalArgumentException("policy routing families 0: an ADD names at least one family");
        }
    }

    @Override
    public FpcMessageType messageType() {
        return add ? FpcMessageType.POLICY_ROUTING_ADD : FpcMessageType.POLICY_ROUTING_DEL;
    }
}
