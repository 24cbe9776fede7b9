package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay killed with SIGKILL mid-way (no shutdown hook, no flush) and started again on the same
 * data directory ends with the trades of an uninterrupted run, and {@code ordo verify} finds nothing
 * doubled or dropped in the journal: no fill applied twice, no order sent twice, every order ended or
 * still working at the broker. Two causes made it fail before: H2 kept confirmed commits in memory
 * (now {@code WRITE_DELAY=0}), and a fill journaled by the paper venue but not yet by the position
 * was never delivered again (now every venue fill is delivered again on resume).
 */
class KillAndResumeVerifyTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(300)
  void aReplayKilledMidWayResumesToTheSameTradesAndVerifiesClean() throws Exception {
    Path dataDir = dir.resolve("state");
    String sample = EngineFixture.SAMPLE.toString();
    // 6000x: about 4 s a session, so the kill lands mid-replay (at max speed the sample is over in 2 s)
    Process engine = CommandRun.newJvm(List.of(), "run", "--data", sample, "--data-dir", dataDir.toString(), "--http-port", "0",
        "--speed", "6000x", "--exit-at-end").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String killedAt = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher progress = ProgressPrinter.STEP_LINE.matcher(line);
        if (progress.matches() && Integer.parseInt(progress.group(1)) >= 3) {
          engine.destroyForcibly(); // SIGKILL, mid-replay
          killedAt = line;
          break;
        }
      }
    } finally {
      engine.destroyForcibly();
      assertTrue(engine.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(killedAt != null, "killed during the replay, before its end");
    assertTrue(engine.exitValue() != 0, "killed, not ended: " + engine.exitValue());

    Path report = dir.resolve("report.json");
    CommandRun.Result resumed = CommandRun.inNewJvm(List.of(), Duration.ofMinutes(4), "run", "--data", sample, "--data-dir",
        dataDir.toString(), "--http-port", "0", "--speed", "max", "--exit-at-end", "--report", report.toString());
    assertEquals(0, resumed.exitCode(), resumed.err());

    JsonNode expected = Json.mapper().valueToTree(Report.of(EngineFixture.expectedTrades(), null, id -> "INR", 4)).get("trades");
    JsonNode trades = Json.mapper().readTree(report.toFile()).get("trades");
    assertEquals(expected, trades, "the trades after a kill at [" + killedAt + "]");

    CommandRun.Result verify = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().strip().endsWith("no violation"), verify.out());
  }
}
