package io.xdpgate.ctl;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ctl show prints: aligned rows, a limit, and the count of the rows left out. */
class TableTest {

    private static String print(Table t, boolean json, int limit) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), json, limit);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTableThatKeepsTwoRowsCountsTheOthersAndSaysHowManyWereLeftOut() throws Exception {
        Table t = new Table(2, "vrf", "prefix");
        for (int i = 0; i < 5; i++) {
            if (t.keeps()) t.add(1, "10.0." + i + ".0/24");
            else t.count();
        }
        t.add(1, "10.9.0.0/16"); // beyond what it keeps: counted too
        assertFalse(t.keeps());
        assertEquals(6, t.size());
        assertEquals("""
                VRF  PREFIX
                1    10.0.0.0/24
                1    10.0.1.0/24
                ... 4 more (--limit N, or --limit -1 for all)
                """, print(t, false, 2));
    }

    @Test
    void aTableThatKeepsEveryRowPrintsThemAllInJson() throws Exception {
        Table t = new Table(-1, "id");
        for (int i = 0; i < 3; i++) {
            assertTrue(t.keeps());
            t.add(i);
        }
        assertEquals(3, t.size());
        assertEquals("[ {\n  \"id\" : 0\n}, {\n  \"id\" : 1\n}, {\n  \"id\" : 2\n} ]\n", print(t, true, -1).replace("\r", ""));
        assertEquals("ID\n0\n... 2 more (--limit N, or --limit -1 for all)\n", print(t, false, 1));
    }
}
