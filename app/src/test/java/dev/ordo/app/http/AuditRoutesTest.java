package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /audit/...} on port 0, called with the JDK's HTTP client, on an engine that replayed the bundled sample. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditRoutesTest {

  Engine engine;
  HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    engine = EngineFixtureAccess.start(dataDir);
    engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    engine.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + path);
    String token = java.nio.file.Files.readString(engine.apiTokenFile()).strip();
    return client.send(HttpRequest.newBuilder(uri).GET().header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode ok(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), response.body());
    return Json.mapper().readTree(response.body());
  }

  @Test
  void aPositionsEventsArePagedAndItsStateIsFoldedAsOfAnInstant() throws Exception {
    JsonNode all = ok("/audit/position/paper:TCS-EQ.NSE");
    assertEquals("position", all.get("entityType").asText());
    assertEquals("Position|paper:TCS-EQ.NSE", all.get("persistenceId").asText());
    int total = all.get("totalEvents").asInt();
    assertEquals(total, all.get("events").size());
    assertTrue(all.get("nextFrom").isNull());
    JsonNode first = all.get("events").get(0);
    assertEquals(1, first.get("sequenceNr").asInt());
    assertEquals("FillApplied", first.get("type").asText());
    assertTrue(first.get("time").asText().endsWith("+05:30"), first.toString());
    assertEquals("BUY", first.get("payload").get("fill").get("side").asText());

    JsonNode page = ok("/audit/position/paper:TCS-EQ.NSE?from=2&limit=1");
    assertEquals(1, page.get("events").size());
    assertEquals(2, page.get("events").get(0).get("sequenceNr").asInt());
    assertEquals(3, page.get("nextFrom").asInt());

    // The state as of the first fill: long that fill's quantity.
    String asOf = URLEncoder.encode(first.get("time").asText(), StandardCharsets.UTF_8);
    JsonNode mid = ok("/audit/position/paper:TCS-EQ.NSE?asOf=" + asOf);
    assertEquals(1, mid.get("totalEvents").asInt());
    assertEquals(1, mid.get("state").get("sequenceNr").asInt());
    assertEquals(first.get("payload").get("fill").get("lastQty").asText(),
        mid.get("state").get("value").get("position").get("quantity").decimalValue().toPlainString());

    // As of the end: the position the engine holds now.
    JsonNode end = ok("/audit/position/paper:TCS-EQ.NSE?asOf=2030-01-01T00:00:00Z");
    var held = engine.queries().positions(AccountId.of("paper")).toCompletableFuture().get(10, TimeUnit.SECONDS).stream()
        .filter(p -> p.instrument().equals(InstrumentId.parse("TCS-EQ.NSE"))).findFirst().orElseThrow();
    assertEquals(0, held.quantity().compareTo(end.get("state").get("value").get("position").get("quantity").decimalValue()));
    assertEquals(0, held.realizedPnl().value().compareTo(end.get("state").get("value").get("position").get("realizedPnl").decimalValue()));
  }

  @Test
  void everyEntityTypeOfTheRunIsAudited() throws Exception {
    // replayed bars that decide nothing are journaled with the next decision: the first event is a bar applied
    assertEquals("BarApplied", ok("/audit/symbol-trader/paper:TCS-EQ.NSE?limit=1").get("events").get(0).get("type").asText());
    assertEquals("AccountFunded", ok("/audit/paper-venue/paper?limit=1").get("events").get(0).get("type").asText());
    assertEquals("RunStarted", ok("/audit/replay-run/paper").get("events").get(0).get("type").asText());
    JsonNode trader = ok("/audit/symbol-trader/paper:TCS-EQ.NSE?asOf=2030-01-01T00:00:00Z&limit=1");
    assertEquals(trader.get("totalEvents").asLong(), trader.get("state").get("sequenceNr").asLong());
  }

  @Test
  void unknownEntitiesAnswer404AndBadParameters400() throws Exception {
    assertError(get("/audit/trader/paper:TCS-EQ.NSE"), 404, "unknown entity type",
        "'trader' is not an entity type; the types are symbol-trader, position, paper-venue, replay-run, reconciler, task-scheduler, service-manager, account-risk");
    assertError(get("/audit/position/paper:INFY-EQ.NSE"), 404, "unknown entity", "the journal holds no events of position paper:INFY-EQ.NSE");
    assertError(get("/audit/position/TCS-EQ"), 404, "unknown entity",
        "position id must be account:SYMBOL.VENUE, e.g. paper:TCS-EQ.NSE, got 'TCS-EQ'");
    assertError(get("/audit/position/paper:TCS-EQ.NSE?asOf=2024-01-17"), 400, "bad asOf",
        "asOf must be an ISO-8601 time with its offset, e.g. 2024-01-15T10:00:00+05:30 or 2024-01-15T04:30:00Z, got '2024-01-17'");
    assertError(get("/audit/position/paper:TCS-EQ.NSE?limit=0"), 400, "bad limit", "limit must be 1..1000, got 0");
    assertError(get("/audit/position/paper:TCS-EQ.NSE?limit=ten"), 400, "bad limit", "limit must be a whole number, got \"ten\"");
    assertError(get("/audit/position/paper:TCS-EQ.NSE?from=0"), 400, "bad from", "from must be a sequence number (1 or more), got 0");
  }

  void assertError(HttpResponse<String> response, int status, String error, String detail) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = Json.mapper().readTree(response.body());
    assertEquals(error, body.get("error").asText());
    assertEquals(detail, body.get("detail").asText());
  }
}
