package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Maps between a command's options and the config fields they set, through the name of the
 * field each option annotates: a command names its option fields after config fields
 * ({@code numSamples} for {@code --num-samples}), and messages about a field then name the option
 * the user typed.
 */
final class OptionFields {
  private OptionFields() {}

  /** Field name to option name (the longest), for every option annotating a field. */
  static Map<String, String> optionByField(CommandSpec spec) {
    Map<String, String> m = new LinkedHashMap<>();
    for (OptionSpec o : spec.options()) {
      if (o.userObject() instanceof Field f) {
        m.put(f.getName(), o.longestName());
      }
    }
    return m;
  }

  /** The values of those of {@code fields} that the user gave on the command line, by field name. */
  static Map<String, Object> given(CommandSpec spec, Collection<String> fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (OptionSpec o : spec.options()) {
      if (o.userObject() instanceof Field f && fields.contains(f.getName()) && o.getValue() != null) {
        m.put(f.getName(), o.getValue());
      }
    }
    return m;
  }

  /**
   * {@code e} with the option named in front when its message starts with the name of a field an
   * option sets ({@code numSamples must be ...} becomes {@code --num-samples: numSamples must be
   * ...}); {@code e} itself otherwise.
   */
  static BadInputException blameOption(CommandSpec spec, BadInputException e) {
    String msg = e.getMessage();
    for (Map.Entry<String, String> en : optionByField(spec).entrySet()) {
      if (msg.startsWith(en.getKey() + " ") || msg.startsWith(en.getKey() + ":")) {
        return new BadInputException(en.getValue() + ": " + msg, e);
      }
    }
    return e;
  }
}
