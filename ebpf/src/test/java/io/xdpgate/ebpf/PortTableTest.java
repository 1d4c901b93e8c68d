package io.xdpgate.ebpf;

import static io.xdpgate.ebpf.XdpFixtureTest.GW_DST;
import static io.xdpgate.ebpf.XdpFixtureTest.LO;
import static io.xdpgate.ebpf.XdpFixtureTest.VRF;
import static io.xdpgate.ebpf.XdpFixtureTest.to;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The program finds its ingress port in the VRF's port table (xg_port_tables), which the writer
 * keeps equal to xg_ports: written with the port, zeroed with it, aligned at a manager's start.
 */
class PortTableTest {
    private Path root;
    private FastPathProgram prog;
    private FastPathMaps maps;

    @BeforeEach
    void load() throws Exception {
        root = Privileged.freshPinRoot();
        prog = FastPathProgram.load(root, VRF);
        maps = FastPathMaps.open(root);
        XdpFixtureTest.base().apply(maps);
    }

    @AfterEach
    void unload() throws Exception {
        maps.close();
        prog.close();
        Privileged.removePinRoot(root);
    }

    private int verdict() throws BpfException {
        return XdpTestRun.run(prog, to(GW_DST).build(), LO, 1).verdict();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Test
    void aDeletedPortIsNoPortAndComesBack() throws Exception {
        assertEquals(XdpTestRun.XDP_REDIRECT, verdict());
        maps.deletePort(VRF, LO);
        assertEquals(XdpTestRun.XDP_PASS, verdict(), "its table entry is zeroes: not a port");
        XdpFixtureTest.port().apply(maps);
        assertEquals(XdpTestRun.XDP_REDIRECT, verdict());
        maps.putPort(VRF, LO, new Port(XdpFixtureTest.ROUTER, 0, 1500, XdpFixtureTest.PORT_SLOT));
        assertEquals(XdpTestRun.XDP_PASS, verdict(), "a port that is down");
    }

    @Test
    void alignmentRebuildsTheTablesFromXgPorts() throws Exception {
        assertEquals(0, maps.alignIndexedTables(), "written in both already");
        try (BpfMap tables = BpfMap.openPinned(root.resolve(MapLayouts.PORT_TABLES.name()))) {
            assertNotNull(tables.lookup(u32(VRF)));
            // As maps pinned by a manager that knew only xg_ports, with a table of a VRF without ports.
            byte[] table = tables.lookup(u32(VRF));
            int fd = io.xdpgate.ebpf.libbpf.Bpf.mapFdById(ByteBuffer.wrap(table).order(ByteOrder.nativeOrder()).getInt(),
                    "the test's port table");
            try {
                tables.update(u32(VRF + 1), u32(fd));
            } finally {
                io.xdpgate.ebpf.libbpf.Bpf.close(fd);
            }
            tables.delete(u32(VRF));
            assertEquals(XdpTestRun.XDP_PASS, verdict(), "the program reads the table only");
            assertEquals(2, maps.alignIndexedTables(), "the VRF's port written again, the other table removed");
            assertEquals(XdpTestRun.XDP_REDIRECT, verdict());
            assertNull(tables.lookup(u32(VRF + 1)));
            maps.deletePort(VRF, LO);
            maps.dropPortTable(VRF);
            assertNull(tables.lookup(u32(VRF)));
        }
    }
}
