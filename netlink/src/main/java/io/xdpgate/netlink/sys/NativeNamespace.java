package io.xdpgate.netlink.sys;

import io.xdpgate.netlink.NetlinkException;

/** setns(2) into a network namespace file such as /run/netns/NAME. Public for the API package only. */
public final class NativeNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private NativeNamespace() {}

    /**
     * An open network namespace (a descriptor that refers to it, as SIOCGSKNS returns one): it names the
     * namespace itself, not a path that may be deleted or reused for another namespace meanwhile.
     */
    public static final class Handle implements AutoCloseable {
        private final int fd;

        Handle(int fd) {
            this.fd = fd;
        }

        /** Moves the calling OS thread (only it) into this namespace. */
        public void enter() throws NetlinkException {
            Syscalls.call("setns(CLONE_NEWNET)", () -> LibC.INSTANCE.setns(fd, CLONE_NEWNET));
        }

        /** Releases the descriptor; the namespace lives on as long as anything else holds it. */
        @Override
        public void close() {
            LibC.INSTANCE.close(fd); // a read-only namespace handle: nothing to lose if close fails
        }
    }

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
