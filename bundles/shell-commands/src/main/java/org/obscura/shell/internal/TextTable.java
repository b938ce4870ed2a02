package org.obscura.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for a terminal: a header row, then one row per item, columns padded to the widest cell
 * and separated by two spaces. Lines end with {@code \n} and carry no trailing spaces, so that output can be
 * compared and grepped. Not thread-safe; built and rendered by one command call.
 */
final class TextTable {

    private static final String GAP = "  ";

    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = headers.clone();
        this.rightAligned = new boolean[headers.length];
    }

    /** Aligns the given columns (0-based) to the right, for numbers. */
    TextTable alignRight(int... columns) {
        for (int c : columns) {
            rightAligned[c] = true;
        }
        return this;
    }

    /** Adds a row; {@code null} cells print as {@code -}, missing trailing cells as empty. */
    TextTable row(Object... cells) {
        if (cells.length > headers.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.length
                    + " columns");
        }
        String[] row = new String[headers.length];
        Arrays.fill(row, "");
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table, one line per row after the header, each ending with a line feed. */
    String render() {
        int[] widths = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            widths[c] = headers[c].length();
            for (String[] row : rows) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        for (String[] row : rows) {
            line(out, row, widths);
        }
        return out.toString();
    }

    private void line(StringBuilder out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                line.append(GAP);
            }
            String pad = " ".repeat(widths[c] - cells[c].length());
            if (rightAligned[c]) {
                line.append(pad).append(cells[c]);
            } else {
                line.append(cells[c]).append(pad);
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
