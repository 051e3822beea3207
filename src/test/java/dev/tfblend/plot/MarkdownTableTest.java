package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

  @Test
  void rendersAlignedTableWithNumbersRightAligned() {
    String md = new MarkdownTable("optimizer", "val loss", "trials")
        .addRow("DynamicBlended", 0.76561, 5)
        .addRow("Adam", 1.0807, 5)
        .addRow("SGD", null, 4)
        .render();
    assertEquals(
        "| optimizer      | val loss | trials |\n"
            + "| -------------- | -------: | -----: |\n"
            + "| DynamicBlended |   0.7656 |      5 |\n"
            + "| Adam           |   1.0807 |      5 |\n"
            + "| SGD            |        \u2014 |      4 |\n",
        md);
  }

  @Test
  void formatsSmallAndLargeNumbersInScientificNotation() {
    MarkdownTable t = new MarkdownTable("x");
    assertEquals("0.0000", t.formatNumber(0.0));
    assertEquals("0.0000", t.formatNumber(-0.0));
    assertEquals("0.0010", t.formatNumber(0.001));
    assertEquals("3.162e-05", t.formatNumber(3.16227e-5));
    assertEquals("-2.500e+06", t.formatNumber(-2.5e6));
    assertEquals("12.0000", t.formatNumber(12));
    assertEquals("NaN", t.formatNumber(Double.NaN));
    assertEquals("-inf", t.formatNumber(Double.NEGATIVE_INFINITY));
    assertEquals("0.77", new MarkdownTable("x").decimals(2).formatNumber(0.7656));
  }

  @Test
  void floatsAreFormattedLikeDoublesAndTextIsEscaped() {
    String md = new MarkdownTable("param", "value")
        .addRow("lr|adam", 0.1f)
        .addRow("note\nline", "a")
        .render();
    assertEquals(
        "| param     | value  |\n"
            + "| --------- | ------ |\n"
            + "| lr\\|adam  | 0.1000 |\n"
            + "| note line | a      |\n",
        md);
  }

  @Test
  void rowWithWrongCellCountIsRejectedNamingTheRow() {
    MarkdownTable t = new MarkdownTable("a", "b").addRow(1, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> t.addRow(1, 2, 3));
    assertEquals("row 2 has 3 cells but the header has 2 columns", e.getMessage());
    assertEquals("header must name at least one column",
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable()).getMessage());
  }
}
