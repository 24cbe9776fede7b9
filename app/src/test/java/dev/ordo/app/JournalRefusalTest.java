package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.persistence.JournalSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that cannot be used is refused before the actor system starts, in one line with exit
 * code 1, within a bounded time: a file that is not an H2 database, a truncated one, a PostgreSQL
 * server that refuses the connection or never answers.
 */
class JournalRefusalTest {

  static final String SAMPLE = EngineFixture.SAMPLE.toString();

  @TempDir
  Path dir;

  @Test
  void aJournalThatIsNotAnH2DatabaseIsRefused() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("state"));
    Files.writeString(JournalSettings.h2File(dataDir), "this is not an H2 database\n".repeat(1000));
    assertRefusedAsUnreadable(dataDir);
  }

  /** H2 opens a file cut short as an empty database: without the check the engine would silently start from scratch. */
  @Test
  void aTruncatedJournalIsRefused() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("state"));
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE filler(id INT PRIMARY KEY, text VARCHAR(1000))");
      for (int i = 0; i < 2000; i++) statement.execute("INSERT INTO filler VALUES(" + i + ", REPEAT('x', 1000))");
    }
    Path journal = JournalSettings.h2File(dataDir);
    try (FileChannel file = FileChannel.open(journal, StandardOpenOption.WRITE)) {
      file.truncate(10_000); // the two 4 KB file headers kept, the chunks cut
    }
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
    assertEquals(1, run.exitCode());
    assertEquals("ordo run: journal " + journal + " holds no event_journal table (truncated, or another H2 database); restore it from a "
        + "backup, or move it away to start with an empty journal", run.err().strip());
    DataDirLock.acquire(dataDir, 0).close(); // the refusal released the folder
  }

  @Test
  void aJournalFileCutToNothingIsRefused() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("state"));
    Path journal = Files.createFile(JournalSettings.h2File(dataDir));
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
    assertEquals(1, run.exitCode());
    assertEquals("ordo run: journal " + journal + " holds no event_journal table (truncated, or another H2 database); restore it from a "
        + "backup, or move it away to start with an empty journal", run.err().strip());
  }

  private void assertRefusedAsUnreadable(Path dataDir) throws Exception {
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
    assertEquals(1, run.exitCode());
    String journal = JournalSettings.h2File(dataDir).toString();
    assertTrue(run.err().strip().matches("ordo run: journal \\Q" + journal + "\\E is not a readable H2 database \\(truncated, corrupt or "
        + "another kind of file; H2 error 900\\d\\d\\); restore it from a backup, or move it away to start with an empty journal"), run.err());
    assertTrue(run.took().compareTo(Duration.ofSeconds(10)) < 0, "refused at once: " + run.took());
    DataDirLock.acquire(dataDir, 0).close(); // the refusal released the folder
  }

  @Test
  void aPostgresServerThatRefusesTheConnectionIsRefusedWithoutItsPassword() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/ordo";
    StartFailure failure = assertThrows(StartFailure.class, () -> start(postgres(url + "?password=secret", "5s")));
    assertEquals(StartFailure.ENVIRONMENT, failure.exitCode());
    assertEquals("cannot reach the PostgreSQL journal " + url + " (connection refused); check ordo.persistence.url and that the server is up",
        failure.getMessage());
  }

  @Test
  @Timeout(30)
  void aPostgresServerThatNeverAnswersIsRefusedAfterTheConnectTimeout() throws Exception {
    // Connections complete in the listen backlog; nothing ever answers the driver's first message.
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/ordo";
      long start = System.nanoTime();
      StartFailure failure = assertThrows(StartFailure.class, () -> start(postgres(url, "2s")));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(StartFailure.ENVIRONMENT, failure.exitCode());
      assertEquals("PostgreSQL journal " + url + " did not answer within 2 s; check that the server is up and reachable "
          + "(ordo.persistence.connect-timeout sets the wait)", failure.getMessage());
      assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0 && took.compareTo(Duration.ofSeconds(8)) < 0, "bounded by the timeout: " + took);
    }
  }

  private Config postgres(String url, String connectTimeout) {
    return ConfigFactory.parseString("ordo.persistence { kind = postgres, url = \"" + url + "\", user = ordo, connect-timeout = "
        + connectTimeout + " }").withFallback(ConfigFactory.load());
  }

  private void start(Config config) throws Exception {
    Engine.start(new Engine.Settings(EngineFixture.SAMPLE, null, null, ReplayDriver.Speed.max(), dir.resolve("state"), "127.0.0.1", 0, false), config,
        new ReplayDriver.Listener() {
          @Override
          public void onStep(ReplayDriver.Progress progress) {}

          @Override
          public void onEnd(ReplayDriver.Progress progress) {}
        }).close();
  }
}
