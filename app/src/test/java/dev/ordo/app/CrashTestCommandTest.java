package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.app.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo crash-test}: the sample replay killed with SIGKILL three times (real child JVMs) ends
 * with the uninterrupted trades and a clean journal; the comparison that decides it fails on one
 * trade of difference; bad options exit 2.
 */
class CrashTestCommandTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(900)
  void threeKillsOnTheSampleEndWithTheUninterruptedTradesAndACleanJournal() throws Exception {
    Path work = dir.resolve("work");
    CommandRun.Result result = CommandRun.inThisJvm("crash-test", "--kills", "3", "--seed", "7", "--data", EngineFixture.SAMPLE.toString(),
        "--work-dir", work.toString());
    String out = result.out();
    assertEquals(0, result.exitCode(), out + result.err());
    assertTrue(out.contains("  kills: 3 landed, "), out);
    assertEquals(3, count(out, "(?m)^crash-test: kill \\d/3 at [0-9.]+ s after the start: (first start|recovery|replay|after)"), out);
    assertEquals(3, count(out, "(?m)^  kill \\d \\(.*\\): (recovered in [0-9.]+ s|killed again before the replay ran)$"), out);
    assertTrue(out.matches("(?s).*  restarts: \\d+; orders \\d+, fills 18, trades 9\n.*"), out);
    assertTrue(out.matches("(?s).*  largest recovery: [0-9.]+ s\n.*"), out);
    assertTrue(out.contains("  PASS the final report equals the uninterrupted run's, trade for trade (9 trades)"), out);
    assertTrue(out.contains("  PASS verify: "), out);
    assertTrue(out.strip().endsWith("crash-test PASSED"), out);
    // three engines really died by SIGKILL, each restarted on the same data dir
    assertEquals(3, count(out, "(?m)^crash-test: kill "), out);
    // the killed run's trades are the strategy's on the sample, not only equal to the reference run's
    JsonNode expected = Json.mapper().valueToTree(Report.of(EngineFixture.expectedTrades(), null, id -> "INR", 4)).get("trades");
    assertEquals(expected, Json.mapper().readTree(work.resolve("crashed.json").toFile()).get("trades"));
  }

  @Test
  void reportsThatDifferByOneTradeAreTold() throws Exception {
    JsonNode reference = Json.mapper().valueToTree(Report.of(EngineFixture.expectedTrades(), null, id -> "INR", 4));
    assertTrue(CrashTestCommand.tradeDifferences(reference, reference.deepCopy()).isEmpty());

    ObjectNode otherPrice = reference.deepCopy();
    ((ObjectNode) otherPrice.get("trades").get(4)).put("exitPrice", "1.05");
    List<String> differences = CrashTestCommand.tradeDifferences(reference, otherPrice);
    assertEquals(1, differences.size(), differences.toString());
    assertTrue(differences.get(0).startsWith("trade 5 is "), differences.toString());

    ObjectNode oneLess = reference.deepCopy();
    ((ArrayNode) oneLess.get("trades")).remove(8);
    assertEquals(List.of("8 trades instead of 9", "trade 9 missing: " + reference.get("trades").get(8)),
        CrashTestCommand.tradeDifferences(reference, oneLess));

    ObjectNode oneMore = reference.deepCopy();
    ((ArrayNode) oneMore.get("trades")).add(reference.get("trades").get(0));
    assertEquals(2, CrashTestCommand.tradeDifferences(reference, oneMore).size());
  }

  @Test
  void onlyTheTradesAreCompared() throws Exception {
    JsonNode reference = Json.mapper().valueToTree(Report.of(EngineFixture.expectedTrades(), null, id -> "INR", 4));
    ObjectNode otherSummary = reference.deepCopy();
    ((ObjectNode) otherSummary.get("summary")).put("replayState", "FINISHED");
    // the same report written compactly and read back
    JsonNode reread = Json.mapper().readTree(Json.mapper().writeValueAsString(otherSummary));
    assertTrue(CrashTestCommand.tradeDifferences(reference, reread).isEmpty());
  }

  @Test
  void badOptionsExit2BeforeAnythingRuns() throws Exception {
    String sample = EngineFixture.SAMPLE.toString();
    CommandRun.Result noKills = CommandRun.inThisJvm("crash-test", "--kills", "0", "--data", sample, "--work-dir", dir.resolve("a").toString());
    assertEquals(2, noKills.exitCode());
    assertTrue(noKills.err().contains("--kills must be at least 1, got 0"), noKills.err());

    CommandRun.Result neo = CommandRun.inThisJvm("crash-test", "--kills", "1", "--broker", "neo", "--data", sample);
    assertEquals(2, neo.exitCode());
    assertTrue(neo.err().contains("--broker must be"), neo.err());

    Path used = Files.createDirectories(dir.resolve("used"));
    Files.writeString(used.resolve("x"), "x");
    CommandRun.Result notEmpty = CommandRun.inThisJvm("crash-test", "--kills", "1", "--data", sample, "--work-dir", used.toString());
    assertEquals(2, notEmpty.exitCode());
    assertTrue(notEmpty.err().contains("is not a new or empty folder"), notEmpty.err());

    CommandRun.Result noMarket = CommandRun.inThisJvm("crash-test", "--kills", "1", "--broker", "sim", "--duration", "0s", "--data", sample,
        "--work-dir", dir.resolve("a").toString());
    assertEquals(2, noMarket.exitCode());
    assertTrue(noMarket.err().contains("--duration must be above 0, got '0s'"), noMarket.err());
    CommandRun.Result badRate = CommandRun.inThisJvm("crash-test", "--kills", "1", "--broker", "sim", "--error-rate", "2", "--data", sample,
        "--work-dir", dir.resolve("a").toString());
    assertEquals(2, badRate.exitCode());
    assertTrue(badRate.err().contains("--error-rate must be within 0..1, got 2.0"), badRate.err());
    CommandRun.Result badTtl = CommandRun.inThisJvm("crash-test", "--kills", "1", "--broker", "sim", "--token-ttl", "soon", "--data", sample,
        "--work-dir", dir.resolve("a").toString());
    assertEquals(2, badTtl.exitCode());
    assertTrue(badTtl.err().contains("--token-ttl must be a duration such as 30s, 5m or 500ms, got 'soon'"), badTtl.err());

    CommandRun.Result missing = CommandRun.inThisJvm("crash-test", "--data", sample);
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("--kills"), missing.err());
    assertTrue(!Files.exists(dir.resolve("a")), "nothing created for a refused start");
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) n++;
    return n;
  }
}
