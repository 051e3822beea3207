package dev.tfblend.optim;

import dev.tfblend.BadInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameters of one optimizer, declared once beside its update rule, in a stable order
 * (the order of the graph variables that hold them). Every place that takes hyperparameter values
 * ({@code --set}, configs, search spaces, {@code train}, {@code tune}) checks them here, so a bad
 * value gets the same message wherever it comes from:
 *
 * <pre>
 *   &lt;optimizer&gt; hyperparameter &lt;key&gt; must be &lt;domain&gt;, got &lt;value&gt;
 *   &lt;optimizer&gt; hyperparameter &lt;key&gt; must be a finite number &lt;domain&gt;, got NaN
 *   &lt;optimizer&gt; has no hyperparameter &lt;key&gt; (known: a, b, c)
 *   &lt;optimizer&gt; hyperparameter &lt;key&gt;: search range [low, high] leaves its domain &lt;domain&gt;
 * </pre>
 *
 * Immutable.
 */
public final class HyperparameterTable {
  private final String optimizer;
  private final Map<String, Hyperparameter> entries;

  private HyperparameterTable(String optimizer, List<Hyperparameter> entries) {
    this.optimizer = optimizer;
    Map<String, Hyperparameter> m = new LinkedHashMap<>();
    for (Hyperparameter h : entries) {
      if (m.put(h.name(), h) != null) {
        throw new IllegalArgumentException("hyperparameter " + h.name() + " declared twice for " + optimizer);
      }
    }
    this.entries = Collections.unmodifiableMap(m);
  }

  /** The table of {@code optimizer} (the name used in messages), in the given order. */
  public static HyperparameterTable of(String optimizer, List<Hyperparameter> entries) {
    return new HyperparameterTable(optimizer, entries);
  }

  /** This table under another optimizer name (the entries are shared). */
  public HyperparameterTable named(String newOptimizer) {
    return new HyperparameterTable(newOptimizer, List.copyOf(entries.values()));
  }

  /** The optimizer name used in messages. */
  public String optimizer() {
    return optimizer;
  }

  /** The entries, in declaration order. */
  public List<Hyperparameter> entries() {
    return List.copyOf(entries.values());
  }

  /** Every key with its default, in declaration order. */
  public Map<String, Double> defaults() {
    Map<String, Double> d = new LinkedHashMap<>();
    entries.values().forEach(h -> d.put(h.name(), h.defaultValue()));
    return Collections.unmodifiableMap(d);
  }

  /** The defaults of the values fed to the graph (not the structural keys), in declaration order. */
  public Map<String, Double> operandDefaults() {
    Map<String, Double> d = new LinkedHashMap<>();
    entries.values().stream().filter(h -> !h.structural()).forEach(h -> d.put(h.name(), h.defaultValue()));
    return d;
  }

  /** The entry {@code key}; a {@link BadInputException} in the table's format if there is none. */
  public Hyperparameter get(String key) {
    Hyperparameter h = entries.get(key);
    if (h == null) {
      throw BadInputException.of("%s has no hyperparameter %s (known: %s)", optimizer, key,
          String.join(", ", entries.keySet()));
    }
    return h;
  }

  /** Checks one value: a known key, finite and inside its domain. */
  public void check(String key, Double value) {
    Hyperparameter h = get(key);
    if (value == null || !Double.isFinite(value)) {
      throw BadInputException.of("%s hyperparameter %s must be a finite number %s, got %s", optimizer, key,
          h.domain(), value);
    }
    if (!h.domain().contains(value)) {
      throw BadInputException.of("%s hyperparameter %s must be %s, got %s", optimizer, key, h.domain(), value);
    }
  }

  /** Checks every value of {@code values} ({@link #check(String, Double)}). */
  public void check(Map<String, Double> values) {
    values.forEach(this::check);
  }

  /**
   * Checks a search range of {@code key}: every value it can produce must lie in the key's
   * domain, so a study is refused before its first trial rather than failing in one.
   *
   * @param integerValued whether the range only produces integers
   */
  public void checkRange(String key, double low, double high, boolean integerValued) {
    Hyperparameter h = get(key);
    if (!h.domain().admitsRange(low, high, integerValued)) {
      throw BadInputException.of("%s hyperparameter %s: search range [%s, %s] leaves its domain %s", optimizer, key,
          low, high, h.domain());
    }
  }

  /** {@link #defaults()} overridden by {@code values}, each checked. */
  public Map<String, Double> effective(Map<String, Double> values) {
    check(values);
    Map<String, Double> all = new LinkedHashMap<>(defaults());
    all.putAll(values);
    return Collections.unmodifiableMap(all);
  }

  /** A table holding this one's entries, then {@code more}. */
  public HyperparameterTable plus(List<Hyperparameter> more) {
    List<Hyperparameter> all = new ArrayList<>(entries.values());
    all.addAll(more);
    return new HyperparameterTable(optimizer, all);
  }
}
