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
    private final List<Map<String, Object>> rows = new ArrayList<>();

    Table(String... columns) {
        this.columns = List.of(columns);
    }

    /** Adds a row: one value per column, in order. */
    Table add(Object... values) {
        if (values.length != columns.size()) throw new IllegalArgumentException(values.length + " values for " + columns);
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) row.put(columns.get(i), values[i]);
        rows.add(row);
        return this;
    }

    int size() {
        return rows.size();
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
        if (shown.size() < rows.size()) out.println("... " + (rows.size() - shown.size()) + " more (--limit N, or --limit -1 for all)");
    }
}
