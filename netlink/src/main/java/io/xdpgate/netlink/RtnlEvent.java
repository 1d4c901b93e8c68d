package io.xdpgate.netlink;

import java.util.Objects;

/** One object from a dump or a live change: RTM_NEW* gives {@code deleted == false}, RTM_DEL* gives true. */
public record RtnlEvent(boolean deleted, RtnlObject object) {
    public RtnlEvent {
        Objects.requireNonNull(object, "object");
    }
}
