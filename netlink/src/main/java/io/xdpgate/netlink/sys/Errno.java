package io.xdpgate.netlink.sys;

/** errno formatting for messages built outside this package (e.g. an errno reported inside NLMSG_ERROR). */
public final class Errno {
    private Errno() {}

    /** "ENOENT (No such file or directory)". */
    public static String describe(int errno) {
        return Syscalls.describe(errno);
    }
}
