package io.xdpgate.ebpf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdpgate.ebpf.libbpf.BpfObject;
import io.xdpgate.ebpf.libbpf.MapInfo;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirror (MapLayouts, Stat) against the BTF of the compiled object, as
 * bpftool dumps it: every struct's size, member names, offsets and sizes, the
 * xg_stat values, and the map definitions. Any difference fails, all listed.
 */
class LayoutAgreementTest {
    // The BTF anchor of xdp_fwd.bpf.c, and the inner map definitions of the maps of maps (maps, not layouts).
    private static final Set<String> NOT_IN_HEADER = Set.of("xg_btf_layouts", "xg_fib4_dir_table",
            "xg_fib6_guide_table", "xg_port_table");

    private static Path object;
    private static Map<Long, JsonNode> types;

    @BeforeAll
    static void dumpBtf() throws Exception {
        object = objectFile();
        String json = Privileged.run(List.of(Privileged.tool("bpftool"), "-j", "btf", "dump", "file", object.toString()));
        types = new HashMap<>();
        for (JsonNode t : new ObjectMapper().readTree(json).get("types")) {
            types.put(t.get("id").asLong(), t);
        }
    }

    static Path objectFile() throws URISyntaxException {
        var url = LayoutAgreementTest.class.getResource(EmbeddedObject.RESOURCE);
        assertTrue(url != null, EmbeddedObject.RESOURCE + " is not on the test classpath");
        return Path.of(url.toURI());
    }

    private static JsonNode named(String kind, String name) {
        return types.values().stream().filter(t -> kind.equals(t.get("kind").asText()))
                .filter(t -> name.equals(t.get("name").asText())).findFirst().orElse(null);
    }

    /** The size in bytes of a BTF type, through typedefs, qualifiers and arrays. */
    private static long sizeOf(long id) {
        JsonNode t = types.get(id);
        return switch (t.get("kind").asText()) {
            case "TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG" -> sizeOf(t.get("type_id").asLong());
            case "ARRAY" -> t.get("nr_elems").asLong() * sizeOf(t.get("type_id").asLong());
            case "PTR" -> 8;
            default -> t.get("size").asLong();
        };
    }

    @Test
    void everyStructOfTheHeaderMatchesMapLayouts() {
        List<String> diffs = new ArrayList<>();
        for (MapLayouts.Struct s : MapLayouts.STRUCTS) {
            JsonNode t = named("STRUCT", s.name());
            if (t == null) {
                diffs.add("struct " + s.name() + ": not in the object's BTF");
                continue;
            }
            if (t.get("size").asInt() != s.size()) {
                diffs.add("struct " + s.name() + ": size " + t.get("size").asInt() + " in BTF, " + s.size() + " in Java");
            }
            List<String> btfNames = new ArrayList<>();
            for (JsonNode m : t.get("members")) {
                String name = m.get("name").asText();
                btfNames.add(name);
                long bits = m.get("bits_offset").asLong();
                MapLayouts.Field f = s.fields().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
                if (f == null) {
                    diffs.add(s.name() + "." + name + ": in BTF, missing in Java");
                    continue;
                }
                if (bits % 8 != 0 || bits / 8 != f.offset()) {
                    diffs.add(s.name() + "." + name + ": offset " + (bits % 8 == 0 ? String.valueOf(bits / 8) : "bit " + bits) + " in BTF, " + f.offset() + " in Java");
                }
                long size = sizeOf(m.get("type_id").asLong());
                if (size != f.size()) {
                    diffs.add(s.name() + "." + name + ": size " + size + " in BTF, " + f.size() + " in Java");
                }
            }
            List<String> javaNames = s.fields().stream().map(MapLayouts.Field::name).toList();
            if (!btfNames.equals(javaNames)) {
                diffs.add(s.name() + ": members " + btfNames + " in BTF, " + javaNames + " in Java");
            }
        }
        Set<String> mirrored = new HashSet<>();
        MapLayouts.STRUCTS.forEach(s -> mirrored.add(s.name()));
        for (JsonNode t : types.values()) {
            String name = t.get("name").asText();
            if ("STRUCT".equals(t.get("kind").asText()) && name.startsWith("xg_") && !mirrored.contains(name)
                    && !NOT_IN_HEADER.contains(name)) {
                diffs.add("struct " + name + ": in BTF, not mirrored in MapLayouts");
            }
        }
        assertTrue(diffs.isEmpty(), "MapLayouts differs from " + object + ":\n  " + String.join("\n  ", diffs));
    }

    @Test
    void xgStatValuesMatchStat() {
        List<String> diffs = new ArrayList<>();
        JsonNode e = named("ENUM", "xg_stat");
        assertTrue(e != null, "enum xg_stat is not in the object's BTF");
        Set<Stat> seen = new HashSet<>();
        for (JsonNode v : e.get("values")) {
            String name = v.get("name").asText();
            long val = v.get("val").asLong();
            if (name.equals("XG_STAT_MAX")) {
                if (val != Stat.SLOTS) {
                    diffs.add("XG_STAT_MAX is " + val + ", Stat.SLOTS " + Stat.SLOTS);
                }
                continue;
            }
            Stat s;
            try {
                s = Stat.valueOf(name.substring("XG_STAT_".length()));
            } catch (IllegalArgumentException ex) {
                diffs.add(name + " = " + val + ": no such Stat");
                continue;
            }
            seen.add(s);
            if (s.index() != val) {
                diffs.add(name + " is " + val + ", Stat." + s + ".index() " + s.index());
            }
        }
        for (Stat s : Stat.values()) {
            if (!seen.contains(s)) {
                diffs.add("Stat." + s + ": no XG_STAT_" + s + " in the header");
            }
        }
        assertTrue(diffs.isEmpty(), "Stat differs from enum xg_stat:\n  " + String.join("\n  ", diffs));
    }

    /**
     * The constants of xdpgate.h that are no type and so not in the BTF (route types, flags, capacities,
     * the group bit of nh_id, the bucket count), against their Java mirrors, read from the header itself.
     */
    @Test
    void headerConstantsMatchTheirJavaMirrors() throws Exception {
        Map<String, Long> defined = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(XG_\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)u?\\b")
                .matcher(Files.readString(Path.of("src/main/c/xdpgate.h")));
        while (m.find()) {
            defined.put(m.group(1), Long.decode(m.group(2)));
        }
        Map<String, Long> java = new TreeMap<>();
        java.put("XG_PORTS_MAX", (long) MapLayouts.PORTS_MAX);
        java.put("XG_FIB4_MAX", (long) MapLayouts.FIB4_MAX);
        java.put("XG_NH_MAX", (long) MapLayouts.NH_MAX);
        java.put("XG_NEIGH4_MAX", (long) MapLayouts.NEIGH4_MAX);
        java.put("XG_LOCAL4_MAX", (long) MapLayouts.LOCAL4_MAX);
        java.put("XG_FIB6_MAX", (long) MapLayouts.FIB6_MAX);
        java.put("XG_NEIGH6_MAX", (long) MapLayouts.NEIGH6_MAX);
        java.put("XG_LOCAL6_MAX", (long) MapLayouts.LOCAL6_MAX);
        java.put("XG_NHG_MAX", (long) MapLayouts.NHG_MAX);
        java.put("XG_PORT_UP", (long) Port.UP);
        java.put("XG_RT_UNICAST", (long) Route.UNICAST);
        java.put("XG_RT_LOCAL", (long) Route.LOCAL);
        java.put("XG_RT_BLACKHOLE", (long) Route.BLACKHOLE);
        java.put("XG_RT_UNREACHABLE", (long) Route.UNREACHABLE);
        java.put("XG_RT_PROHIBIT", (long) Route.PROHIBIT);
        java.put("XG_NH_ID_GROUP", Integer.toUnsignedLong(Route.GROUP));
        java.put("XG_NH_ID_MASK", Integer.toUnsignedLong(~Route.GROUP));
        java.put("XG_NH_VALID", (long) Nexthop.VALID);
        java.put("XG_NH_CONNECTED", (long) Nexthop.CONNECTED);
        java.put("XG_NH_RESOLVED", (long) Nexthop.RESOLVED);
        java.put("XG_NHG_BUCKETS", (long) NexthopGroup.BUCKETS);
        java.put("XG_NHG_VALID", (long) NexthopGroup.VALID);
        java.put("XG_FIB4_DIR_VRFS", (long) MapLayouts.FIB4_DIR_VRFS);
        java.put("XG_VRF_INDEXED", (long) MapLayouts.VRF_INDEXED);
        java.put("XG_PORT_INDEXED", (long) MapLayouts.PORT_INDEXED);
        java.put("XG_FIB4_DIR_PAIRS", (long) MapLayouts.FIB4_DIR_PAIRS);
        java.put("XG_PORT_STATS_SLOTS", (long) MapLayouts.PORT_STATS_SLOTS);
        java.put("XG_DIR_ID_MASK", (long) Fib4Dir.ID_MASK);
        java.put("XG_DIR_GROUP", (long) Fib4Dir.GROUP);
        java.put("XG_DIR_LOCAL", (long) Fib4Dir.LOCAL);
        java.put("XG_FIB6_GUIDE_LOCAL", (long) Fib6Guide.LOCAL);
        java.put("XG_DIR_TYPE_SHIFT", (long) Fib4Dir.TYPE_SHIFT);
        java.put("XG_DIR_TYPE_MASK", (long) Fib4Dir.TYPE_MASK);
        java.put("XG_DIR_DEPTH_SHIFT", (long) Fib4Dir.DEPTH_SHIFT);
        java.put("XG_DIR_DEPTH_MASK", (long) Fib4Dir.DEPTH_MASK);
        java.put("XG_DIR_LONGER", Integer.toUnsignedLong(Fib4Dir.LONGER));
        java.put("XG_FIB6_GUIDE_VRFS", (long) MapLayouts.FIB6_GUIDE_VRFS);
        java.put("XG_FIB6_CLS_MAX", (long) MapLayouts.FIB6_CLS_MAX);
        java.put("XG_FIB6_GUIDE_QUADS", (long) MapLayouts.FIB6_GUIDE_QUADS);
        java.put("XG_FIB6_CLASSES", (long) MapLayouts.FIB6_CLASSES);
        java.put("XG_FIB6_CLS_SHORTEST", (long) MapLayouts.FIB6_CLS_SHORTEST);
        for (int c = 0; c < MapLayouts.FIB6_CLASSES; c++) {
            java.put("XG_FIB6_CLS_END_" + c, (long) MapLayouts.fib6ClassEnd(c));
        }
        java.put("XG_EXC_CFG_MAX", (long) MapLayouts.EXC_CFG_MAX);
        java.put("XG_CAPTURED_MAX", (long) MapLayouts.CAPTURED_MAX);
        java.put("XG_TC_STAT_SLOTS", (long) MapLayouts.TC_STAT_SLOTS);
        java.put("XG_TRAILER_MAGIC", (long) MapLayouts.TRAILER_MAGIC);
        java.put("XG_TRAILER_VERSION", (long) MapLayouts.TRAILER_VERSION);
        java.put("XG_TRAILER_LEN", (long) MapLayouts.TRAILER_LEN);
        java.put("XG_TRAILER_RECEIVE", (long) MapLayouts.TRAILER_RECEIVE);
        java.put("XG_EXC_CFG_VALID", (long) MapLayouts.EXC_CFG_VALID);
        java.put("XG_CAPTURE_META", (long) MapLayouts.CAPTURE_META);
        java.put("XG_CAPTURE_ON", (long) MapLayouts.CAPTURE_ON);
        java.put("XG_VXLAN_MAX", (long) MapLayouts.VXLAN_MAX);
        java.put("XG_VXLAN_HDR_LEN", (long) MapLayouts.VXLAN_HDR_LEN);
        java.put("XG_VXLAN_FLAG_VNI", (long) MapLayouts.VXLAN_FLAG_VNI);
        java.put("XG_VXLAN_VALID", (long) MapLayouts.VXLAN_VALID);
        java.put("XG_NEIGH_USED_MAX", (long) MapLayouts.NEIGH_USED_MAX);
        java.put("XG_NEIGH_USED_RESOLUTION_NS", MapLayouts.NEIGH_USED_RESOLUTION_NS);
        java.put("XG_AF_INET", (long) MapLayouts.AF_INET);
        java.put("XG_AF_INET6", (long) MapLayouts.AF_INET6);
        java.put("XG_NH_VXLAN", (long) Nexthop.VXLAN);
        java.put("XG_VXLAN_TX_MAX", (long) MapLayouts.VXLAN_TX_MAX);
        java.put("XG_VXLAN_ENCAP_LEN", (long) MapLayouts.VXLAN_ENCAP_LEN);
        java.put("XG_VXLAN_TX_VALID", (long) MapLayouts.VXLAN_TX_VALID);
        List<String> diffs = new ArrayList<>();
        java.forEach((name, value) -> {
            Long h = defined.get(name);
            if (!value.equals(h)) {
                diffs.add(name + " is " + h + " in xdpgate.h, " + value + " in Java");
            }
        });
        for (String name : defined.keySet()) {
            if (!java.containsKey(name)) {
                diffs.add(name + ": defined in xdpgate.h, no Java mirror checked here");
            }
        }
        assertTrue(diffs.isEmpty(), "constants differ:\n  " + String.join("\n  ", diffs));
    }

    @Test
    void mapDefinitionsMatchMapLayouts() throws Exception {
        List<String> diffs = new ArrayList<>();
        try (BpfObject o = BpfObject.open(object, null)) {
            List<MapInfo> maps = o.maps();
            for (MapLayouts.MapDef d : MapLayouts.MAPS) {
                MapInfo m = maps.stream().filter(x -> x.name().equals(d.name())).findFirst().orElse(null);
                if (m == null) {
                    diffs.add(d.name() + ": not defined in the object");
                } else {
                    diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m));
                }
            }
            List<String> rodata = maps.stream().filter(m -> m.name().endsWith(".rodata"))
                    .map(m -> m.name() + " is " + m.valueSize() + " bytes").toList();
            if (!rodata.equals(List.of("xdp_fwd.rodata is " + MapLayouts.PROG_CFG.size() + " bytes"))) {
                diffs.add(".rodata must hold xg_cfg only: " + rodata);
            }
            for (MapInfo m : maps) {
                if (!m.name().endsWith(".rodata") && MapLayouts.MAPS.stream().noneMatch(d -> d.name().equals(m.name()))) {
                    diffs.add(m.name() + ": a map of the object that MapLayouts does not know");
                }
            }
        }
        assertTrue(diffs.isEmpty(), "map definitions differ:\n  " + String.join("\n  ", diffs));
    }

    @Test
    void xgTcStatValuesMatchTcStat() {
        List<String> diffs = new ArrayList<>();
        JsonNode e = named("ENUM", "xg_tc_stat");
        assertTrue(e != null, "enum xg_tc_stat is not in the object's BTF");
        Set<TcStat> seen = new HashSet<>();
        for (JsonNode v : e.get("values")) {
            String name = v.get("name").asText();
            long val = v.get("val").asLong();
            if (name.equals("XG_TC_STAT_MAX")) {
                if (val != TcStat.MAX) {
                    diffs.add("XG_TC_STAT_MAX is " + val + ", TcStat.MAX " + TcStat.MAX);
                }
                continue;
            }
            TcStat s;
            try {
                s = TcStat.valueOf(name.substring("XG_TC_".length()));
            } catch (IllegalArgumentException ex) {
                diffs.add(name + " = " + val + ": no such TcStat");
                continue;
            }
            seen.add(s);
            if (s.index() != val) {
                diffs.add(name + " is " + val + ", TcStat." + s + ".index() " + s.index());
            }
        }
        for (TcStat s : TcStat.values()) {
            if (!seen.contains(s)) {
                diffs.add("TcStat." + s + ": no XG_TC_" + s + " in the header");
            }
        }
        assertTrue(diffs.isEmpty(), "TcStat differs from enum xg_tc_stat:\n  " + String.join("\n  ", diffs));
    }

    /** tc_exception.bpf.o: its maps are exactly the shared ones MapLayouts names, its .rodata xg_cfg only. */
    @Test
    void tcExceptionMapDefinitionsMatchMapLayouts() throws Exception {
        var url = LayoutAgreementTest.class.getResource(EmbeddedObject.TC_EXCEPTION);
        assertTrue(url != null, EmbeddedObject.TC_EXCEPTION + " is not on the test classpath");
        List<String> diffs = new ArrayList<>();
        try (BpfObject o = BpfObject.open(Path.of(url.toURI()), null)) {
            List<MapInfo> maps = o.maps();
            for (MapLayouts.MapDef d : MapLayouts.TC_EXCEPTION_MAPS) {
                MapInfo m = maps.stream().filter(x -> x.name().equals(d.name())).findFirst().orElse(null);
                if (m == null) {
                    diffs.add(d.name() + ": not defined in the object");
                } else {
                    diffs.addAll(MapCompatibility.differences(MapCompatibility.expected(d), m));
                }
            }
            for (MapInfo m : maps) {
                if (m.name().endsWith(".rodata")) {
                    if (m.valueSize() != MapLayouts.PROG_CFG.size()) {
                        diffs.add(m.name() + " is " + m.valueSize() + " bytes, xg_cfg only expected");
                    }
                } else if (MapLayouts.TC_EXCEPTION_MAPS.stream().noneMatch(d -> d.name().equals(m.name()))) {
                    diffs.add(m.name() + ": a map of the object that MapLayouts does not know");
                }
            }
        }
        assertTrue(diffs.isEmpty(), "map definitions differ:\n  " + String.join("\n  ", diffs));
    }
}
