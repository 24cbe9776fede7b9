package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.marketdata.ReplayDriver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory that is in use, a file, missing its parent, not writable or on a full disk is
 * refused at once, in one line, with exit code 1 (the machine) or 2 (the option); a lock left by a
 * killed process does not block.
 */
class DataDirRefusalTest {

  static final String SAMPLE = EngineFixture.SAMPLE.toString();
  static final long PID = ProcessHandle.current().pid();

  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void aSecondEngineInThisJvmIsRefusedAtOnceWithTheOwnersPid() throws Exception {
    Path dataDir = dir.resolve("state");
    Engine first = EngineFixture.start(dataDir, progress -> {});
    try {
      CommandRun.Result second = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
      assertEquals(1, second.exitCode());
      assertEquals("ordo run: data-dir " + dataDir.toAbsolutePath() + " is in use by process " + PID
          + "; stop it or choose another --data-dir", second.err().strip());
      assertTrue(second.took().compareTo(Duration.ofSeconds(10)) < 0, "refused at once: " + second.took());
    } finally {
      first.close();
    }
    // Released with the first engine: the folder can be taken again.
    DataDirLock.acquire(dataDir, 0).close();
  }

  @Test
  @Timeout(120)
  void aSecondEngineInAnotherProcessIsRefusedAtOnceWithTheOwnersPid() throws Exception {
    Path dataDir = dir.resolve("state");
    Engine first = EngineFixture.start(dataDir, progress -> {});
    try {
      CommandRun.Result second = CommandRun.inNewJvm(List.of(), Duration.ofSeconds(60), "run", "--data", SAMPLE, "--data-dir",
          dataDir.toString(), "--http-port", "0");
      assertEquals(1, second.exitCode(), second.err());
      assertEquals("ordo run: data-dir " + dataDir.toAbsolutePath() + " is in use by process " + PID
          + "; stop it or choose another --data-dir", second.err().strip());
      assertEquals("", second.out());
      assertTrue(second.took().compareTo(Duration.ofSeconds(20)) < 0, "refused at once, JVM start included: " + second.took());
    } finally {
      first.close();
    }
  }

  @Test
  @Timeout(120)
  void aLockLeftByAKilledProcessDoesNotBlockTheNextStart() throws Exception {
    Path dataDir = dir.resolve("state");
    Process engine = CommandRun.newJvm(List.of(), "run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0",
        "--speed", "1x").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("Ordo running"), "the engine started: " + line);
      assertEquals(engine.pid() + "\n", Files.readString(dataDir.resolve(DataDirLock.FILE_NAME)), "the owner's PID in the lock file");
    } finally {
      engine.destroyForcibly(); // SIGKILL: no shutdown hook, the lock file stays
      assertTrue(engine.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(Files.exists(dataDir.resolve(DataDirLock.FILE_NAME)), "the killed process's lock file is left behind");

    try (DataDirLock next = DataDirLock.acquire(dataDir, 0)) {
      assertEquals(PID + "\n", Files.readString(dataDir.resolve(DataDirLock.FILE_NAME)));
    }
  }

  @Test
  void aDataDirThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("state"), "not a folder");
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", file.toString(), "--http-port", "0");
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: data-dir " + file + " is a file, not a folder; give --data-dir a folder (it is created when missing)",
        run.err().strip());
  }

  @Test
  void aDataDirUnderAFileIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("state"), "not a folder");
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", file.resolve("journal").toString(), "--http-port", "0");
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: data-dir " + file.resolve("journal") + " cannot be created: " + file
        + " is a file, not a folder; fix --data-dir or create the parent folder first", run.err().strip());
  }

  @Test
  void aDataDirWhoseParentIsMissingIsRefusedAndNothingIsCreated() {
    Path dataDir = dir.resolve("missing").resolve("state");
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: data-dir " + dataDir + " cannot be created: its parent folder " + dir.resolve("missing")
        + " does not exist; fix --data-dir or create the parent folder first", run.err().strip());
    assertFalse(Files.exists(dir.resolve("missing")));
  }

  /** The lock file cannot be opened for writing (here: a folder in its place; for a user, a folder without write permission). */
  @Test
  void aDataDirThatCannotBeWrittenIsRefused() throws Exception {
    Path dataDir = Files.createDirectories(dir.resolve("state").resolve(DataDirLock.FILE_NAME)).getParent();
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dataDir.toString(), "--http-port", "0");
    assertEquals(1, run.exitCode());
    assertEquals("ordo run: data-dir " + dataDir + " cannot be written (Is a directory); give this user write access to it or choose another "
        + "--data-dir", run.err().strip());
    assertFalse(Files.exists(dataDir.resolve("journal.mv.db")), "nothing was started");
  }

  @Test
  void aDiskBelowTheMinimumFreeSpaceIsRefusedBeforeTheJournalOpens() throws Exception {
    Path dataDir = dir.resolve("state");
    StartFailure failure = assertThrows(StartFailure.class, () -> Engine.start(
        new Engine.Settings(EngineFixture.SAMPLE, null, null, ReplayDriver.Speed.max(), dataDir, "127.0.0.1", 0, false),
        ConfigFactory.parseString("ordo.data-dir.min-free-space = 1000000000G").withFallback(ConfigFactory.load()), new ReplayDriver.Listener() {
          @Override
          public void onStep(ReplayDriver.Progress progress) {}

          @Override
          public void onEnd(ReplayDriver.Progress progress) {}
        }));
    assertEquals(StartFailure.ENVIRONMENT, failure.exitCode());
    assertTrue(failure.getMessage().matches("data-dir \\Q" + dataDir + "\\E: only \\d+ MB free on its disk, at least 1024000000000 MB needed "
        + "\\(ordo.data-dir.min-free-space\\); free some space or choose another --data-dir"), failure.getMessage());
    assertFalse(Files.exists(dataDir.resolve("journal.mv.db")), "the journal was not opened");
    DataDirLock.acquire(dataDir, 0).close(); // and the folder was released
  }
}
