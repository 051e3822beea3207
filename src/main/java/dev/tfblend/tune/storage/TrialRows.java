package dev.tfblend.tune.storage;

import static dev.tfblend.tune.storage.Connections.bind;
import static dev.tfblend.tune.storage.Connections.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;

/**
 * The SQL of {@link RdbStorage}'s trial reads and writes, and the encoding of trial data in
 * Optuna's tables. Every method runs inside a transaction its caller opened ({@link
 * Connections#tx}) and never commits.
 *
 * <p>Encoding, as Optuna's: trial datetimes are naive local time in the zone of the trial clock;
 * values are finite, or NULL with value type {@code INF_POS}/{@code INF_NEG}; an intermediate NaN
 * is NULL with type {@code NAN}; params are the internal double plus Optuna's {@code
 * distribution_json}; attributes are JSON text.
 */
final class TrialRows {
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();

  private final Dialect dialect;
  private final Clock clock;

  /** @param clock the clock of trial datetimes; its zone is the zone the naive times are in */
  TrialRows(Dialect dialect, Clock clock) {
    this.dialect = dialect;
    this.clock = clock;
  }

  /** The trial clock's current naive local time, to the microsecond (Optuna's resolution). */
  LocalDateTime now() {
    return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
  }

  private Instant toInstant(LocalDateTime t) {
    return t == null ? null : t.atZone(clock.getZone()).toInstant();
  }

  private String e(String type) {
    return dialect.enumParam(type);
  }

  static NoSuchElementException noStudy(long studyId) {
    return new NoSuchElementException("no study with id " + studyId);
  }

  private static NoSuchElementException noTrial(long trialId) {
    return new NoSuchElementException("no trial with id " + trialId);
  }

  // ---- studies and rows

  /** Fails for an unknown study id; on PostgreSQL also locks the study row until commit. */
  void lockStudy(Connection c, long studyId, boolean lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT study_id FROM studies WHERE study_id = ?" + (lock ? dialect.forUpdate() : ""))) {
      ps.setLong(1, studyId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw noStudy(studyId);
        }
      }
    }
  }

  /** A trial's study, number and state. */
  record TrialRow(long studyId, int number, TrialState state) {}

  /** Reads (and on PostgreSQL locks) a trial's row; fails for unknown ids. */
  TrialRow trialRow(Connection c, long trialId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT study_id, number, state FROM trials WHERE trial_id = ?" + dialect.forUpdate())) {
      ps.setLong(1, trialId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw noTrial(trialId);
        }
        return new TrialRow(rs.getLong(1), rs.getInt(2), TrialState.valueOf(rs.getString(3)));
      }
    }
  }

  /** {@link #trialRow}, refusing a finished trial with {@link IllegalStateException}. */
  TrialRow updatable(Connection c, long trialId) throws SQLException {
    TrialRow row = trialRow(c, trialId);
    if (row.state().isFinished()) {
      throw new IllegalStateException(
          "trial " + row.number() + " (id " + trialId + ") is " + row.state() + " and cannot change");
    }
    return row;
  }

  // ---- writes

  /**
   * Inserts a trial from a template with the study's next number (the caller holds the study
   * lock) and returns its id; start = now unless WAITING, completion = now when finished.
   */
  long insertTrial(Connection c, long studyId, FrozenTrial template) throws SQLException {
    for (Map.Entry<String, Distribution> d : template.distributions().entrySet()) {
      checkStudyDistribution(c, studyId, d.getKey(), d.getValue());
    }
    int number;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT COUNT(*) FROM trials WHERE study_id = ?")) {
      ps.setLong(1, studyId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        number = rs.getInt(1);
      }
    }
    LocalDateTime now = now();
    long trialId;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete)"
                + " VALUES (?, ?, " + e("trialstate") + ", ?, ?) RETURNING trial_id")) {
      ps.setInt(1, number);
      ps.setLong(2, studyId);
      ps.setString(3, template.state().name());
      dialect.setDateTime(ps, 4, template.state() == TrialState.WAITING ? null : now);
      dialect.setDateTime(ps, 5, template.isFinished() ? now : null);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        trialId = rs.getLong(1);
      }
    }
    for (Map.Entry<String, Distribution> p : template.distributions().entrySet()) {
      insertParam(c, trialId, p.getKey(), template.internalParam(p.getKey()), p.getValue());
    }
    if (template.value() != null) {
      putValue(c, trialId, template.value());
    }
    for (Map.Entry<Integer, Double> iv : template.intermediateValues().entrySet()) {
      putIntermediate(c, trialId, iv.getKey(), iv.getValue());
    }
    for (Map.Entry<String, Object> a : template.userAttrs().entrySet()) {
      putAttr(c, false, trialId, a.getKey(), toJson(a.getValue()));
    }
    for (Map.Entry<String, Object> a : template.systemAttrs().entrySet()) {
      putAttr(c, true, trialId, a.getKey(), toJson(a.getValue()));
    }
    return trialId;
  }

  /** The id of the study's oldest WAITING trial, or -1 when none waits. */
  long oldestWaiting(Connection c, long studyId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT trial_id FROM trials WHERE study_id = ? AND state = " + e("trialstate")
                + " ORDER BY number LIMIT 1")) {
      ps.setLong(1, studyId);
      ps.setString(2, TrialState.WAITING.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /**
   * Sets a trial's state and one of its datetime columns ({@code datetime_start} or {@code
   * datetime_complete}) to now; with {@code onlyFrom} not null, only while the trial is in that
   * state. Returns the number of rows changed (0 or 1).
   */
  int setState(Connection c, long trialId, TrialState state, String datetimeColumn,
      TrialState onlyFrom) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE trials SET state = " + e("trialstate") + ", " + datetimeColumn
                + " = ? WHERE trial_id = ?"
                + (onlyFrom == null ? "" : " AND state = " + e("trialstate")))) {
      ps.setString(1, state.name());
      dialect.setDateTime(ps, 2, now());
      ps.setLong(3, trialId);
      if (onlyFrom != null) {
        ps.setString(4, onlyFrom.name());
      }
      return ps.executeUpdate();
    }
  }

  /**
   * Checks {@code d} against the distribution {@code name} has in the study's other trials.
   *
   * @throws IllegalArgumentException when they are incompatible
   */
  void checkStudyDistribution(Connection c, long studyId, String name, Distribution d)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id"
                + " WHERE t.study_id = ? AND p.param_name = ? LIMIT 1")) {
      ps.setLong(1, studyId);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          Distribution.checkCompatibility(name, Distribution.fromJson(rs.getString(1)), d);
        }
      }
    }
  }

  /** Whether the trial has a param named {@code name}. */
  boolean hasParam(Connection c, long trialId, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM trial_params WHERE trial_id = ? AND param_name = ?")) {
      ps.setLong(1, trialId);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  void insertParam(Connection c, long trialId, String name, double internal, Distribution d)
      throws SQLException {
    update(
        c,
        "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)"
            + " VALUES (?, ?, ?, ?)",
        trialId, name, internal, d.toJson());
  }

  /** Optuna's value type of a trial value or intermediate value. */
  private static String valueType(double v) {
    if (Double.isNaN(v)) {
      return "NAN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "INF_POS" : "INF_NEG";
    }
    return "FINITE";
  }

  private static Double decode(ResultSet rs, int valueColumn, int typeColumn) throws SQLException {
    String type = rs.getString(typeColumn);
    return switch (type) {
      case "FINITE" -> rs.getDouble(valueColumn);
      case "INF_POS" -> Double.POSITIVE_INFINITY;
      case "INF_NEG" -> Double.NEGATIVE_INFINITY;
      case "NAN" -> Double.NaN;
      default -> throw new IllegalStateException("unknown value type '" + type + "' in the database");
    };
  }

  /**
   * Inserts or replaces the row {@code (trial_id, keyColumn)} of a value table: the value
   * column holds finite values, NULL otherwise, and {@code <valueColumn>_type} says which.
   */
  private void upsertValue(Connection c, String table, String keyColumn, String valueColumn,
      String enumType, long trialId, int key, double value) throws SQLException {
    update(
        c,
        "INSERT INTO " + table + " (trial_id, " + keyColumn + ", " + valueColumn + ", "
            + valueColumn + "_type) VALUES (?, ?, ?, " + e(enumType) + ") ON CONFLICT (trial_id, " + keyColumn
            + ") DO UPDATE SET " + valueColumn + " = excluded." + valueColumn + ", "
            + valueColumn + "_type = excluded." + valueColumn + "_type",
        trialId, key, Double.isFinite(value) ? value : null, valueType(value));
  }

  void putValue(Connection c, long trialId, double value) throws SQLException {
    upsertValue(c, "trial_values", "objective", "value", "trialvaluetype", trialId, 0, value);
  }

  void putIntermediate(Connection c, long trialId, int step, double value) throws SQLException {
    upsertValue(c, "trial_intermediate_values", "step", "intermediate_value",
        "trialintermediatevaluetype", trialId, step, value);
  }

  /** Inserts or replaces a user ({@code system} false) or system attribute given as JSON text. */
  void putAttr(Connection c, boolean system, long trialId, String key, String json)
      throws SQLException {
    update(
        c,
        "INSERT INTO " + (system ? "trial_system_attributes" : "trial_user_attributes")
            + " (trial_id, \"key\", value_json) VALUES (?, ?, ?)"
            + " ON CONFLICT (trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
        trialId, key, json);
  }

  /**
   * An attribute value as JSON text.
   *
   * @throws IllegalArgumentException if the value is not JSON-like
   */
  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("attribute value is not JSON-like: " + value, e);
    }
  }

  static Object fromJson(String json) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new StorageException("attribute JSON in the database is not valid: " + json, e);
    }
  }

  // ---- study attributes

  /** The study's user ({@code system} false) or system attributes, by key, in key order. */
  Map<String, Object> readStudyAttrs(Connection c, boolean system, long studyId) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT \"key\", value_json FROM " + studyAttrTable(system)
                + " WHERE study_id = ? ORDER BY \"key\"")) {
      ps.setLong(1, studyId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), fromJson(rs.getString(2)));
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The JSON text of one study attribute, or null when absent. */
  String readStudyAttrJson(Connection c, boolean system, long studyId, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT value_json FROM " + studyAttrTable(system) + " WHERE study_id = ? AND \"key\" = ?")) {
      ps.setLong(1, studyId);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Inserts or replaces a study attribute given as JSON text. */
  void putStudyAttr(Connection c, boolean system, long studyId, String key, String json)
      throws SQLException {
    update(
        c,
        "INSERT INTO " + studyAttrTable(system) + " (study_id, \"key\", value_json) VALUES (?, ?, ?)"
            + " ON CONFLICT (study_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
        studyId, key, json);
  }

  private static String studyAttrTable(boolean system) {
    return system ? "study_system_attributes" : "study_user_attributes";
  }

  /** Whether two JSON texts encode the same value (Jackson's tree equality). */
  static boolean sameJson(String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    try {
      return JSON.readTree(a).equals(JSON.readTree(b));
    } catch (JsonProcessingException e) {
      throw new StorageException("attribute JSON in the database is not valid: " + a, e);
    }
  }

  // ---- reads

  /** Collects one trial's rows while a read runs. */
  private static final class TrialParts {
    final long trialId;
    final int number;
    final TrialState state;
    final Instant start;
    final Instant complete;
    Double value;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Distribution> distributions = new LinkedHashMap<>();
    final TreeMap<Integer, Double> intermediate = new TreeMap<>();
    final Map<String, Object> userAttrs = new LinkedHashMap<>();
    final Map<String, Object> systemAttrs = new LinkedHashMap<>();

    TrialParts(long trialId, int number, TrialState state, Instant start, Instant complete) {
      this.trialId = trialId;
      this.number = number;
      this.state = state;
      this.start = start;
      this.complete = complete;
    }

    FrozenTrial freeze() {
      return new FrozenTrial(
          trialId, number, state, value, start, complete, params, distributions, intermediate,
          userAttrs, systemAttrs);
    }
  }

  /**
   * Reads the trials selected by {@code where} (a condition on {@code t}, the trials table, with
   * parameters {@code args}) and their rows in the other tables, ordered by number.
   */
  List<FrozenTrial> readTrials(Connection c, String where, Object... args) throws SQLException {
    Map<Long, TrialParts> parts = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete"
                + " FROM trials t WHERE " + where + " ORDER BY t.number, t.trial_id")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          parts.put(
              id,
              new TrialParts(
                  id,
                  rs.getInt(2),
                  TrialState.valueOf(rs.getString(3)),
                  toInstant(dialect.getDateTime(rs, 4)),
                  toInstant(dialect.getDateTime(rs, 5))));
        }
      }
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    String join = " JOIN trials t ON t.trial_id = x.trial_id WHERE " + where;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.param_name, x.param_value, x.distribution_json"
                + " FROM trial_params x" + join + " ORDER BY x.param_id")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TrialParts p = parts.get(rs.getLong(1));
          Distribution d = Distribution.fromJson(rs.getString(4));
          p.params.put(rs.getString(2), d.toExternal(rs.getDouble(3)));
          p.distributions.put(rs.getString(2), d);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.value, x.value_type FROM trial_values x" + join
                + " AND x.objective = 0")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.get(rs.getLong(1)).value = decode(rs, 2, 3);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.step, x.intermediate_value, x.intermediate_value_type"
                + " FROM trial_intermediate_values x" + join)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.get(rs.getLong(1)).intermediate.put(rs.getInt(2), decode(rs, 3, 4));
        }
      }
    }
    for (boolean system : new boolean[] {false, true}) {
      String table = system ? "trial_system_attributes" : "trial_user_attributes";
      String id = system ? "trial_system_attribute_id" : "trial_user_attribute_id";
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT x.trial_id, x.\"key\", x.value_json FROM " + table + " x" + join
                  + " ORDER BY x." + id)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            TrialParts p = parts.get(rs.getLong(1));
            (system ? p.systemAttrs : p.userAttrs).put(rs.getString(2), fromJson(rs.getString(3)));
          }
        }
      }
    }
    List<FrozenTrial> out = new ArrayList<>(parts.size());
    for (TrialParts p : parts.values()) {
      out.add(p.freeze());
    }
    return Collections.unmodifiableList(out);
  }

  /** One trial by id. @throws NoSuchElementException for an unknown id */
  FrozenTrial readTrial(Connection c, long trialId) throws SQLException {
    List<FrozenTrial> found = readTrials(c, "t.trial_id = ?", trialId);
    if (found.isEmpty()) {
      throw noTrial(trialId);
    }
    return found.get(0);
  }

  /** {@code t.study_id = ? AND t.state IN (...)}, appending its arguments to {@code args}. */
  String studyStatesWhere(Set<TrialState> states, List<Object> args, long studyId) {
    args.add(studyId);
    if (states.containsAll(EnumSet.allOf(TrialState.class))) {
      return "t.study_id = ?";
    }
    StringBuilder sb = new StringBuilder("t.study_id = ? AND t.state IN (");
    int i = 0;
    for (TrialState s : states) {
      sb.append(i++ == 0 ? "" : ", ").append(e("trialstate"));
      args.add(s.name());
    }
    return sb.append(')').toString();
  }

  /** The number of trials {@code where} selects (a condition on {@code t}, as in readTrials). */
  int countTrials(Connection c, String where, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM trials t WHERE " + where)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
