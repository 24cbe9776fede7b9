package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ordo db}'s server: started, found running, stopped; refused with one clear line when it cannot be. */
class LocalPostgresTest {

  @TempDir
  Path temp;

  @Test
  void startsOnLoopbackWithTheJournalsRoleAndDatabaseThenStops() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
    LocalPostgres server = LocalPostgres.inFolder(temp.resolve("db"));
    int port = freePort();
    LocalPostgres.Running running;
    try {
      running = server.start(port);
    } catch (LocalPostgres.DbException e) {
      throw new AssertionError("ordo db start needs PostgreSQL 15: " + e.getMessage(), e);
    }
    try {
      assertEquals(port, running.port());
      assertFalse(running.wasRunning());
      assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/ordo", running.jdbcUrl());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(running.passwordFile())), "the password file is owner-only");
      assertTrue(running.password().length() >= 32, "a generated password");
      try (Connection connection = DriverManager.getConnection(running.jdbcUrl(), LocalPostgres.ROLE, running.password());
          ResultSet row = connection.createStatement().executeQuery("SELECT current_user, current_database(), "
              + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), current_setting('listen_addresses'), current_setting('server_version_num')")) {
        row.next();
        assertEquals("ordo", row.getString(1));
        assertEquals("ordo", row.getString(2));
        assertFalse(row.getBoolean(3), "the journal's role is no superuser");
        assertEquals("127.0.0.1", row.getString(4), "loopback only");
        assertTrue(row.getString(5).startsWith("15"), row.getString(5));
      }
      assertThrows(java.sql.SQLException.class, () -> DriverManager.getConnection(running.jdbcUrl(), LocalPostgres.ROLE, "wrong"));
      assertEquals(Optional.of(port), server.runningPort(), "status: running");
      assertTrue(server.start(null).wasRunning(), "a second start leaves the running server");
    } finally {
      assertTrue(server.stop());
    }
    assertEquals(Optional.empty(), server.runningPort(), "status: stopped");
    assertFalse(server.stop(), "stopping a stopped server");
  }

  @Test
  void refusesWithoutPostgres15SayingWhatToInstall() throws Exception {
    LocalPostgres.DbException e = assertThrows(LocalPostgres.DbException.class,
        () -> new LocalPostgres(temp.resolve("no-bin"), temp.resolve("db")).start(null));
    assertEquals("PostgreSQL 15 is not installed (" + temp.resolve("no-bin").resolve("initdb") + " is missing); install it with "
        + "'apt-get install postgresql' (Debian 12: PostgreSQL 15)", e.getMessage());
  }

  @Test
  void refusesAFolderOfOtherFilesOrOfAnotherCluster() throws Exception {
    Path other = Files.createDirectories(temp.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "x");
    assertEquals(other + " is not an ordo db folder (it holds notes.txt); give --dir a new or empty folder",
        assertThrows(LocalPostgres.DbException.class, () -> LocalPostgres.inFolder(other).start(freePort())).getMessage());
    Path cluster = Files.createDirectories(temp.resolve("cluster"));
    Files.writeString(cluster.resolve("PG_VERSION"), "15\n");
    assertTrue(assertThrows(LocalPostgres.DbException.class, () -> LocalPostgres.inFolder(cluster).start(freePort())).getMessage()
        .startsWith(cluster + " is the data folder of another PostgreSQL cluster"));
    Path older = Files.createDirectories(temp.resolve("older").resolve("pgdata"));
    Files.writeString(older.resolve("PG_VERSION"), "13\n");
    assertEquals(older.getParent() + " holds a PostgreSQL 13 cluster, not 15; give --dir another folder",
        assertThrows(LocalPostgres.DbException.class, () -> LocalPostgres.inFolder(older.getParent()).start(freePort())).getMessage());
  }

  @Test
  void refusesAPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      LocalPostgres.DbException e = assertThrows(LocalPostgres.DbException.class, () -> LocalPostgres.inFolder(temp.resolve("db")).start(port));
      assertEquals("port " + port + " on 127.0.0.1 is in use by another program; choose another --port (ss -ltnp 'sport = :" + port
          + "' shows who has it)", e.getMessage());
      assertFalse(Files.exists(temp.resolve("db")), "nothing created");
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
