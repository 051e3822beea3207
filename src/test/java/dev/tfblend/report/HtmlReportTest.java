package dev.tfblend.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.plot.ChartWriter;
import dev.tfblend.plot.MarkdownTable;
import dev.tfblend.plot.StudyPlots;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HtmlReport}: a report in the shape of {@code report.md} (headings, tables, bullet list,
 * charts) becomes one page with the charts embedded and nothing loaded from elsewhere. Set
 * {@code -Dtfblend.reportSample=FILE} to keep the sample page.
 */
class HtmlReportTest {
  @TempDir Path tmp;

  private String sampleMarkdown(Path dir) {
    List<FrozenTrial> trials = new ArrayList<>();
    FloatDistribution lr = new FloatDistribution(1e-4, 1e-1, true, null);
    FloatDistribution mom = new FloatDistribution(0.5, 0.99, false, null);
    double[][] p = {{3e-3, 0.9, 1.31}, {5e-2, 0.6, 1.40}, {2e-4, 0.95, 1.62}, {1e-2, 0.7, 1.26}};
    for (int i = 0; i < p.length; i++) {
      TreeMap<Integer, Double> iv = new TreeMap<>(Map.of(0, p[i][2] + 0.4, 1, p[i][2]));
      trials.add(new FrozenTrial(i, i, TrialState.COMPLETE, p[i][2], null, null,
          Map.of("lr", p[i][0], "momentum", p[i][1]), Map.of("lr", lr, "momentum", mom), iv,
          Map.of(), Map.of()));
    }
    List<Path> charts = StudyPlots.writeAll("SGD", StudyDirection.MINIMIZE, trials, dir);
    MarkdownTable t = new MarkdownTable("optimizer", "final val loss", "test accuracy");
    t.addRow("DynamicBlended", 1.3271, 0.583);
    t.addRow("SGD <script>alert(1)</script>", 1.2555, 0.566);
    StringBuilder md = new StringBuilder("# tf-blend tune: sample\n\nSeed 42; 4 trials.\n\n");
    md.append("## Final runs\n\n").append(t.render()).append('\n');
    md.append("## Charts\n\n");
    for (Path c : charts) {
      md.append("![").append(c.getFileName()).append("](").append(c.getFileName()).append(")\n\n");
    }
    md.append("## What this run supports\n\n- one seed per optimizer\n- the budget is small\n");
    return md.toString();
  }

  @Test
  void embedsEveryChartAndLoadsNothingFromElsewhere() throws Exception {
    String md = sampleMarkdown(tmp);
    Path target = tmp.resolve("report.html");
    HtmlReport.write("tf-blend tune: sample", md, tmp, target);
    String keep = System.getProperty("tfblend.reportSample");
    if (keep != null && !keep.isBlank()) {
      Files.copy(target, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    String html = Files.readString(target);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<title>tf-blend tune: sample</title>"));
    assertTrue(html.contains("<h2>Final runs</h2>"));
    assertTrue(html.contains("<table>") && html.contains("<th"), "GFM table rendered");
    assertTrue(html.contains("<td>DynamicBlended</td>"), html);
    assertTrue(html.contains("<li>one seed per optimizer</li>"));
    // raw HTML in the text is shown, not run
    assertFalse(html.contains("<script"), "no script element");
    assertTrue(html.contains("&lt;script&gt;"));
    // every image is a data URI whose bytes are the chart file's bytes
    Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" alt=\"([^\"]+)\"")
        .matcher(html);
    int n = 0;
    while (m.find()) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve(m.group(2))),
          Base64.getDecoder().decode(m.group(1)), m.group(2));
      n++;
    }
    assertEquals(4, n);
    // nothing external: no src/href to another resource, no style sheet or font link
    assertFalse(Pattern.compile("(src|href)=\"(?!data:|#)").matcher(html).find(), "external reference");
    assertFalse(html.contains("<link") || html.contains("@import") || html.contains("url("));
  }

  @Test
  void missingOrRemoteImagesAreErrorsAndNothingIsWritten() {
    Path target = tmp.resolve("report.html");
    BadInputException missing = assertThrows(BadInputException.class,
        () -> HtmlReport.write("t", "![x](nope.png)\n", tmp, target));
    assertTrue(missing.getMessage().contains("nope.png"), missing.getMessage());
    BadInputException remote = assertThrows(BadInputException.class,
        () -> HtmlReport.write("t", "![x](https://example.org/a.png)\n", tmp, target));
    assertTrue(remote.getMessage().contains("not a local file"), remote.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void writesImagesFromChartWriterAsIs() throws Exception {
    Path png = tmp.resolve("one.png");
    ChartWriter.writePng(new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB), png);
    String html = HtmlReport.render("t", "![one](one.png)", tmp);
    assertTrue(html.contains("data:image/png;base64,"
        + Base64.getEncoder().encodeToString(Files.readAllBytes(png))));
  }
}
