package io.xdpgate.ctl;

import io.xdpgate.netlink.Address;
import io.xdpgate.netlink.Link;
import io.xdpgate.netlink.Neighbour;
import io.xdpgate.netlink.NetlinkException;
import io.xdpgate.netlink.NexthopObject;
import io.xdpgate.netlink.Route;
import io.xdpgate.netlink.RtnlEvent;
import io.xdpgate.netlink.Rtnl;
import io.xdpgate.netlink.RtnlMonitor;
import io.xdpgate.netlink.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One fresh, consistent dump of a namespace's links, addresses, neighbours, nexthop objects (by id),
 * routes and policy routing rules, IPv4 and IPv6.
 */
record KernelSnapshot(Map<Integer, Link> links, List<Address> addresses, List<Neighbour> neighbours,
                      Map<Integer, NexthopObject> nexthops, List<Route> routes, List<Rule> rules) {

    /** Dumps namespace {@code netns} (null: the current one); a dump interrupted by changes is redone. */
    static KernelSnapshot of(String netns) throws NetlinkException, InterruptedException {
        Map<Integer, Link> links = new HashMap<>();
        List<Address> addresses = new ArrayList<>();
        List<Neighbour> neighbours = new ArrayList<>();
        Map<Integer, NexthopObject> nexthops = new HashMap<>();
        List<Route> routes = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        // Routes of the two tables the fast path takes routes from, as the cache manager dumps them.
        RtnlMonitor.Options options = new RtnlMonitor.Options(netns, 1 << 20, true)
                .withRouteTables(Rtnl.RT_TABLE_LOCAL, Rtnl.RT_TABLE_MAIN);
        RtnlMonitor monitor = RtnlMonitor.start(options, new RtnlMonitor.Listener() {
            private boolean first = true;

            @Override
            public void onSyncBegin(long epoch) {
                if (!first) return;
                links.clear();
                addresses.clear();
                neighbours.clear();
                nexthops.clear();
                routes.clear();
                rules.clear();
            }

            @Override
            public void onEvent(RtnlEvent e) {
                if (!first || e.deleted()) return; // only the dump: changes after it are the next verify's
                if (e.object() instanceof Link l) links.put(l.ifindex(), l);
                else if (e.object() instanceof Address a) addresses.add(a);
                else if (e.object() instanceof Neighbour n) neighbours.add(n);
                else if (e.object() instanceof NexthopObject n) nexthops.put(n.id(), n);
                else if (e.object() instanceof Route r) routes.add(r);
                else if (e.object() instanceof Rule r) rules.add(r);
            }

            @Override
            public void onSyncEnd(long epoch) {
                first = false;
                done.countDown();
            }
        });
        try {
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new NetlinkException("the dump of namespace '" + netns + "' did not finish in 120 s", 0);
            }
        } finally {
            monitor.close();
        }
        return new KernelSnapshot(links, addresses, neighbours, nexthops, routes, rules);
    }
}
