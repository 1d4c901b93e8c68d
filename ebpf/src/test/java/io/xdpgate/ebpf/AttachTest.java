package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.libbpf.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attaching through pinned bpf_links, on a veth pair made for the test in the host namespace. */
class AttachTest {
    private Path root;
    private String veth;

    @BeforeEach
    void setUp() throws Exception {
        root = Privileged.freshPinRoot();
        veth = "xgt" + UUID.randomUUID().toString().substring(0, 6);
    }

    @AfterEach
    void cleanUp() throws Exception {
        deleteVeth();
        Privileged.removePinRoot(root);
    }

    private int createVeth(Integer index) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Privileged.tool("ip"), "link", "add", "name", veth));
        if (index != null) {
            cmd.addAll(List.of("index", String.valueOf(index)));
        }
        cmd.addAll(List.of("type", "veth", "peer", "name", veth + "p"));
        Privileged.run(cmd);
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", veth, "ifindex")).strip());
    }

    private void deleteVeth() throws Exception {
        if (Files.exists(Path.of("/sys/class/net", veth))) {
            Privileged.run(List.of(Privileged.tool("ip"), "link", "del", veth));
        }
    }

    /** The id of the XDP program attached to the test veth, or 0. */
    private int attachedProgramId() throws Exception {
        String json = Privileged.run(List.of(Privileged.tool("ip"), "-j", "-d", "link", "show", "dev", veth));
        JsonNode xdp = new ObjectMapper().readTree(json).get(0).get("xdp");
        return xdp == null ? 0 : xdp.get("prog").get("id").asInt();
    }

    private static int pinnedLinkProgramId(Path pin) throws Exception {
        int fd = Bpf.objGet(pin);
        try {
            return Bpf.linkProgId(fd);
        } finally {
            Bpf.close(fd);
        }
    }

    @Test
    void attachPinsALinkThatOutlivesTheProgramObjectAndReattachReplacesItInPlace() throws Exception {
        int ifindex = createVeth(null);
        Path pin;
        int firstId;
        try (FastPathProgram first = FastPathProgram.load(root, 7)) {
            first.attach(ifindex);
            pin = first.linkPin(ifindex);
            assertEquals(root.resolve("links/vrf7-if" + ifindex), pin);
            firstId = first.programId();
            assertEquals(firstId, attachedProgramId());
        }
        assertEquals(firstId, attachedProgramId(), "still attached after close: the pin holds the link");

        try (FastPathProgram second = FastPathProgram.load(root, 7)) {
            second.attach(ifindex);
            assertEquals(second.programId(), attachedProgramId(), "the link now runs the new program");
            assertEquals(second.programId(), pinnedLinkProgramId(pin), "same pinned link, updated");
            try (var links = Files.list(root.resolve("links"))) {
                assertEquals(1, links.count());
            }
            second.detach(ifindex);
            assertFalse(Files.exists(pin));
            assertEquals(0, attachedProgramId(), "detached");
            second.detach(ifindex); // nothing left: no-op
        }
    }

    @Test
    void aPinnedLinkWhoseDeviceWasDeletedIsReplaced() throws Exception {
        int ifindex = createVeth(null);
        try (FastPathProgram p = FastPathProgram.load(root, 7)) {
            p.attach(ifindex);
            deleteVeth(); // the kernel detaches the link; its pin stays
            assertTrue(Files.exists(p.linkPin(ifindex)));
            assertEquals(ifindex, createVeth(ifindex), "the same ifindex again");
            p.attach(ifindex);
            assertEquals(p.programId(), attachedProgramId());
            p.detach(ifindex);
            assertEquals(0, attachedProgramId());
        }
    }
}
