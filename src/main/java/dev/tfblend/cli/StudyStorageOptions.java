package dev.tfblend.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the read-only study commands ({@code studies}, {@code best-trial}) share: the required
 * {@code --storage URL} of an existing study database, and printing their answer to the
 * command's standard output, as text or as indented JSON.
 */
final class StudyStorageOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec spec;

  @Option(names = "--storage", required = true, paramLabel = "URL",
      description = "sqlite:PATH, sqlite:///PATH or postgresql://HOST:PORT/DB?user=U.")
  String storage;

  /** Opens the storage ({@link StudyStorageAccess#openExisting}: one that does not exist is bad input). */
  TrialStorage open() {
    return StudyStorageAccess.openExisting(storage);
  }

  /** Prints {@code value} as indented JSON and a line break. */
  void printJson(Object value) throws JsonProcessingException {
    print(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value)
        + System.lineSeparator());
  }

  /** Prints {@code text} as it is. */
  void print(String text) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
  }
}
