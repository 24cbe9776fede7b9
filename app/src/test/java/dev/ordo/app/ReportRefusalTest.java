package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code --report} that could not be written at the end is refused at the start, before the replay (exit code 2). */
class ReportRefusalTest {

  static final String SAMPLE = EngineFixture.SAMPLE.toString();

  @TempDir
  Path dir;

  @Test
  void aReportInAFolderThatDoesNotExistIsRefusedBeforeTheReplayStarts() {
    Path report = dir.resolve("missing").resolve("report.json");
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-port", "0",
        "--speed", "max", "--exit-at-end", "--report", report.toString());
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: --report " + report + " cannot be written: its folder " + dir.resolve("missing")
        + " does not exist; fix --report or create the folder first", run.err().strip());
    assertEquals("", run.out(), "no replay");
    assertFalse(Files.exists(dir.resolve("state")), "nothing was started");
    assertTrue(run.took().compareTo(Duration.ofSeconds(10)) < 0, "refused at once: " + run.took());
  }

  @Test
  void aReportUnderAFileIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "a file");
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-port", "0",
        "--report", file.resolve("report.json").toString());
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: --report " + file.resolve("report.json") + " cannot be written: " + file
        + " is a file, not a folder; fix --report or create the folder first", run.err().strip());
  }

  @Test
  void aReportThatIsAFolderIsRefused() {
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-port", "0",
        "--report", dir.toString());
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: --report " + dir + " is a folder; give a file name, e.g. " + dir.resolve("report.json"), run.err().strip());
  }

  @Test
  void theBacktestChecksItsReportTheSameWay() {
    Path report = dir.resolve("missing").resolve("report.json");
    CommandRun.Result run = CommandRun.inThisJvm("backtest", "--data", SAMPLE, "--report", report.toString());
    assertEquals(2, run.exitCode());
    assertEquals("ordo backtest: --report " + report + " cannot be written: its folder " + dir.resolve("missing")
        + " does not exist; fix --report or create the folder first", run.err().strip());
    assertEquals("", run.out(), "the backtest did not run");
  }
}
