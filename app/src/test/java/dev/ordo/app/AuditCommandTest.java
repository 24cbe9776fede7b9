package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.http.Json;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.persistence.JournalSchema;
import dev.ordo.persistence.JournalSettings;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo audit} and {@code ordo verify} on the journal the engine wrote replaying the bundled
 * sample (a real H2 file), after the engine stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCommandTest {

  static final InstrumentId TCS = InstrumentId.parse("TCS-EQ.NSE");

  Path dataDir;
  List<RoundTrip> tcsTrades;

  @BeforeAll
  void replayTheSample(@TempDir Path dir) throws Exception {
    dataDir = dir.resolve("data");
    Engine engine = EngineFixture.start(dataDir, progress -> {});
    try {
      engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      tcsTrades = engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .filter(t -> t.instrument().equals(TCS)).toList();
    } finally {
      engine.close();
    }
    assertTrue(tcsTrades.size() >= 2, "the sample trades TCS at least twice: " + tcsTrades);
  }

  CommandRun.Result audit(String... args) {
    List<String> all = new ArrayList<>(List.of("audit", "--data-dir", dataDir.toString()));
    all.addAll(List.of(args));
    return CommandRun.inThisJvm(all.toArray(String[]::new));
  }

  static JsonNode json(CommandRun.Result result) throws Exception {
    assertEquals(0, result.exitCode(), result.out() + result.err());
    return Json.mapper().readTree(result.out());
  }

  @Test
  void listsTheEntitiesOfTheJournal() {
    CommandRun.Result result = audit("--list");
    assertEquals(0, result.exitCode(), result.err());
    List<String> lines = result.out().lines().toList();
    assertEquals("ENTITY_TYPE      ENTITY_ID", lines.get(0));
    assertEquals(List.of("symbol-trader    paper:BAJFINANCE-EQ.NSE", "symbol-trader    paper:DALBHARAT-EQ.NSE",
        "symbol-trader    paper:KOTAKBANK-EQ.NSE", "symbol-trader    paper:TCS-EQ.NSE", "position         paper:BAJFINANCE-EQ.NSE",
        "position         paper:DALBHARAT-EQ.NSE", "position         paper:KOTAKBANK-EQ.NSE", "position         paper:TCS-EQ.NSE",
        "paper-venue      paper", "replay-run       paper", "task-scheduler   paper", "service-manager  engine", "account-risk     paper"),
        lines.subList(1, lines.size()));
  }

  @Test
  void aPositionShowsItsFillsAndItsStateAsOfAnInstantMidWay() throws Exception {
    JsonNode all = json(audit("position", "paper:TCS-EQ.NSE", "--format", "json"));
    JsonNode events = all.get("events");
    assertEquals(2 * tcsTrades.size(), events.size(), "two fills per round trip: " + events);
    for (JsonNode event : events) assertEquals("FillApplied", event.get("type").asText());
    assertEquals("BUY", events.get(0).get("payload").get("fill").get("side").asText());
    assertEquals("SELL", events.get(1).get("payload").get("fill").get("side").asText());
    assertTrue(all.get("state").isNull(), "no state without --as-of");

    // As of the second fill: the first round trip is closed, flat, its P&L realized.
    String afterFirstTrip = events.get(1).get("time").asText();
    JsonNode mid = json(audit("position", "paper:TCS-EQ.NSE", "--as-of", afterFirstTrip, "--format", "json"));
    assertEquals(2, mid.get("totalEvents").asInt());
    assertEquals(2, mid.get("state").get("sequenceNr").asInt());
    JsonNode position = mid.get("state").get("value").get("position");
    assertEquals(0, position.get("quantity").decimalValue().signum());
    assertEquals(0, tcsTrades.get(0).pnl().compareTo(position.get("realizedPnl").decimalValue()),
        "realized " + position.get("realizedPnl") + ", first trip " + tcsTrades.get(0));

    // As of the third fill: the second trip is open with that fill's quantity.
    JsonNode open = json(audit("position", "paper:TCS-EQ.NSE", "--as-of", events.get(2).get("time").asText(), "--format", "json"));
    assertEquals(3, open.get("state").get("value").get("fills").asInt());
    assertEquals(0, new BigDecimal(events.get(2).get("payload").get("fill").get("lastQty").asText())
        .compareTo(open.get("state").get("value").get("position").get("quantity").decimalValue()));

    // Before the first fill: the initial state, no event.
    JsonNode before = json(audit("position", "paper:TCS-EQ.NSE", "--as-of", "2024-01-01T09:15:00+05:30", "--format", "json"));
    assertEquals(0, before.get("totalEvents").asInt());
    assertEquals(0, before.get("state").get("sequenceNr").asInt());
    assertEquals(0, before.get("state").get("value").get("fills").asInt());
  }

  @Test
  void theTableShowsSequenceTimeTypeAndPayload() {
    CommandRun.Result result = audit("position", "paper:TCS-EQ.NSE", "--limit", "1");
    assertEquals(0, result.exitCode(), result.err());
    List<String> lines = result.out().lines().toList();
    assertEquals("position paper:TCS-EQ.NSE (Position|paper:TCS-EQ.NSE): " + 2 * tcsTrades.size() + " events", lines.get(0));
    assertTrue(lines.get(2).matches("\\s+1  2024-\\S+\\+05:30\\s+FillApplied\\s+\\{\"account\":\"paper\".*"), lines.get(2));
    assertEquals("... more from --from 2", lines.get(3));
  }

  @Test
  void explainShowsTheBarAndTheStrategyStateThatProducedAnOrder() throws Exception {
    JsonNode explained = json(audit("--explain", "TCS-EQ-1", "--format", "json"));
    assertEquals("paper:TCS-EQ.NSE", explained.get("entityId").asText());
    JsonNode order = explained.get("order");
    assertEquals("OrderSubmitted", order.get("type").asText());
    assertEquals("ENTRY", order.get("payload").get("role").asText());
    JsonNode cause = explained.get("cause");
    assertEquals("BarApplied", cause.get("type").asText());
    assertEquals(order.get("sequenceNr").asLong() - 1, cause.get("sequenceNr").asLong(), "journaled in the bar's write");
    assertEquals(cause.get("sequenceNr"), explained.get("bar").get("sequenceNr"));
    // The 80-20 entry: a buy stop at the previous bar's low, armed by the strategy state the bar led to.
    JsonNode strategy = explained.get("strategy");
    assertEquals(order.get("payload").get("trigger").asText(), strategy.get("prevLow").asText());
    assertTrue(strategy.get("armed").asBoolean());
    assertTrue(strategy.get("entryWorking").asBoolean());

    CommandRun.Result table = audit("--explain", "TCS-EQ-1");
    assertEquals(0, table.exitCode(), table.err());
    assertTrue(table.out().startsWith("order TCS-EQ-1 of symbol-trader paper:TCS-EQ.NSE"), table.out());
    assertTrue(table.out().contains("decided by #" + cause.get("sequenceNr").asLong() + " "), table.out());

    CommandRun.Result unknown = audit("--explain", "TCS-EQ-999");
    assertEquals(1, unknown.exitCode());
    assertEquals("ordo audit: no symbol trader of the journal submitted order TCS-EQ-999", unknown.err().strip());
  }

  @Test
  void verifyFindsNoViolationInTheEnginesJournal() {
    CommandRun.Result result = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().strip().matches("verified 13 entities, \\d+ events: no violation"), result.out());
  }

  @Test
  void badArgumentsAndUnknownEntitiesAreRefusedInOneLine() {
    CommandRun.Result type = audit("trader", "paper:TCS-EQ.NSE");
    assertEquals(2, type.exitCode());
    assertEquals("ordo audit: unknown entity type 'trader'; the types are symbol-trader, position, paper-venue, replay-run, reconciler, task-scheduler, service-manager, expert, account-risk",
        type.err().strip());
    CommandRun.Result id = audit("position", "TCS-EQ.NSE");
    assertEquals(2, id.exitCode());
    assertEquals("ordo audit: position id must be account:SYMBOL.VENUE, e.g. paper:TCS-EQ.NSE, got 'TCS-EQ.NSE'", id.err().strip());
    CommandRun.Result asOf = audit("position", "paper:TCS-EQ.NSE", "--as-of", "2024-01-17");
    assertEquals(2, asOf.exitCode());
    assertTrue(asOf.err().strip().startsWith("ordo audit: --as-of must be an ISO-8601 time with its offset, e.g. 2024-01-15T10:00:00+05:30"),
        asOf.err());
    CommandRun.Result unknown = audit("position", "paper:INFY-EQ.NSE");
    assertEquals(1, unknown.exitCode());
    assertEquals("ordo audit: no position paper:INFY-EQ.NSE in the journal (ordo audit --list shows the entities)", unknown.err().strip());
  }

  @Test
  void aFolderInUseMissingOrWithoutEventsIsRefusedInOneLine(@TempDir Path other) throws Exception {
    try (DataDirLock running = DataDirLock.acquire(dataDir, 0)) {
      CommandRun.Result inUse = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
      assertEquals(1, inUse.exitCode());
      assertTrue(inUse.err().strip().matches("ordo verify: data-dir \\S+ is in use by process \\d+; stop it or choose another --data-dir"),
          inUse.err());
    }
    Path missing = other.resolve("missing");
    CommandRun.Result absent = CommandRun.inThisJvm("audit", "--data-dir", missing.toString(), "--list");
    assertEquals(2, absent.exitCode());
    assertEquals("ordo audit: data-dir " + missing + " does not exist; give --data-dir the folder of an engine's run", absent.err().strip());
    assertTrue(Files.notExists(missing), "not created");

    Path empty = Files.createDirectory(other.resolve("empty"));
    CommandRun.Result noJournal = CommandRun.inThisJvm("verify", "--data-dir", empty.toString());
    assertEquals(2, noJournal.exitCode());
    assertEquals("ordo verify: data-dir " + empty + " holds no journal (journal.mv.db is missing); give --data-dir the folder of an engine's run",
        noJournal.err().strip());

    JournalSchema.create(JournalSettings.withJournal(ConfigFactory.load(), empty));
    CommandRun.Result noEvents = CommandRun.inThisJvm("verify", "--data-dir", empty.toString());
    assertEquals(1, noEvents.exitCode());
    assertEquals("ordo verify: the journal of " + empty + " holds no events", noEvents.err().strip());
    CommandRun.Result noEntities = CommandRun.inThisJvm("audit", "--data-dir", empty.toString(), "--list");
    assertEquals(1, noEntities.exitCode());
    assertEquals("ordo audit: the journal of " + empty + " holds no events", noEntities.err().strip());
  }
}
