package dev.tfblend.tune.storage;

import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Optuna's RDB schema at alembic revision {@code v3.2.0.a}: one description of its 13 tables,
 * rendered as the DDL each {@link Dialect} needs, and the check of an existing database's stamp.
 *
 * <p>On SQLite the rendered text is what SQLAlchemy emits for Optuna's models (SQLite keeps the
 * text in {@code sqlite_master}, and {@code OptunaInteropTest} compares it with a file created by
 * Python Optuna); on PostgreSQL the enum columns get Optuna's enum types and ids are {@code
 * SERIAL}.
 */
final class OptunaSchema {
  private OptunaSchema() {}

  /** The alembic revision written into new databases. */
  static final String HEAD = "v3.2.0.a";

  /** Alembic revisions this storage opens: same tables, columns and encodings. */
  static final Set<String> ACCEPTED = Set.of("v3.0.0.d", HEAD);

  /** {@code version_info.schema_version} of every Optuna 3.x to 5.0 database. */
  static final int SCHEMA_VERSION = 12;

  /** Column types, as SQLite and PostgreSQL spell them. */
  private enum Type {
    /** An autoincrement primary key. */
    ID("INTEGER", "SERIAL"),
    INT("INTEGER", "INTEGER"),
    FLOAT("FLOAT", "FLOAT(53)"),
    TEXT("TEXT", "TEXT"),
    DATETIME("DATETIME", "TIMESTAMP WITHOUT TIME ZONE");

    final String sqlite;
    final String postgres;

    Type(String sqlite, String postgres) {
      this.sqlite = sqlite;
      this.postgres = postgres;
    }
  }

  /**
   * One column: {@code type} is a {@link Type}, a {@code VARCHAR(n)} length, or an enum (a
   * VARCHAR of {@code length} on SQLite, the type {@code enumType} on PostgreSQL).
   */
  private record Column(String name, Type type, int length, String enumType, boolean notNull) {
    String render(Dialect d) {
      String t;
      if (enumType != null) {
        t = d == Dialect.POSTGRESQL ? enumType : "VARCHAR(" + length + ")";
      } else if (type == null) {
        t = "VARCHAR(" + length + ")";
      } else {
        t = d == Dialect.POSTGRESQL ? type.postgres : type.sqlite;
      }
      return quote(name) + " " + t + (notNull ? " NOT NULL" : "");
    }
  }

  /** A table: columns, then constraints (primary key, check, unique, foreign key) in order. */
  private record Table(String name, List<Column> columns, List<String> constraints) {}

  /** An index created right after its table. */
  private record Index(String name, boolean unique, String table, String column) {}

  private static Column col(String name, Type type, boolean notNull) {
    return new Column(name, type, 0, null, notNull);
  }

  private static Column varchar(String name, int length, boolean notNull) {
    return new Column(name, null, length, null, notNull);
  }

  private static Column enumCol(String name, String enumType, int length) {
    return new Column(name, null, length, enumType, true);
  }

  private static String quote(String name) {
    return name.equals("key") ? "\"key\"" : name;
  }

  private static String pk(String column) {
    return "PRIMARY KEY (" + column + ")";
  }

  private static String unique(String... columns) {
    return "UNIQUE (" + List.of(columns).stream().map(OptunaSchema::quote)
        .collect(Collectors.joining(", ")) + ")";
  }

  private static String fk(String column, String table) {
    return "FOREIGN KEY(" + column + ") REFERENCES " + table + " (" + column + ")";
  }

  private static Table attributes(String table, String owner, String ownerTable) {
    String id = table.substring(0, table.length() - 1) + "_id";
    return new Table(
        table,
        List.of(col(id, Type.ID, true), col(owner, Type.INT, false), varchar("key", 512, false),
            col("value_json", Type.TEXT, false)),
        List.of(pk(id), unique(owner, "key"), fk(owner, ownerTable)));
  }

  /** PostgreSQL enum types (created before the tables), name then labels. */
  private static final List<List<String>> ENUMS =
      List.of(
          List.of("studydirection", "NOT_SET", "MINIMIZE", "MAXIMIZE"),
          List.of("trialstate", "RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"),
          List.of("trialvaluetype", "FINITE", "INF_POS", "INF_NEG"),
          List.of("trialintermediatevaluetype", "FINITE", "INF_POS", "INF_NEG", "NAN"));

  private static final List<Table> TABLES =
      List.of(
          new Table("studies",
              List.of(col("study_id", Type.ID, true), varchar("study_name", 512, true)),
              List.of(pk("study_id"))),
          new Table("version_info",
              List.of(col("version_info_id", Type.INT, true), col("schema_version", Type.INT, false),
                  varchar("library_version", 256, false)),
              List.of(pk("version_info_id"), "CHECK (version_info_id=1)")),
          new Table("study_directions",
              List.of(col("study_direction_id", Type.ID, true),
                  enumCol("direction", "studydirection", 8), col("study_id", Type.INT, true),
                  col("objective", Type.INT, true)),
              List.of(pk("study_direction_id"), unique("study_id", "objective"),
                  fk("study_id", "studies"))),
          attributes("study_user_attributes", "study_id", "studies"),
          attributes("study_system_attributes", "study_id", "studies"),
          new Table("trials",
              List.of(col("trial_id", Type.ID, true), col("number", Type.INT, false),
                  col("study_id", Type.INT, false), enumCol("state", "trialstate", 8),
                  col("datetime_start", Type.DATETIME, false),
                  col("datetime_complete", Type.DATETIME, false)),
              List.of(pk("trial_id"), fk("study_id", "studies"))),
          attributes("trial_user_attributes", "trial_id", "trials"),
          attributes("trial_system_attributes", "trial_id", "trials"),
          new Table("trial_params",
              List.of(col("param_id", Type.ID, true), col("trial_id", Type.INT, false),
                  varchar("param_name", 512, false), col("param_value", Type.FLOAT, false),
                  col("distribution_json", Type.TEXT, false)),
              List.of(pk("param_id"), unique("trial_id", "param_name"), fk("trial_id", "trials"))),
          new Table("trial_values",
              List.of(col("trial_value_id", Type.ID, true), col("trial_id", Type.INT, true),
                  col("objective", Type.INT, true), col("value", Type.FLOAT, false),
                  enumCol("value_type", "trialvaluetype", 7)),
              List.of(pk("trial_value_id"), unique("trial_id", "objective"),
                  fk("trial_id", "trials"))),
          new Table("trial_intermediate_values",
              List.of(col("trial_intermediate_value_id", Type.ID, true),
                  col("trial_id", Type.INT, true), col("step", Type.INT, true),
                  col("intermediate_value", Type.FLOAT, false),
                  enumCol("intermediate_value_type", "trialintermediatevaluetype", 7)),
              List.of(pk("trial_intermediate_value_id"), unique("trial_id", "step"),
                  fk("trial_id", "trials"))),
          new Table("trial_heartbeats",
              List.of(col("trial_heartbeat_id", Type.ID, true), col("trial_id", Type.INT, true),
                  col("heartbeat", Type.DATETIME, true)),
              List.of(pk("trial_heartbeat_id"), unique("trial_id"), fk("trial_id", "trials"))),
          new Table("alembic_version",
              List.of(varchar("version_num", 32, true)),
              List.of("CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)")));

  private static final List<Index> INDEXES =
      List.of(
          new Index("ix_studies_study_name", true, "studies", "study_name"),
          new Index("ix_trials_study_id", false, "trials", "study_id"));

  /** The DDL statements that create the schema in {@code d}, in creation order. */
  static List<String> ddl(Dialect d) {
    List<String> out = new ArrayList<>();
    boolean sqlite = d == Dialect.SQLITE;
    if (!sqlite) {
      for (List<String> e : ENUMS) {
        out.add("CREATE TYPE " + e.get(0) + " AS ENUM ("
            + e.subList(1, e.size()).stream().map(l -> "'" + l + "'")
                .collect(Collectors.joining(", ")) + ")");
      }
    }
    String ifNotExists = sqlite ? "IF NOT EXISTS " : "";
    // SQLAlchemy's layout on SQLite, one element per line; one line on PostgreSQL.
    String open = sqlite ? " (\n\t" : " (";
    String sep = sqlite ? ", \n\t" : ", ";
    String close = sqlite ? "\n)" : ")";
    for (Table t : TABLES) {
      List<String> elements = new ArrayList<>();
      t.columns().forEach(c -> elements.add(c.render(d)));
      elements.addAll(t.constraints());
      out.add("CREATE TABLE " + ifNotExists + t.name() + open + String.join(sep, elements) + close);
      for (Index i : INDEXES) {
        if (i.table().equals(t.name())) {
          out.add("CREATE " + (i.unique() ? "UNIQUE " : "") + "INDEX " + ifNotExists + i.name()
              + " ON " + i.table() + " (" + i.column() + ")");
        }
      }
    }
    return out;
  }

  /**
   * Creates the schema in an empty database or checks the stamp of an existing one, and returns
   * the stamp ({@link #HEAD} for a new database).
   *
   * @throws BadInputException if the database has Optuna-like tables without a stamp, or a stamp
   *     outside {@link #ACCEPTED}
   */
  static String initialise(Connections db) {
    Dialect d = db.dialect();
    String stamp = db.tx(false, c -> d.tableExists(c, "alembic_version") ? readStamp(c) : null);
    if (stamp == null) {
      stamp =
          db.tx(
              true,
              c -> {
                d.lockSchemaCreation(c);
                if (d.tableExists(c, "alembic_version")) {
                  return readStamp(c);
                }
                if (d.tableExists(c, "studies")) {
                  throw BadInputException.of(
                      "%s has Optuna-like tables but no alembic_version stamp; tf-blend reads"
                          + " databases stamped %s",
                      db.location(), String.join(" or ", new TreeSet<>(ACCEPTED)));
                }
                try (Statement st = c.createStatement()) {
                  for (String statement : ddl(d)) {
                    st.execute(statement);
                  }
                }
                Connections.update(c, "INSERT INTO alembic_version (version_num) VALUES (?)", HEAD);
                Connections.update(
                    c,
                    "INSERT INTO version_info (version_info_id, schema_version, library_version)"
                        + " VALUES (1, ?, ?)",
                    SCHEMA_VERSION,
                    "tf-blend-" + BuildInfo.version());
                return HEAD;
              });
    }
    if (!ACCEPTED.contains(stamp)) {
      throw BadInputException.of(
          "%s is stamped with Optuna schema revision '%s' (table alembic_version); tf-blend reads"
              + " %s. Convert it with Python Optuna (optuna storage upgrade) to a release that"
              + " uses one of those.",
          db.location(), stamp, String.join(" or ", new TreeSet<>(ACCEPTED)));
    }
    return stamp;
  }

  private static String readStamp(Connection c) throws SQLException {
    List<String> stamps = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version_num FROM alembic_version")) {
      while (rs.next()) {
        stamps.add(rs.getString(1));
      }
    }
    if (stamps.size() != 1) {
      return stamps.isEmpty() ? "<none>" : String.join(",", stamps);
    }
    return stamps.get(0);
  }
}
