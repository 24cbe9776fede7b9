package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.Json;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.persistence.JournalSettings;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal written by an earlier version (kept in {@code journal-fixtures/}) still recovers: the
 * engine resumes it where it was stopped (mid-session, a position open with its stop working) and
 * ends with the trades of that version's own uninterrupted run.
 */
class OldJournalRecoveryTest {

  @TempDir
  Path dataDir;

  @Test
  void aJournalOfVersion01StoppedMidSessionResumesToTheSameTrades() throws Exception {
    restore("journal-fixtures/v0.1-sample-stopped.sql.gz");
    JsonNode expected;
    try (InputStream in = resource("journal-fixtures/v0.1-sample-report.json")) {
      expected = Json.mapper().readTree(in).get("trades");
    }
    assertEquals(9, expected.size());

    Engine engine = EngineFixture.start(dataDir, progress -> {});
    try {
      ReplayDriver.Progress end = engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.FINISHED, end.state(), String.valueOf(end.error()));
      assertTrue(end.barsDelivered() < 4500 / 2, "resumed after 8 of 15 sessions, not replayed again: " + end.barsDelivered() + " bars");
      Report report = Report.of(engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS), end,
          engine.queries()::currencyOf, 4);
      JsonNode actual = Json.mapper().readTree(Json.mapper().writeValueAsString(report)).get("trades");
      assertEquals(expected.size(), actual.size(), actual.toPrettyString());
      // v0.1's report named the instrument by its symbol and wrote numbers; today's names SYMBOL.VENUE and writes decimal strings
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i).get("instrument").asText() + ".NSE", actual.get(i).get("instrument").asText(), "trade " + i + " instrument");
        for (String field : new String[] {"side", "entryTime", "exitTime", "exitReason"})
          assertEquals(expected.get(i).get(field).asText(), actual.get(i).get(field).asText(), "trade " + i + " " + field);
        for (String field : new String[] {"quantity", "entryPrice", "exitPrice"})
          assertEquals(0, expected.get(i).get(field).decimalValue().compareTo(new BigDecimal(actual.get(i).get(field).asText())),
              "trade " + i + " " + field);
        assertEquals(0, expected.get(i).get("pnl").decimalValue().compareTo(new BigDecimal(actual.get(i).at("/pnl/amount").asText())),
            "trade " + i + " pnl");
        assertEquals("INR", actual.get(i).at("/pnl/currency").asText());
      }
    } finally {
      engine.close();
    }
  }

  private void restore(String script) throws Exception {
    Path file = dataDir.resolve("fixture.sql.gz");
    try (InputStream in = resource(script)) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "")) {
      connection.createStatement().execute("RUNSCRIPT FROM '" + file.toAbsolutePath() + "' COMPRESSION GZIP");
    }
    Files.delete(file);
  }

  private static InputStream resource(String name) {
    InputStream in = OldJournalRecoveryTest.class.getClassLoader().getResourceAsStream(name);
    if (in == null) throw new IllegalStateException("missing test resource " + name);
    return in;
  }
}
