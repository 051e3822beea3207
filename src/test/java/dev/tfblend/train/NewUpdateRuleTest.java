package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.cli.TfBlendCommand;
import dev.tfblend.testing.SignSgdRule;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Adding an update rule takes its own file ({@link SignSgdRule}: math and hyperparameter table)
 * and one registration: the rule then trains through {@code tf-blend train}, and its
 * hyperparameters are checked by its table with the common message.
 */
class NewUpdateRuleTest {
  @TempDir Path tmp;

  private static int train(StringWriter err, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void aRegisteredRuleTrainsThroughTheTrainCommand() throws Exception {
    try (Optimizers.Registration r = Optimizers.registerRule(SignSgdRule.HYPERPARAMETERS,
        (h, structural) -> new SignSgdRule<>(h.get("lr")))) {
      Path out = tmp.resolve("run");
      StringWriter err = new StringWriter();
      int code = train(err, "train", "--optimizer", "signsgd", "--set", "lr=0.002", "--set", "data.source=blobs",
          "--set", "model.layers=40,16,10", "--epochs", "3", "--quiet", "--out", out.toString());
      assertEquals(0, code, err.toString());
      JsonNode result = new ObjectMapper().readTree(Files.readString(out.resolve("result.json")));
      assertEquals("signsgd", result.get("optimizer").asText());
      assertEquals(0.002, result.get("params").get("lr").asDouble());
      JsonNode epochs = result.get("epochs");
      double first = epochs.get(0).get("train_loss").asDouble();
      double last = epochs.get(epochs.size() - 1).get("train_loss").asDouble();
      assertTrue(last < first, "sign SGD should lower the training loss: " + first + " -> " + last);

      StringWriter bad = new StringWriter();
      assertEquals(2, train(bad, "train", "--optimizer", "signsgd", "--set", "lr=-1", "--set", "data.source=blobs",
          "--quiet", "--out", tmp.resolve("bad").toString()));
      assertTrue(bad.toString().contains("signsgd hyperparameter lr must be > 0, got -1.0"), bad.toString());
    }
    assertTrue(!Optimizers.names().contains("signsgd"), "the registration is removed on close");
  }
}
