package io.xdpgate.netlink.sys;

import io.xdpgate.netlink.NetlinkException;

/** setns(2) into a network namespace file such as /run/netns/NAME. Public for the API package only. */
public final class NativeNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private NativeNamespace() {}

    /** Moves the calling OS thread (only it: setns acts per thread) into the network namespace at {@code path}. */
    public static void enterNetworkNamespace(String path) throws NetlinkException {
        int fd = (int) Syscalls.call("open(" + path + ")", () -> LibC.INSTANCE.open(path, O_RDONLY | O_CLOEXEC));
        try {
            Syscalls.call("setns(" + path + ", CLONE_NEWNET)", () -> LibC.INSTANCE.setns(fd, CLONE_NEWNET));
        } finally {
            LibC.INSTANCE.close(fd); // a read-only namespace handle: nothing to lose if close fails
        }
    }
}
