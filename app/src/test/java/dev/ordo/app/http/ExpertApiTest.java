package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.engine.marketdata.ReplayDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experts over real HTTP (port 0) on an engine that replayed the last session of the shared NSE data
 * (20 instruments): settings, each field's 400, and concurrency: 500 concurrent POSTs of one BUY give
 * exactly one transaction, 20 experts × 10 instruments in parallel give 200.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpertApiTest {

  static final Path FULL_DATA = Path.of("..", "..", "shared", "data", "nse_equity_5min");
  static final List<String> TEN = List.of("ADANIENT-EQ", "AXISBANK-EQ", "BAJFINANCE-EQ", "BHARTIARTL-EQ", "DALBHARAT-EQ", "HDFCBANK-EQ",
      "HINDUNILVR-EQ", "ICICIBANK-EQ", "INFY-EQ", "ITC-EQ");

  Engine engine;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    assertTrue(Files.isDirectory(FULL_DATA), "the shared NSE data is needed at " + FULL_DATA.toAbsolutePath());
    LocalDate last = LocalDate.of(2024, 6, 28);
    engine = Engine.start(new Engine.Settings(FULL_DATA, last, last, ReplayDriver.Speed.max(), dataDir, "127.0.0.1", 0, false),
        ConfigFactory.parseString("ordo.experts.cfg { account = paper, max-open-transactions = 2, instruments = [\"TCS-EQ\"] }")
            .withFallback(ConfigFactory.load()), new ReplayDriver.Listener() {
          @Override
          public void onStep(ReplayDriver.Progress progress) {}

          @Override
          public void onEnd(ReplayDriver.Progress progress) {}
        });
    assertEquals(ReplayDriver.State.FINISHED, engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS).state());
  }

  @AfterAll
  void stop() throws Exception {
    engine.close();
  }

  HttpRequest request(String method, String path, String body) throws Exception {
    return HttpRequest.newBuilder(URI.create(engine.apiUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Files.readString(engine.apiTokenFile()).strip()).build();
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return client.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  static String buy(String instrument, String quantity) {
    return "{\"recommendations\":[{\"instrument\":\"" + instrument + "\",\"action\":\"BUY\",\"confidence\":0.8,\"quantity\":" + quantity + "}]}";
  }

  @Test
  void anExpertIsCreatedShownAndItsSettingsCheckedFieldByField() throws Exception {
    HttpResponse<String> created = send("PUT", "/experts/desk1",
        "{\"account\":\"paper\",\"maxOpenTransactions\":3,\"allocationPerTrade\":\"50000\",\"instruments\":[\"TCS-EQ\",\"INFY-EQ.NSE\"]}");
    assertEquals(201, created.statusCode(), created.body());
    ApiSchema.assertConforms("Expert", json(created));
    assertEquals(List.of("INFY-EQ.NSE", "TCS-EQ.NSE"), List.of(json(created).at("/instruments/0").asText(), json(created).at("/instruments/1").asText()));
    assertEquals("50000", json(created).get("allocationPerTrade").asText());
    assertEquals(200, send("PUT", "/experts/desk1", "{\"account\":\"paper\"}").statusCode(), "a change of an existing expert");
    HttpResponse<String> shown = send("GET", "/experts/desk1", null);
    assertEquals(200, shown.statusCode());
    assertEquals(5, json(shown).get("maxOpenTransactions").asInt(), "the defaults of a PUT without them");
    ApiSchema.assertConforms("Experts", json(send("GET", "/experts", null)));

    HttpResponse<String> bad = send("PUT", "/experts/desk1", "{\"account\":\"nobody\",\"maxOpenTransactions\":0,\"allocationPerTrade\":\"-5\","
        + "\"minConfidence\":1.5,\"instruments\":[\"NOPE-EQ\"],\"colour\":\"red\"}");
    assertEquals(400, bad.statusCode(), bad.body());
    String detail = json(bad).get("detail").asText();
    for (String field : List.of("colour: unknown field", "account: no account 'nobody'", "maxOpenTransactions: must be a whole number within 1..10000",
        "allocationPerTrade: must be above 0", "minConfidence: must be within 0..1, got 1.5"))
      assertTrue(detail.contains(field), field + " in: " + detail);
    assertEquals(400, send("PUT", "/experts/desk1", "{\"account\":").statusCode(), "not JSON");
    assertTrue(json(send("PUT", "/experts/Bad_Id", "{\"account\":\"paper\"}")).get("detail").asText().contains("expertId"));
    assertEquals(5, json(send("GET", "/experts/desk1", null)).get("maxOpenTransactions").asInt(), "nothing stored changed by a refused PUT");

    HttpResponse<String> badRecommendation = send("POST", "/experts/desk1/recommendations",
        "{\"recommendations\":[{\"instrument\":\"TCS-EQ\",\"action\":\"BUY\",\"confidence\":1.5},{\"action\":\"SHORT\",\"quantity\":\"x\"}]}");
    assertEquals(400, badRecommendation.statusCode());
    String why = json(badRecommendation).get("detail").asText();
    for (String field : List.of("recommendations[0].confidence: must be within 0..1", "recommendations[1].instrument: required",
        "recommendations[1].action: must be BUY, SELL or HOLD", "recommendations[1].quantity: must be a decimal"))
      assertTrue(why.contains(field), field + " in: " + why);
    assertEquals(404, send("POST", "/experts/nobody/recommendations", buy("TCS-EQ", "1")).statusCode());
  }

  @Test
  void anExpertOfTheConfigurationExistsAtTheStart() throws Exception {
    JsonNode configured = json(send("GET", "/experts/cfg", null));
    assertEquals("paper", configured.get("account").asText());
    assertEquals(2, configured.get("maxOpenTransactions").asInt());
    assertEquals("TCS-EQ.NSE", configured.at("/instruments/0").asText());
    assertEquals("INSTRUMENT_NOT_ALLOWED", json(send("POST", "/experts/cfg/recommendations", buy("INFY-EQ", "1")))
        .at("/results/0/reason").asText());
  }

  @Test
  void aConfiguredExpertWithAnUnknownAccountOrInstrumentIsRefusedNamingTheKey() {
    var config = ConfigFactory.parseString("ordo.experts.bad { account = nobody }");
    IllegalArgumentException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
        dev.ordo.app.ExpertsConfig.read(config, java.util.Set.of(dev.ordo.engine.model.AccountId.of("paper")), (a, t) -> java.util.Optional.empty()));
    assertEquals("ordo.experts.bad: account: no account 'nobody'; the accounts: [paper]", error.getMessage());
    var instrument = ConfigFactory.parseString("ordo.experts.bad { account = paper, instruments = [\"NOPE-EQ\"] }");
    assertEquals("ordo.experts.bad: instruments: account paper does not trade 'NOPE-EQ'", org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> dev.ordo.app.ExpertsConfig.read(instrument, java.util.Set.of(dev.ordo.engine.model.AccountId.of("paper")),
            (a, t) -> java.util.Optional.empty())).getMessage());
  }

  @Test
  void aBuyWhileTheAccountIsHaltedIsSkippedBeforeAnyTransactionOpens() throws Exception {
    assertEquals(201, send("PUT", "/experts/halted", "{\"account\":\"paper\"}").statusCode());
    assertEquals(200, send("POST", "/accounts/paper/halt", null).statusCode());
    try {
      JsonNode result = json(send("POST", "/experts/halted/recommendations", buy("ITC-EQ", "1"))).at("/results/0");
      assertEquals("skipped", result.get("status").asText());
      assertEquals("ACCOUNT_HALTED", result.get("reason").asText());
      assertEquals(0, json(send("GET", "/experts/halted/transactions", null)).size(), "no transaction opened");
    } finally {
      assertEquals(200, send("POST", "/accounts/paper/resume", null).statusCode());
    }
    assertEquals("accepted", json(send("POST", "/experts/halted/recommendations", buy("ITC-EQ", "1"))).at("/results/0/status").asText());
  }

  @Test
  void fiveHundredConcurrentPostsOfOneBuyOpenExactlyOneTransaction() throws Exception {
    assertEquals(201, send("PUT", "/experts/crowd", "{\"account\":\"paper\"}").statusCode());
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    for (int i = 0; i < 500; i++)
      posts.add(client.sendAsync(request("POST", "/experts/crowd/recommendations", buy("TCS-EQ", "1")), HttpResponse.BodyHandlers.ofString()));
    Map<String, Integer> byResult = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> post : posts) {
      HttpResponse<String> response = post.get(60, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode result = json(response).at("/results/0");
      byResult.merge(result.get("status").asText() + (result.get("reason").isNull() ? "" : " " + result.get("reason").asText()), 1, Integer::sum);
    }
    assertEquals(Map.of("accepted", 1, "skipped OPEN_TRANSACTION", 499), byResult);
    HttpResponse<String> transactions = send("GET", "/experts/crowd/transactions", null);
    ApiSchema.assertConforms("Transactions", json(transactions));
    assertEquals(1, json(transactions).size());
    ApiSchema.assertConforms("RecommendationResults", json(send("POST", "/experts/crowd/recommendations", buy("TCS-EQ", "1"))));

    double crowd = 0;
    for (String line : send("GET", "/metrics", null).body().lines().toList())
      if (line.startsWith("ordo_expert_transactions{") && line.contains("expert=\"crowd\"")) crowd += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    assertEquals(1.0, crowd, "/metrics counts the expert's one transaction");
  }

  @Test
  void twentyExpertsTimesTenInstrumentsInParallelOpenTwoHundredTransactions() throws Exception {
    for (int e = 1; e <= 20; e++) assertEquals(201, send("PUT", "/experts/e" + e, "{\"account\":\"paper\",\"maxOpenTransactions\":10}").statusCode());
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    for (int e = 1; e <= 20; e++)
      for (String instrument : TEN)
        posts.add(client.sendAsync(request("POST", "/experts/e" + e + "/recommendations", buy(instrument, "1")), HttpResponse.BodyHandlers.ofString()));
    int accepted = 0;
    for (CompletableFuture<HttpResponse<String>> post : posts)
      if (json(post.get(60, TimeUnit.SECONDS)).at("/results/0/status").asText().equals("accepted")) accepted++;
    assertEquals(200, accepted);
    int transactions = 0;
    for (int e = 1; e <= 20; e++) transactions += json(send("GET", "/experts/e" + e + "/transactions", null)).size();
    assertEquals(200, transactions);
  }
}
