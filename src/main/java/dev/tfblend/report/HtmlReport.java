package dev.tfblend.report;

import dev.tfblend.BadInputException;
import dev.tfblend.io.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Turns a Markdown report (such as {@code report.md}) into one self-contained HTML page: the same
 * headings, paragraphs, lists and tables (GitHub-flavoured), with every image embedded as a
 * base64 {@code data:} URI and the styling inline, so the file opens offline in any browser and
 * can be mailed or archived alone.
 *
 * <p>The page loads nothing from anywhere: no scripts, no style sheets, no fonts, no remote
 * images. Raw HTML in the Markdown is escaped, not passed through. Images must be local files
 * (paths relative to the image directory, as {@code report.md} refers to its charts); a remote
 * or missing image is an error rather than a broken page.
 *
 * <p>Stateless and thread-safe.
 */
public final class HtmlReport {
  private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());

  private static final Map<String, String> IMAGE_TYPES = Map.of(
      "png", "image/png", "jpg", "image/jpeg", "jpeg", "image/jpeg", "gif", "image/gif",
      "svg", "image/svg+xml", "webp", "image/webp");

  private static final String STYLE = """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
      max-width:1100px;margin:2em auto;padding:0 1.2em;color:#1f2328;line-height:1.5}
      h1,h2,h3{line-height:1.25}h1{border-bottom:1px solid #d0d7de;padding-bottom:.3em}
      h2{border-bottom:1px solid #eaeef2;padding-bottom:.2em;margin-top:1.8em}
      table{border-collapse:collapse;margin:1em 0;display:block;overflow-x:auto}
      th,td{border:1px solid #d0d7de;padding:.35em .7em}th{background:#f6f8fa}
      tr:nth-child(2n) td{background:#fbfcfd}td[align=right],th[align=right]{text-align:right}
      img{max-width:100%;height:auto;border:1px solid #eaeef2;margin:.5em 0}
      code{background:#f6f8fa;padding:.1em .3em;border-radius:4px;font-size:90%}
      footer{color:#656d76;font-size:85%;margin-top:3em}
      """;

  private HtmlReport() {}

  /**
   * The HTML page of {@code markdown}.
   *
   * @param title the page title (the browser tab); escaped
   * @param markdown the report text
   * @param imageDir the directory relative image paths are resolved against
   * @throws BadInputException naming the image when one is remote, missing or of an unknown type
   */
  public static String render(String title, String markdown, Path imageDir) {
    Parser parser = Parser.builder().extensions(EXTENSIONS).build();
    Node document = parser.parse(markdown);
    List<Image> images = new ArrayList<>();
    document.accept(new AbstractVisitor() {
      @Override
      public void visit(Image image) {
        images.add(image);
        visitChildren(image);
      }
    });
    for (Image image : images) {
      image.setDestination(dataUri(image.getDestination(), imageDir));
    }
    HtmlRenderer renderer = HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true).build();
    StringBuilder html = new StringBuilder(markdown.length() * 2);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
        .append(renderer.render(document))
        .append("<footer>Written by tf-blend; a self-contained page (charts embedded).</footer>\n")
        .append("</body>\n</html>\n");
    return html.toString();
  }

  /**
   * Writes the page of {@code markdown} to {@code target}, whole or not at all.
   *
   * @return {@code target}
   * @throws BadInputException for a bad image (see {@link #render}) or an unwritable target;
   *     nothing is written then
   */
  public static Path write(String title, String markdown, Path imageDir, Path target) {
    String html = render(title, markdown, imageDir);
    AtomicFile.write(target, "report", out -> out.write(html));
    return target;
  }

  private static String dataUri(String destination, Path imageDir) {
    if (destination == null || destination.isBlank()) {
      throw new BadInputException("report image with an empty path");
    }
    if (destination.startsWith("data:")) {
      return destination;
    }
    if (destination.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !destination.matches("^[A-Za-z]:[\\\\/].*")) {
      throw new BadInputException("report image " + destination
          + " is not a local file: a self-contained report embeds only local images");
    }
    Path file = imageDir.resolve(destination);
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : IMAGE_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    if (type == null) {
      throw new BadInputException("report image " + file + ": unknown image type (use "
          + String.join(", ", new java.util.TreeSet<>(IMAGE_TYPES.keySet())) + ")");
    }
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("report image " + file + " does not exist");
    }
    try {
      return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report image " + file + ": " + e.getMessage(), e);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
