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
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay killed with SIGKILL mid-way (no shutdown hook, no flush) and started again on the same
 * data directory ends with the trades of an uninterrupted run, and {@code ordo verify} finds nothing
 * doubled or dropped in the journal: no fill applied twice, no order sent twice, every order ended or
 * still working at the broker.
 */
class KillAndResumeVerifyTest {

  static final Pattern PROGRESS = Pattern.compile("replay: (\\d+)/(\\d+) sessions.*");

  @TempDir
  Path dir;

  @Test
  @Timeout(300)
  void aReplayKilledMidWayResumesToTheSameTradesAndVerifiesClean() throws Exception {
    Path dataDir = dir.resolve("state");
    String sample = EngineFixture.SAMPLE.toString();
    Process engine = CommandRun.newJvm(List.of(), "run", "--data", sample, "--data-dir", dataDir.toString(), "--http-port", "0",
        "--speed", "max", "--exit-at-end").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String killedAt = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher progress = PROGRESS.matcher(line);
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

    List<Report.Trade> expected = Report.of(EngineFixture.expectedTrades(), null, 4).trades();
    JsonNode trades = Json.mapper().readTree(report.toFile()).get("trades");
    assertEquals(expected.size(), trades.size(), "killed at [" + killedAt + "]: " + trades);
    for (int i = 0; i < expected.size(); i++) {
      Report.Trade want = expected.get(i);
      JsonNode got = trades.get(i);
      String what = "trade " + i + " after a kill at [" + killedAt + "]: " + got;
      assertEquals(want.instrument(), got.get("instrument").asText(), what);
      assertEquals(want.entryTime(), got.get("entryTime").asText(), what);
      assertEquals(want.exitTime(), got.get("exitTime").asText(), what);
      assertEquals(want.exitReason(), got.get("exitReason").asText(), what);
      assertEquals(0, want.pnl().compareTo(got.get("pnl").decimalValue()), what);
    }

    CommandRun.Result verify = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().strip().endsWith("no violation"), verify.out());
  }
}
