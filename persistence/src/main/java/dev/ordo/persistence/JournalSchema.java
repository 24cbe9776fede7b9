package dev.ordo.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.h2.api.ErrorCode;

/**
 * Creates the journal, snapshot, tag and durable-state tables when they are missing, with the DDL
 * that pekko-persistence-jdbc ships for the database ({@code schema/h2/h2-create-schema.sql},
 * {@code schema/postgres/postgres-create-schema.sql} in its jar; the plugin does not run them
 * itself). Run it before the first persistent actor starts.
 */
public final class JournalSchema {

  private JournalSchema() {}

  /**
   * Creates the tables of the configured database if missing, on the blocking-I/O dispatcher;
   * idempotent (a statement whose table or index exists already is skipped).
   *
   * @return completes when done; fails with the database's {@link SQLException} when a statement fails otherwise
   */
  public static CompletionStage<Done> createIfMissing(ActorSystem<?> system) {
    Config config = system.settings().config();
    return CompletableFuture.supplyAsync(() -> {
      try {
        create(config);
        return Done.getInstance();
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * Runs the plugin's create-schema script for the database of {@code config} (completed by
   * {@link JournalSettings#withJournal}).
   *
   * @throws SQLException when a statement fails for another reason than an existing table or index
   */
  public static void create(Config config) throws SQLException {
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    String url = db.getString("url");
    Properties properties = new Properties();
    properties.setProperty("user", db.getString("user"));
    properties.setProperty("password", db.getString("password"));
    try (Connection connection = DriverManager.getConnection(url, properties); Statement statement = connection.createStatement()) {
      // The nodes of a cluster start together on one PostgreSQL database: one creates the tables while the others wait for it
      // (a session-level advisory lock, released when the connection closes), then find them there. Without it two CREATE TABLE
      // of one table race and one fails on PostgreSQL's catalog ("duplicate key ... pg_type_typname_nsp_index"). The others poll
      // with pg_try_advisory_lock instead of blocking in pg_advisory_lock: a waiting statement is an open transaction, which the
      // holder's CREATE INDEX waits for, a deadlock PostgreSQL breaks by failing one of them.
      boolean postgres = url.startsWith("jdbc:postgresql:");
      if (postgres) awaitSchemaLock(statement);
      for (String sql : statements(script(url))) {
        try {
          statement.execute(sql);
        } catch (SQLException e) {
          if (!alreadyExists(e)) throw e;
        }
      }
      if (postgres) statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
    }
  }

  /**
   * Takes the schema's advisory lock on {@code statement}'s session, trying every 100 ms for up to a minute.
   *
   * @throws SQLException when another session held it all that time
   */
  private static void awaitSchemaLock(Statement statement) throws SQLException {
    for (int attempt = 0; attempt < 600; attempt++) {
      try (java.sql.ResultSet row = statement.executeQuery("SELECT pg_try_advisory_lock(" + SCHEMA_LOCK + ")")) {
        row.next();
        if (row.getBoolean(1)) return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for another node to create the journal's tables", e);
      }
    }
    throw new SQLException("another session held the journal schema's lock for a minute (advisory lock " + SCHEMA_LOCK + "): is a node stuck creating it?");
  }

  /** The PostgreSQL advisory lock key the schema's creation holds ("ordo" in ASCII). */
  static final long SCHEMA_LOCK = 0x6f72646fL;

  /** The plugin's create-schema resource for the database of {@code url}. */
  static String script(String url) {
    if (url.startsWith("jdbc:h2:")) return "schema/h2/h2-create-schema.sql";
    if (url.startsWith("jdbc:postgresql:")) return "schema/postgres/postgres-create-schema.sql";
    throw new IllegalArgumentException("no journal schema for " + JournalCheck.withoutSecrets(url) + "; the journal runs on H2 or PostgreSQL");
  }

  /** The statements of the classpath resource {@code resource}, split at the semicolons that end a line. */
  static List<String> statements(String resource) {
    String text;
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is not on the classpath (pekko-persistence-jdbc missing?)");
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> statements = new ArrayList<>();
    for (String part : text.split(";\\s*(\\r?\\n|$)")) {
      if (!part.isBlank()) statements.add(part.strip());
    }
    return statements;
  }

  /** H2: table, index or sequence exists; PostgreSQL: duplicate table or object (42P07, 42710). */
  private static boolean alreadyExists(SQLException e) {
    int code = e.getErrorCode();
    String state = String.valueOf(e.getSQLState());
    return code == ErrorCode.TABLE_OR_VIEW_ALREADY_EXISTS_1 || code == ErrorCode.INDEX_ALREADY_EXISTS_1
        || code == ErrorCode.SEQUENCE_ALREADY_EXISTS_1 || code == ErrorCode.CONSTRAINT_ALREADY_EXISTS_1
        || state.equals("42P07") || state.equals("42710");
  }
}
