package org.obscura.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void padsColumnsAlignsNumbersRightAndLeavesNoTrailingSpaces() {
        String text = new TextTable("NAME", "N", "NOTE").alignRight(1)
                .row("a", 1, "x")
                .row("longer", 1234, null)
                .row("b", 5)
                .render();
        assertEquals("""
                NAME       N  NOTE
                a          1  x
                longer  1234  -
                b          5
                """, text);
    }

    @Test
    void refusesRowsWiderThanTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("A").row("1", "2"));
    }

    @Test
    void formatsValuesTheSameWhateverTheLocale() {
        assertEquals("29.9", DisplayValues.decimal(29.94));
        assertEquals("30", DisplayValues.decimal(30.0));
        assertEquals("0", DisplayValues.decimal(0));
        assertEquals("1023 B", DisplayValues.bytes(1023));
        assertEquals("1 KB", DisplayValues.bytes(1024));
        assertEquals("1.5 MB", DisplayValues.bytes(1024 * 1536));
        assertEquals("0.001 ms", DisplayValues.nanosAsMillis(1_000));
        assertEquals("12.346 ms", DisplayValues.nanosAsMillis(12_345_678));
    }
}
