package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.marketdata.ReplaySchedule;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on port 0, called with the JDK's HTTP client, on an engine that replayed the bundled sample. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

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
    return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(HttpResponse<String> response) throws Exception {
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), response.headers().toString());
    return Json.mapper().readTree(response.body());
  }

  @Test
  void healthIsUp() throws Exception {
    HttpResponse<String> response = get("/health");
    assertEquals(200, response.statusCode());
    assertEquals("UP", json(response).get("status").asText());
  }

  @Test
  void statusShowsTheReplayAndInstruments() throws Exception {
    JsonNode status = json(get("/status"));
    assertEquals("FINISHED", status.at("/replay/state").asText());
    assertEquals(15, status.at("/replay/sessionsDone").asInt());
    assertEquals("2024-02-02T10:00:00Z", status.at("/replay/replayTime").asText(), "clock at the close of the last bar (15:25-15:30 IST)");
    assertEquals(4, status.get("instruments").size());
    assertEquals("paper", status.get("accounts").get(0).asText());
    assertEquals("ACTIVE", status.at("/auth/state").asText());
  }

  @Test
  void statusShowsTheReplaysBarDeliveryAsTheMarketDataFeed() throws Exception {
    JsonNode status = json(get("/status"));
    assertEquals("RUNNING", status.get("state").asText());
    JsonNode marketData = status.get("marketData");
    List<String> fields = new ArrayList<>();
    marketData.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("account", "state", "subscriptions", "eventsDelivered", "lastEventTime", "connects", "failures", "ticks"), fields);
    assertEquals("paper", marketData.get("account").asText());
    assertEquals("DISCONNECTED", marketData.get("state").asText(), "the replay feed ended");
    assertEquals(4, marketData.get("subscriptions").size());
    ReplaySchedule schedule = EngineFixtureAccess.sampleSchedule();
    assertEquals(schedule.barCount(), engine.schedule().barCount());
    long sessionEnds = schedule.steps().stream().mapToLong(step -> step.sessionEnds().size()).sum();
    assertEquals(2 * schedule.barCount() + sessionEnds, marketData.get("eventsDelivered").asLong(), "every BarOpen, BarClose and SessionEnd");
    assertEquals("2024-02-02T15:25:00+05:30", marketData.get("lastEventTime").asText(), "the open of the last bar");
    assertEquals(0, marketData.get("connects").asLong());
    assertEquals(0, marketData.get("ticks").asLong());
    assertTrue(status.get("orderFeed").isNull());
  }

  @Test
  void tradesAreTheRoundTripsOfTheReplay() throws Exception {
    JsonNode trades = json(get("/accounts/paper/trades"));
    assertEquals(9, trades.size());
    JsonNode first = trades.get(0);
    assertEquals("BAJFINANCE-EQ.NSE", first.get("instrument").asText());
    assertEquals("2024-01-16T12:40:00+05:30", first.get("entryTime").asText());
    assertEquals("TRAIL", first.get("exitReason").asText());
  }

  @Test
  void positionsAreFlatAfterTheReplayWithTheirRealizedPnl() throws Exception {
    JsonNode positions = json(get("/accounts/paper/positions"));
    assertEquals(4, positions.size());
    for (JsonNode p : positions) assertEquals("FLAT", p.get("status").asText());
    double total = 0;
    for (JsonNode p : positions) total += p.get("realizedPnl").decimalValue().doubleValue();
    assertEquals(554.55, total, 1e-9);
  }

  @Test
  void ordersListTheTradersOrders() throws Exception {
    JsonNode orders = json(get("/accounts/paper/orders"));
    int entriesFilled = 0;
    int exitsFilled = 0;
    for (JsonNode order : orders) {
      String status = order.get("status").asText();
      assertTrue(status.equals("FILLED") || status.equals("CANCELED"), "nothing is left working after the replay: " + order);
      if (status.equals("FILLED") && order.get("role").asText().equals("ENTRY")) entriesFilled++;
      if (status.equals("FILLED") && order.get("side").asText().equals("SELL")) exitsFilled++;
    }
    assertEquals(9, entriesFilled, "one filled entry per trade of the sample");
    assertEquals(9, exitsFilled, "one filled stop or exit per trade");
  }

  @Test
  void aSymbolAnswersItsTradersState() throws Exception {
    JsonNode byId = json(get("/accounts/paper/symbols/TCS-EQ.NSE"));
    assertEquals("TCS-EQ.NSE", byId.get("instrument").asText());
    assertEquals("2024-02-02T15:25:00+05:30", byId.get("lastBarApplied").asText());
    JsonNode bySymbol = json(get("/accounts/paper/symbols/TCS-EQ"));
    assertEquals(byId, bySymbol);
  }

  @Test
  void unknownAccountSymbolOrPathAnswer404WithAJsonError() throws Exception {
    HttpResponse<String> account = get("/accounts/nobody/positions");
    assertEquals(404, account.statusCode());
    assertEquals("unknown account", json(account).get("error").asText());

    HttpResponse<String> symbol = get("/accounts/paper/symbols/TCS");
    assertEquals(404, symbol.statusCode(), "a base symbol is not an instrument");
    assertEquals("unknown symbol", json(symbol).get("error").asText());

    HttpResponse<String> path = get("/nothing/here");
    assertEquals(404, path.statusCode());
    assertTrue(json(path).has("error"));
  }

  @Test
  void wrongMethodAnswers405WithAJsonError() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + "/health");
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode());
    assertTrue(json(response).has("error"));
  }
}
