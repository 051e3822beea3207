package dev.tfblend.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options {@code train} and {@code tune} share: a JSON config and the two fields most often
 * overridden. Fields are named after the config fields they set (see {@link OptionFields}); a
 * {@code null} field means the user did not give the option, so the config's value stands.
 */
final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "JSON config; fields it lacks come"
      + " from the defaults (tune: the embedded configs/seed-experiment.json).")
  Path config;

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs (tune: per trial and per final run). Default: the config's (10).")
  Integer epochs;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed (tune: the study's). Default: the config's (train 0, tune 42).")
  Long seed;
}
