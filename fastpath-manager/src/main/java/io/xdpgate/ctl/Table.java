package io.xdpgate.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of named columns, printed as an aligned table for people or as JSON for scripts. */
final class Table {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> columns;
    private final int keep;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private int counted; // rows added beyond keep: only counted

    Table(String... columns) {
        this(-1, columns);
    }

    /**
     * A table that keeps its first {@code keep} rows (all if negative) and only counts the others: a
     * full routing table's million rows are not held to print a hundred.
     */
    Table(int keep, String... columns) {
        this.columns = List.of(columns);
        this.keep = keep;
    }

    /** Whether a row added now is kept; if not, {@link #count()} it instead of making its values. */
    boolean keeps() {
        return keep < 0 || rows.size() < keep;
    }

    /** Counts a row that is not kept. */
    void count() {
        counted++;
    }

    /** Adds a row: one value per column, in order. */
    Table add(Object... values) {
        if (values.length != columns.size()) throw new IllegalArgumentException(values.length + " values for " + columns);
        if (!keeps()) {
            count();
            return this;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) row.put(columns.get(i), values[i]);
        rows.add(row);
        return this;
    }

    /** Rows added, kept or not. */
    int size() {
        return rows.size() + counted;
    }

    /** Prints at most {@code limit} rows (all if negative) and says how many were left out. */
    void print(PrintStream out, boolean json, int limit) throws Exception {
        List<Map<String, Object>> shown = limit < 0 || rows.size() <= limit ? rows : rows.subList(0, limit);
        if (json) {
            out.println(JSON.writeValueAsString(shown));
            return;
        }
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) width[c] = columns.get(c).length();
        for (Map<String, Object> row : shown) {
            for (int c = 0; c < columns.size(); c++) width[c] = Math.max(width[c], String.valueOf(row.get(columns.get(c))).length());
        }
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) line.append(String.format("%-" + (width[c] + 2) + "s", columns.get(c).toUpperCase()));
        out.println(line.toString().stripTrailing());
        for (Map<String, Object> row : shown) {
            line.setLength(0);
            for (int c = 0; c < columns.size(); c++) line.append(String.format("%-" + (width[c] + 2) + "s", row.get(columns.get(c))));
            out.println(line.toString().stripTrailing());
        }
        if (shown.size() < size()) out.println("... " + (size() - shown.size()) + " more (--limit N, or --limit -1 for all)");
    }
}
