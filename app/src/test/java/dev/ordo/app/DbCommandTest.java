package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderSide;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo db start}, then a journal written in its PostgreSQL read back by {@code verify} and {@code audit} with
 * {@code --journal}, then {@code ordo db stop}. Needs PostgreSQL 15 (fails saying what to install without it). A replay
 * journaled in it is checked by .ci/run, trade for trade against the same replay on H2.
 */
class DbCommandTest {

  @TempDir
  Path temp;

  @Test
  void aJournalInTheStartedPostgresIsReadBackWithJournalThenTheServerStops() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));  // the server's user enters it when run as root
    String db = temp.resolve("db").toString();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    CommandRun.Result started = CommandRun.inThisJvm("db", "start", "--dir", db, "--port", Integer.toString(port));
    assertEquals(0, started.exitCode(), started.err());
    try {
      String journal = "postgres://ordo@127.0.0.1:" + port + "/ordo";
      Path passwordFile = temp.resolve("db").resolve("password");
      String password = Files.readString(passwordFile).strip();
      assertTrue(started.out().contains("--journal " + journal + " --journal-password-file " + passwordFile), started.out());
      assertTrue(started.out().contains("JDBC URL: jdbc:postgresql://127.0.0.1:" + port + "/ordo"), started.out());
      assertFalse(started.out().contains(password) || started.err().contains(password), "the password is never printed");

      // a journal in PostgreSQL, written through the plugin as the engine writes it, with a trade applied twice
      Path dataDir = Files.createDirectories(temp.resolve("data"));
      Fill entry = VerifyCommandTest.fill("T1", 1, OrderSide.BUY, 25);
      JournalPlanter.write(dev.ordo.persistence.JournalSettings.postgres(journal, password).withFallback(ConfigFactory.load()), dataDir,
          VerifyCommandTest.journal(VerifyCommandTest.TRADER, VerifyCommandTest.entryFilled(1, "T1", 25), VerifyCommandTest.POSITION,
              List.of(VerifyCommandTest.applied(entry), VerifyCommandTest.applied(entry))));
      assertFalse(Files.exists(dataDir.resolve("journal.mv.db")), "no H2 journal in the data dir");
      try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/ordo", "ordo", password);
          ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM event_journal")) {
        rows.next();
        assertEquals(5, rows.getLong(1), "the events are in PostgreSQL");
      }

      CommandRun.Result verified = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString(), "--journal", journal,
          "--journal-password-file", passwordFile.toString());
      VerifyCommandTest.assertReported(verified, "trade-id-once  position paper:TCS-EQ.NSE #2: trade T1 applied again (first at #1)");
      CommandRun.Result listed = CommandRun.inThisJvm("audit", "--list", "--data-dir", dataDir.toString(), "--journal", journal,
          "--journal-password-file", passwordFile.toString());
      assertTrue(listed.out().contains("symbol-trader    paper:TCS-EQ.NSE"), listed.out() + listed.err());

      Path readable = Files.writeString(temp.resolve("readable-password"), password);
      Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
      CommandRun.Result refused = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString(), "--journal", journal,
          "--journal-password-file", readable.toString());
      assertEquals(2, refused.exitCode());
      assertEquals("ordo verify: --journal-password-file " + readable + " can be read by others (rw-r--r--); make it owner-only: chmod 600 "
          + readable, refused.err().strip());

      CommandRun.Result status = CommandRun.inThisJvm("db", "status", "--dir", db);
      assertEquals(0, status.exitCode(), status.err());
      assertTrue(status.out().contains("is running on 127.0.0.1:" + port), status.out());
    } finally {
      CommandRun.Result stopped = CommandRun.inThisJvm("db", "stop", "--dir", db);
      assertEquals(0, stopped.exitCode(), stopped.err());
    }
    CommandRun.Result status = CommandRun.inThisJvm("db", "status", "--dir", db);
    assertEquals(DbCommand.NOT_RUNNING, status.exitCode(), status.out() + status.err());
    assertTrue(status.out().contains("is not running"), status.out());
  }
}
