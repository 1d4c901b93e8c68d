package io.xdpgate.fpc;

import java.util.Objects;

/**
 * CONTROL: a request from the manager to the fast path (enable or disable a port, start or stop a
 * capture, set an MTU), not an object of the kernel's state: it has no key, is never coalesced and is
 * not swept by a generation. Numbered like state messages; the receiver answers with the usual REPORT
 * (OK, or UNSUPPORTED when it does not implement the request, or INVALID/ERROR for an unknown port).
 * {@code value} is SET_MTU's MTU (68..2^32-1, held in a long) and 0 for every other type.
 * {@code ifindex} names the port in {@code vrf}; it is never 0 except for CAPTURE_ON / CAPTURE_OFF,
 * where 0 means every port of the VRF.
 */
public record FpcControl(FpcControlType type, int vrf, int ifindex, long value) implements FpcMessage {
    /** Smallest MTU SET_MTU accepts (the IPv4 minimum). */
    public static final long MIN_MTU = 68;

    public FpcControl {
        Objects.requireNonNull(type, "control type");
        if (type == FpcControlType.SET_MTU) {
            if (value < MIN_MTU || value > 0xffff_ffffL) {
                throw new IllegalArgumentException("SET_MTU value " + value + " out of range " + MIN_MTU + "..4294967295");
            }
        } else if (value != 0) {
            throw new IllegalArgumentException(type + " takes no value, got " + value);
        }
        if (ifindex == 0 && type != FpcControlType.CAPTURE_ON && type != FpcControlType.CAPTURE_OFF) {
            throw new IllegalArgumentException(type + " needs an ifindex");
        }
    }

    @Override
    public FpcMessageType messageType() {
        return FpcMessageType.CONTROL;
    }

    @Override
    public String toString() {
        return "FpcControl[" + type + " vrf=" + Integer.toUnsignedString(vrf) + " ifindex="
                + Integer.toUnsignedString(ifindex) + (type == FpcControlType.SET_MTU ? " value=" + value : "") + "]";
    }
}
