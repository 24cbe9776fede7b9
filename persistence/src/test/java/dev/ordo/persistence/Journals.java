package dev.ordo.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The journals the persistence tests run on: H2 in the test's data directory, and PostgreSQL 15 started by {@link LocalPostgres}
 * (the code of {@code ordo db start}) in a temporary folder on a free port, once per test JVM and stopped when it ends. Without
 * PostgreSQL 15 installed the PostgreSQL variants fail, saying what to install.
 */
final class Journals {

  /** The database a journal test runs on. */
  enum Kind { H2, POSTGRES }

  private static LocalPostgres.Running postgres;

  private Journals() {}

  /**
   * The persistence configuration of a journal of {@code kind}, completed by {@link JournalSettings#withJournal}: H2 under
   * {@code dataDir}; PostgreSQL with its journal tables dropped, so that each test starts from an empty journal.
   */
  static Config config(Kind kind, Path dataDir) throws Exception {
    Config base = ConfigFactory.load("ordo-persistence");
    if (kind == Kind.H2) return JournalSettings.withJournal(base, dataDir);
    LocalPostgres.Running server = postgres();
    Config config = JournalSettings.withJournal(JournalSettings.postgres(server.journalUrl(), server.password()).withFallback(base), dataDir);
    try (Connection connection = connect(config); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS event_journal, event_tag, snapshot, durable_state CASCADE");
    }
    return config;
  }

  /** A connection to the journal database of {@code config}. */
  static Connection connect(Config config) throws SQLException {
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    return DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
  }

  private static synchronized LocalPostgres.Running postgres() throws Exception {
    if (postgres != null) return postgres;
    // a folder the server's user (ordo-db when the tests run as root) can enter
    Path parent = Files.createTempDirectory("ordo-pg-test");
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
    LocalPostgres server = LocalPostgres.inFolder(parent.resolve("db"));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try {
      postgres = server.start(port);
    } catch (LocalPostgres.DbException e) {
      throw new IllegalStateException("the PostgreSQL variant of the journal tests needs PostgreSQL 15: " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
        delete(parent);
      } catch (LocalPostgres.DbException | IOException e) {
        System.err.println("could not stop the test PostgreSQL in " + server.dir() + ": " + e.getMessage());
      }
    }, "ordo-test-postgres-stop"));
    return postgres;
  }

  private static void delete(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
    }
  }
}
