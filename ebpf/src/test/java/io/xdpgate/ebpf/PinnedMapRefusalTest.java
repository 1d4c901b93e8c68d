package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpgate.ebpf.libbpf.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pinned maps of another layout are refused with every difference listed; matching ones are shared. */
class PinnedMapRefusalTest {
    private Path root;

    @BeforeEach
    void pinRoot() throws Exception {
        root = Privileged.freshPinRoot();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Privileged.removePinRoot(root);
    }

    /** Pins a map named like one of ours but with other sizes, as an older xdpgate might have left it. */
    private void pinForeignMap(String name, int type, int keySize, int valueSize, int maxEntries) throws Exception {
        int fd = Bpf.mapCreate(type, name, keySize, valueSize, maxEntries);
        try {
            Bpf.objPin(fd, root.resolve(name));
        } finally {
            Bpf.close(fd);
        }
    }

    @Test
    void loadRefusesAPinnedMapWithAnotherLayoutListingEveryDifference() throws Exception {
        pinForeignMap("xg_nh", MapLayouts.BPF_MAP_TYPE_ARRAY, 4, 32, 16);
        pinForeignMap("xg_stats", MapLayouts.BPF_MAP_TYPE_ARRAY, 4, 16, 16);
        BpfException e = assertThrows(BpfException.class, () -> FastPathProgram.load(root, 7));
        String m = e.getMessage();
        assertTrue(m.contains("xg_nh: value_size is 32, expected 28"), m);
        assertTrue(m.contains("xg_nh: max_entries is 16, expected 65536"), m);
        assertTrue(m.contains("xg_stats: type is 2, expected 6"), m);
        assertTrue(m.contains(root.toString()), m);
        assertEquals(BpfException.EINVAL, e.errno());
        assertFalse(Files.exists(root.resolve("xg_fib4")), "nothing is loaded or pinned after a refusal");
    }

    /**
     * The per-port counters of the version with one element per counter (xg_port_stats, 131,072 per-CPU
     * elements) are unpinned when the maps are created: their successor, xg_port_counts, has one per port.
     */
    @Test
    void thePortCountersOfTheVersionWithOneElementPerCounterAreUnpinned() throws Exception {
        pinForeignMap(MapLayouts.OBSOLETE_PORT_STATS, MapLayouts.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4096 * 32);
        FastPathProgram.createMaps(root);
        assertFalse(Files.exists(root.resolve(MapLayouts.OBSOLETE_PORT_STATS)), "the obsolete counters are unpinned");
        try (BpfMap counts = BpfMap.openPinned(root.resolve(MapLayouts.PORT_STATS.name()))) {
            assertEquals(MapLayouts.PORT_STATS_SLOTS, counts.info().maxEntries());
            assertEquals(MapLayouts.PORT_COUNTERS.size(), counts.info().valueSize());
        }
    }

    /** What tells a manager's start whether there is anything to adopt: any of the maps pinned before it. */
    @Test
    void anyMapPinnedIsFalseBeforeTheFirstCreationAndTrueAfterOrWithOneMapLeft() throws Exception {
        assertFalse(FastPathProgram.anyMapPinned(root));
        FastPathProgram.createMaps(root);
        assertTrue(FastPathProgram.anyMapPinned(root));
        for (MapLayouts.MapDef d : MapLayouts.MAPS) {
            if (!d.name().equals("xg_fib6")) Files.deleteIfExists(root.resolve(d.name()));
        }
        assertTrue(FastPathProgram.anyMapPinned(root), "one map left is a previous run's state");
    }

    /** xg_ports of the version before per-port counters: 12-byte ports, without stats_slot. */
    @Test
    void portsPinnedByTheVersionBeforePortCountersAreRefused() throws Exception {
        pinForeignMap("xg_ports", MapLayouts.BPF_MAP_TYPE_HASH, 8, 12, MapLayouts.PORTS_MAX);
        BpfException e = assertThrows(BpfException.class, () -> FastPathProgram.load(root, 7));
        assertTrue(e.getMessage().contains("xg_ports: value_size is 12, expected 16"), e.getMessage());
    }

    @Test
    void openMapsRefusesAPinnedMapWithAnotherLayout() throws Exception {
        FastPathProgram.load(root, 7).close(); // every map is now pinned; replace one by a foreign map
        Files.delete(root.resolve("xg_local4"));
        pinForeignMap("xg_local4", MapLayouts.BPF_MAP_TYPE_HASH, 8, 8, 1024);
        BpfException e = assertThrows(BpfException.class, () -> FastPathMaps.open(root));
        assertTrue(e.getMessage().contains("xg_local4: value_size is 8, expected 4"), e.getMessage());
        assertTrue(e.getMessage().contains("xg_local4: max_entries is 1024, expected 65536"), e.getMessage());
    }

    @Test
    void instancesOfSeveralVrfsShareThePinnedMaps() throws Exception {
        try (FastPathProgram p7 = FastPathProgram.load(root, 7); FastPathProgram p8 = FastPathProgram.load(root, 8);
                FastPathMaps maps = FastPathMaps.open(root)) {
            assertEquals(7, p7.vrf());
            assertEquals(8, p8.vrf());
            for (MapLayouts.MapDef d : MapLayouts.MAPS) {
                try (BpfMap m = BpfMap.openPinned(root.resolve(d.name()))) {
                    assertEquals(d.name(), m.name());
                    assertEquals(d.type(), m.type());
                    assertEquals(d.keySize(), m.keySize());
                    assertEquals(d.valueSize(), m.valueSize());
                    assertEquals(d.maxEntries(), m.maxEntries());
                }
            }
            maps.putPort(8, 1, new Port(Frames.mac(1), Port.UP, 1500));
            assertEquals(XdpTestRun.XDP_PASS, XdpTestRun.run(p8, Frames.ipv4().build(), 1, 1).verdict());
            assertEquals(1, maps.stats().get(Stat.EXC_NO_ROUTE).packets(), "p8 counted in the shared xg_stats");
        }
    }
}
