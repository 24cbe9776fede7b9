package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-format json}, {@code --log-file} and {@code ordo.log-levels}, through the command line in a new JVM. */
class LogSetupTest {

  @TempDir
  Path dir;

  @Test
  void aJsonLogFileHoldsOneObjectPerLineAtTheConfiguredLevels() throws Exception {
    Path log = dir.resolve("ordo.log");
    CommandRun.Result run = CommandRun.inNewJvm(List.of("-Dordo.log-levels.dev.ordo.app.http.HttpServer=OFF"), Duration.ofSeconds(120),
        "run", "--data", EngineFixture.SAMPLE.toString(), "--speed", "max", "--exit-at-end", "--data-dir", dir.resolve("state").toString(),
        "--http-port", "0", "--log-format", "JSON", "--log-file", log.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.err(), "the logs went to the file, not to stderr");
    assertTrue(run.out().contains("replay finished"), "the command's own output is printed as always: " + run.out());
    String token = Files.readString(dir.resolve("state").resolve(ApiTokenSource.GENERATED_FILE)).strip();
    assertTrue(run.out().lines().anyMatch(l -> l.matches("Dashboard: http://127\\.0\\.0\\.1:\\d+/#token=" + java.util.regex.Pattern.quote(token)
        + " \\(the link holds the token: share it as you would the token\\)")), "the dashboard's link carries the token in its fragment: " + run.out());
    assertFalse(Files.readString(log).contains(token), "the token is printed on the terminal, never logged");

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log)) lines.add(Json.mapper().readTree(line));
    assertTrue(lines.size() > 3, lines.toString());
    for (JsonNode line : lines)
      for (String field : List.of("@timestamp", "level", "logger_name", "thread_name", "message"))
        assertTrue(line.hasNonNull(field), field + " in " + line);
    assertTrue(lines.stream().anyMatch(l -> l.get("logger_name").asText().equals("dev.ordo.app.Engine")), "the engine's start is logged");
    assertFalse(lines.stream().anyMatch(l -> l.get("logger_name").asText().equals("dev.ordo.app.http.HttpServer")),
        "ordo.log-levels turned the HTTP server's logger off");
    List<JsonNode> delivery = lines.stream().filter(l -> l.get("logger_name").asText().startsWith("dev.ordo.engine.marketdata.BarDelivery")).toList();
    assertTrue(delivery.size() > 0, "the bar delivery logs its subscriptions");
    for (JsonNode line : delivery) assertEquals("paper", line.path("account").asText(), "an account's actor tags its lines: " + line);
  }

  @Test
  void aLogFileInAFolderThatDoesNotExistIsRefusedInOneLine() throws Exception {
    CommandRun.Result run = CommandRun.inThisJvm("backtest", "--log-file", dir.resolve("nope/ordo.log").toString(), "--data",
        EngineFixture.SAMPLE.toString());
    assertEquals(2, run.exitCode());
    assertTrue(run.err().startsWith("--log-file " + dir.resolve("nope/ordo.log") + ": its folder " + dir.resolve("nope")
        + " does not exist or cannot be written"), run.err());
  }
}
