package io.xdpgate.netlink;

/**
 * What an {@link RtnlMonitor} does, for whoever counts it (the cache manager's metrics), without this
 * library depending on a metrics library. Called like the monitor's listener (one call at a time, in
 * order, from the shared worker threads): implementations must be cheap (one call per netlink message)
 * and should not throw; an exception is caught and ignored, never allowed to disturb the monitor.
 */
public interface RtnlMonitorObserver {

    /** Observes nothing. */
    RtnlMonitorObserver NONE = new RtnlMonitorObserver() {};

    /** A netlink message was received, from a dump or from the multicast groups; {@code type} is its nlmsg_type. */
    default void messageReceived(int type) {}

    /** The multicast socket overran (ENOBUFS): changes were lost and a resync follows. */
    default void overrun() {}

    /**
     * A full dump after the first one starts. {@code reason}: "overrun", "error" (the sockets were
     * reopened), or the reason given to {@link RtnlMonitor#requestResync(String)}.
     */
    default void resyncStarted(String reason) {}

    /** An epoch's dump ended after {@code nanos}, listener time included (see {@link RtnlMonitor#lastDumpMillis()}). */
    default void dumpCompleted(long nanos) {}
}
