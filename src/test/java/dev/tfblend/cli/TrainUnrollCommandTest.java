package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tf-blend train --optimizer blended --unroll K [--first-order]} and {@code gradcheck --unroll K}. */
class TrainUnrollCommandTest {
  @TempDir Path tmp;

  private static int exec(StringWriter o, StringWriter e, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(o, true));
    cl.setErr(new PrintWriter(e, true));
    return cl.execute(args);
  }

  @Test
  void unrolledRunSaysWhichMetaGradientItUsed() throws IOException {
    StringWriter e = new StringWriter();
    Path out = tmp.resolve("k3");
    assertEquals(0, exec(new StringWriter(), e, "train", "--optimizer", "blended", "--unroll", "3", "--first-order",
        "--epochs", "1", "--set", "data.source=blobs", "--quiet", "--out", out.toString()), e.toString());
    JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals(3, r.at("/meta_gradient/unroll").asInt());
    assertEquals("first-order", r.at("/meta_gradient/kind").asText());
    assertEquals("first", r.at("/meta_gradient/applied").asText());
    assertEquals(3.0, r.at("/params/unroll").asDouble());
    assertEquals(r.at("/params/total_steps").asInt(), r.at("/alpha_trace/per_step").size(),
        "one alpha per training batch");
    for (JsonNode a : r.at("/alpha_trace/per_step")) {
      assertTrue(a.asDouble() > 0 && a.asDouble() < 1, r.at("/alpha_trace/per_epoch").toString());
    }
  }

  @Test
  void unrollOptionsOnAnotherOptimizerExitTwo() {
    StringWriter e = new StringWriter();
    assertEquals(2, exec(new StringWriter(), e, "train", "--optimizer", "adam", "--unroll", "2",
        "--out", tmp.resolve("x").toString()));
    assertTrue(e.toString().contains("--unroll and --first-order apply to --optimizer blended only"), e.toString());
    assertFalse(Files.exists(tmp.resolve("x")));
    e = new StringWriter();
    assertEquals(2, exec(new StringWriter(), e, "train", "--optimizer", "blended", "--unroll", "0",
        "--out", tmp.resolve("y").toString()));
    assertTrue(e.toString().contains("blended hyperparameter unroll must be a positive integer"), e.toString());
  }

  @Test
  void gradcheckThroughThreeStepsExitsZero() {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    assertEquals(0, exec(o, e, "gradcheck", "--optimizer", "blended", "--unroll", "3"), e.toString());
    assertTrue(o.toString().contains("\"unroll\" : 3") && o.toString().contains("\"meta_gradient\" : \"exact\""),
        o.toString());
  }
}
