package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The plugin's own DDL creates the tables of an H2 or a PostgreSQL journal, and running it again changes nothing. */
class JournalSchemaTest {

  @TempDir
  Path dataDir;

  @ParameterizedTest
  @EnumSource(Journals.Kind.class)
  void createsThePluginsTablesOnceAndIsIdempotent(Journals.Kind kind) throws Exception {
    Config config = Journals.config(kind, dataDir);
    JournalSchema.create(config);
    JournalSchema.create(config);
    List<String> tables = new ArrayList<>();
    try (Connection connection = Journals.connect(config);
        ResultSet rows = connection.getMetaData().getTables(null, null, null, new String[] {"TABLE"})) {
      while (rows.next()) if (rows.getString("TABLE_SCHEM").equalsIgnoreCase("public")) tables.add(rows.getString("TABLE_NAME"));
    }
    assertEquals(List.of("durable_state", "event_journal", "event_tag", "snapshot"), tables.stream().sorted().toList());
    assertEquals(kind == Journals.Kind.H2 ? "H2" : "PostgreSQL", databaseProduct(config), "the journal's database");
  }

  /** The nodes of a cluster start together on one empty database: every one's creation succeeds, the tables are made once. */
  @Test
  void nodesCreatingTheSchemaAtOnceOnPostgresAllSucceed() throws Exception {
    Config config = Journals.config(Journals.Kind.POSTGRES, dataDir);
    int nodes = 4;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(nodes);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<?>> creations = new ArrayList<>();
      for (int i = 0; i < nodes; i++)
        creations.add(pool.submit(() -> {
          go.await();
          JournalSchema.create(config);
          return null;
        }));
      go.countDown();
      for (java.util.concurrent.Future<?> creation : creations) creation.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    try (Connection connection = Journals.connect(config);
        ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
      row.next();
      assertEquals(4, row.getInt(1));
    }
  }

  private static String databaseProduct(Config config) throws Exception {
    try (Connection connection = Journals.connect(config)) {
      return connection.getMetaData().getDatabaseProductName();
    }
  }

  @Test
  void theStatementsAreThoseOfThePluginsScripts() {
    List<String> h2 = JournalSchema.statements(JournalSchema.script("jdbc:h2:file:/tmp/x"));
    assertEquals(8, h2.size(), String.join("\n---\n", h2));
    assertEquals("CREATE TABLE IF NOT EXISTS PUBLIC.\"event_journal\" (", h2.get(0).lines().findFirst().orElseThrow());
    List<String> postgres = JournalSchema.statements(JournalSchema.script("jdbc:postgresql://db:5432/ordo"));
    assertEquals("CREATE TABLE IF NOT EXISTS public.event_journal(", postgres.get(0).lines().findFirst().orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> JournalSchema.script("jdbc:mysql://db/ordo"));
  }
}
