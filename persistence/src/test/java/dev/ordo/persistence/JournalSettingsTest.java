package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --journal postgres://...} mapped onto ordo.persistence.* and the plugin's database settings. */
class JournalSettingsTest {

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
