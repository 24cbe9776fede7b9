package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.Json;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.persistence.JournalSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import dev.ordo.engine.model.RoundTrip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop half-way, start again on the same H2 file journal: the same trades as one uninterrupted run. */
class EngineRestartTest {

  @TempDir
  Path dataDir;

  @Test
  void theVenuesFillsAreDeliveredAgainFromADayBeforeTheEarliestTradersLastJournaledBar() {
    dev.ordo.engine.model.InstrumentId tcs = new dev.ordo.engine.model.InstrumentId("TCS-EQ", "NSE");
    dev.ordo.engine.model.InstrumentId infy = new dev.ordo.engine.model.InstrumentId("INFY-EQ", "NSE");
    dev.ordo.engine.model.InstrumentId itc = new dev.ordo.engine.model.InstrumentId("ITC-EQ", "NSE");
    java.time.OffsetDateTime late = java.time.OffsetDateTime.parse("2024-01-18T10:00:00+05:30");
    java.time.OffsetDateTime early = java.time.OffsetDateTime.parse("2024-01-16T14:35:00+05:30");
    java.util.Map<dev.ordo.engine.model.InstrumentId, dev.ordo.engine.trading.SymbolTrader.Progress> resume = java.util.Map.of(
        tcs, new dev.ordo.engine.trading.SymbolTrader.Progress(tcs, late, null),
        infy, new dev.ordo.engine.trading.SymbolTrader.Progress(infy, early, null),
        itc, new dev.ordo.engine.trading.SymbolTrader.Progress(itc, null, null));
    assertEquals(java.time.Instant.parse("2024-01-15T09:05:00Z"), Engine.redeliverySince(resume), "INFY's last bar, a day before");
    assertEquals(null, Engine.redeliverySince(java.util.Map.of(itc, new dev.ordo.engine.trading.SymbolTrader.Progress(itc, null, null))),
        "no trader journaled a bar: every fill");
  }

  @Test
  void aReplayStoppedHalfWayAndStartedAgainEndsWithTheSameTrades() throws Exception {
    List<RoundTrip> expected = EngineFixture.expectedTrades();
    assertEquals(9, expected.size(), "the sample's trades by the backtester");

    AtomicReference<Engine> first = new AtomicReference<>();
    AtomicBoolean stopRequested = new AtomicBoolean();
    Engine engine = EngineFixture.start(dataDir, progress -> {
      // Half-way: stop after 500 of 1125 steps (as SIGTERM does, through the same Stop).
      if (progress.stepsDone() >= 500 && stopRequested.compareAndSet(false, true)) first.get().stopReplay();
    });
    first.set(engine);
    ReplayDriver.Progress stopped = engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertEquals(ReplayDriver.State.STOPPED, stopped.state());
    List<RoundTrip> partial = engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(partial.size() < expected.size(), "stopped before the end: " + partial.size() + " trades");
    engine.close();
    assertTrue(Files.exists(dataDir.resolve("journal.mv.db")), "H2 file journal under the data dir");
    try (java.util.stream.Stream<Path> entries = Files.list(dataDir.resolve("bar-index"))) {
      assertEquals(EngineFixture.SAMPLE.toFile().list((d, name) -> name.endsWith(".csv")).length, entries.count(),
          "an index kept per bar file for the next start");
    }

    Engine second = EngineFixture.start(dataDir, progress -> {});
    try {
      ReplayDriver.Progress finished = second.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.FINISHED, finished.state());
      assertTrue(finished.barsDelivered() < 4500, "resumed, not replayed from the start: " + finished.barsDelivered() + " bars");
      assertFalse(finished.barsDelivered() == 0);
      List<RoundTrip> trades = second.queries().trades(second.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(expected, trades);
    } finally {
      second.close();
    }
    assertOrderIntentsAreReadableJsonInTheJournal();
  }

  /** An auditor reads the journal with plain JDBC: every order intent is a JSON document with its ids. */
  void assertOrderIntentsAreReadableJsonInTheJournal() throws Exception {
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "");
        ResultSet rows = connection.createStatement().executeQuery(
            "SELECT \"persistence_id\", \"event_payload\" FROM \"event_journal\" WHERE \"event_ser_manifest\" LIKE '%OrderSubmitted'"
                + " ORDER BY \"ordering\"")) {
      int intents = 0;
      while (rows.next()) {
        JsonNode event = Json.mapper().readTree(new String(rows.getBytes(2), StandardCharsets.UTF_8));
        assertTrue(rows.getString(1).startsWith("SymbolTrader|paper:"), rows.getString(1));
        assertEquals("paper", event.get("account").asText());
        String symbol = event.get("instrument").asText().replaceFirst("\\.NSE$", "");
        assertTrue(event.get("clientOrderId").asText().matches(java.util.regex.Pattern.quote(symbol) + "-[1-9][0-9]*"),
            "a ClientOrderId is the trading symbol and the trader's order number: " + event);
        assertTrue(rows.getString(1).endsWith(":" + event.get("instrument").asText()), "journaled by the trader of its instrument");
        assertTrue(event.has("tsEvent"));
        intents++;
      }
      assertTrue(intents >= 19, "at least 9 entries, 9 stops and 1 session-end exit were journaled as intents, found " + intents);
    }
  }
}
