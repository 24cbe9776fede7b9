package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --journal postgres://...} mapped onto ordo.persistence.* and the plugin's database settings; the H2 journal's settings. */
class JournalSettingsTest {

  /** The H2 journal keeps a payload of up to 4 kB in its row (not in H2's LOB store), also when it was created before. */
  @Test
  void theH2JournalKeepsPayloadsOfUpTo4kBInTheirRow(@TempDir Path dataDir) throws Exception {
    try (Connection old = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal"), "sa", "")) {
      assertEquals(null, inplaceLob(old), "not set: H2's default (256 bytes), as a journal written before has it");
    }
    try (Connection journal = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "")) {
      assertEquals("4096", inplaceLob(journal));
    }
  }

  /** The database's MAX_LENGTH_INPLACE_LOB, null when it was never set (H2's default). */
  private static String inplaceLob(Connection connection) throws Exception {
    try (ResultSet rows = connection.createStatement()
        .executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'MAX_LENGTH_INPLACE_LOB'")) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  @Test
  void mapsAPostgresUrlOntoThePluginsDatabase() {
    Config config = JournalSettings.withJournal(JournalSettings.postgres("postgres://ordo@127.0.0.1:5433/ordo", "s3cret")
        .withFallback(ConfigFactory.load("ordo-persistence")), Path.of("data"));
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    assertEquals("jdbc:postgresql://127.0.0.1:5433/ordo", db.getString("url"));
    assertEquals("org.postgresql.Driver", db.getString("driver"));
    assertEquals("ordo", db.getString("user"), "the URL's user, over the resolved default");
    assertEquals("s3cret", db.getString("password"));
    assertEquals("slick.jdbc.PostgresProfile$", config.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals("jdbc:postgresql://db.example:5432/j?sslmode=require",
        JournalSettings.postgres("postgresql://u@db.example/j?sslmode=require", "").getString("ordo.persistence.url"), "default port, query kept");
  }

  @Test
  void refusesAUrlThatIsNotAPasswordlessPostgresUrlSayingWhy() {
    assertTrue(refusal("postgres://ordo:pw@127.0.0.1:5433/ordo").startsWith("--journal holds a password: never put it in the URL"));
    assertTrue(refusal("mysql://ordo@db/ordo").startsWith("--journal mysql://db/ordo: only PostgreSQL is supported"), refusal("mysql://ordo@db/ordo"));
    assertTrue(refusal("postgres://127.0.0.1:5433/ordo").contains("names no user"));
    assertTrue(refusal("postgres://ordo@127.0.0.1:5433/").contains("names no database"));
    assertTrue(refusal("postgres://ordo@127.0.0.1:5433/ordo").isEmpty());
  }

  private static String refusal(String url) {
    try {
      JournalSettings.postgres(url, "");
      return "";
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
