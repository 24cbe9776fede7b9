package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint but {@code /health} needs a bearer token, and a token sees and does what its
 * scope allows: over real HTTP, on an engine with a tokens file of each scope.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSecurityTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String READER = "reader-token-0123456789";
  static final String PAPER_DESK = "paper-desk-token-0123456789";
  static final String OTHER_DESK = "other-desk-token-0123456789";
  static final List<String> ENDPOINTS = List.of("/status", "/accounts/paper/positions", "/accounts/paper/orders", "/accounts/paper/trades",
      "/accounts/paper/symbols/TCS-EQ.NSE", "/audit/replay-run/paper");

  Engine engine;
  HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), String.join("\n", "ops admin " + ADMIN, "grafana read " + READER,
        "desk account:paper " + PAPER_DESK, "other account:other " + OTHER_DESK));
    Config config = ConfigFactory.parseString("ordo.http.tokens-file = \"" + tokens + "\"").withFallback(ConfigFactory.load());
    engine = EngineFixtureAccess.start(dir.resolve("state"), config);
  }

  @AfterAll
  void stop() throws Exception {
    engine.close();
  }

  HttpResponse<String> send(String method, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) request.header("Authorization", authorization);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void everyEndpointButHealthAnswers401WithoutAValidToken() throws Exception {
    assertEquals(200, send("GET", "/health", null).statusCode(), "liveness needs no token");
    for (String path : ENDPOINTS) {
      for (String authorization : new String[] {null, "Bearer wrong-token-0123456789", "Bearer " + ADMIN + "x", "Basic " + ADMIN, "Bearer "}) {
        HttpResponse<String> response = send("GET", path, authorization);
        assertEquals(401, response.statusCode(), path + " with " + authorization);
        assertEquals("Bearer realm=\"ordo\"", response.headers().firstValue("WWW-Authenticate").orElse(""), path);
        assertEquals("unauthorized", json(response).get("error").asText());
        assertFalse(response.body().contains(ADMIN), "a token is never echoed");
      }
      assertEquals(200, send("GET", path, "Bearer " + ADMIN).statusCode(), path);
      assertEquals(200, send("GET", path, "bearer " + ADMIN).statusCode(), "the scheme is case-insensitive (RFC 7235)");
    }
  }

  @Test
  void metricsNeedAnAdminOrReadToken() throws Exception {
    assertEquals(401, send("GET", "/metrics", null).statusCode());
    assertEquals(200, send("GET", "/metrics", "Bearer " + READER).statusCode());
    assertEquals(200, send("GET", "/metrics", "Bearer " + ADMIN).statusCode());
    HttpResponse<String> desk = send("GET", "/metrics", "Bearer " + PAPER_DESK);
    assertEquals(403, desk.statusCode(), "the figures cover every account");
    ApiSchema.assertConforms("Error", json(desk));
  }

  @Test
  void aReadTokenReadsEverythingAndChangesNothing() throws Exception {
    for (String path : ENDPOINTS) assertEquals(200, send("GET", path, "Bearer " + READER).statusCode(), path);
    HttpResponse<String> post = send("POST", "/status", "Bearer " + READER);
    assertEquals(403, post.statusCode());
    assertEquals("the token of grafana has scope read, which does not allow POST", json(post).get("detail").asText());
    assertEquals(405, send("POST", "/status", "Bearer " + ADMIN).statusCode(), "an admin gets past the scope check to the route");
  }

  @Test
  void anAccountTokenSeesItsAccountOnlyAndOthersDoNotExistForIt() throws Exception {
    for (String path : ENDPOINTS) assertEquals(200, send("GET", path, "Bearer " + PAPER_DESK).statusCode(), path);
    JsonNode ownStatus = json(send("GET", "/status", "Bearer " + PAPER_DESK));
    assertEquals("paper", ownStatus.at("/accounts/0/account").asText());
    assertEquals("paper", ownStatus.at("/accounts/0/auth/account").asText());
    assertEquals("paper", ownStatus.at("/accounts/0/replay/account").asText());

    HttpResponse<String> hidden = send("GET", "/accounts/paper/positions", "Bearer " + OTHER_DESK);
    HttpResponse<String> unknown = send("GET", "/accounts/nobody/positions", "Bearer " + OTHER_DESK);
    assertEquals(404, hidden.statusCode());
    assertEquals(404, unknown.statusCode());
    assertEquals(json(unknown).get("error"), json(hidden).get("error"), "the same answer as an account that does not exist");
    assertEquals(json(unknown).get("detail").asText().replace("nobody", "paper"), json(hidden).get("detail").asText(),
        "nothing tells the hidden account from a missing one");
    assertEquals(404, send("GET", "/audit/replay-run/paper", "Bearer " + OTHER_DESK).statusCode(), "nor its journal");
    assertEquals(200, send("GET", "/audit/replay-run/paper", "Bearer " + PAPER_DESK).statusCode());
    assertEquals(404, send("GET", "/audit/service-manager/engine", "Bearer " + PAPER_DESK).statusCode(),
        "the service manager's journal holds every account's control actions: not for an account's token");
    assertEquals(200, send("GET", "/audit/service-manager/engine", "Bearer " + READER).statusCode());
    JsonNode otherStatus = json(send("GET", "/status", "Bearer " + OTHER_DESK));
    assertEquals(0, otherStatus.get("accounts").size());
    assertEquals(0, otherStatus.get("instruments").size(), "nor the instruments of accounts it does not see: " + otherStatus);
    ApiSchema.assertConforms("Status", otherStatus);
  }

  @Test
  void whoamiBarsAndTheDashboardPageAnswerAsDocumented() throws Exception {
    JsonNode admin = json(send("GET", "/whoami", "Bearer " + ADMIN));
    ApiSchema.assertConforms("Whoami", admin);
    assertEquals("ops", admin.get("subject").asText());
    assertTrue(admin.get("controls").asBoolean());
    JsonNode reader = json(send("GET", "/whoami", "Bearer " + READER));
    assertEquals("read", reader.get("scope").asText());
    assertFalse(reader.get("controls").asBoolean(), "a read token has no control");
    assertEquals("account:paper", json(send("GET", "/whoami", "Bearer " + PAPER_DESK)).get("scope").asText());
    assertEquals(401, send("GET", "/whoami", null).statusCode());
    assertFalse(send("GET", "/whoami", "Bearer " + ADMIN).body().contains(ADMIN), "never the token");

    engine.replayEnd().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS);
    JsonNode bars = json(send("GET", "/accounts/paper/symbols/TCS-EQ.NSE/bars?limit=3", "Bearer " + PAPER_DESK));
    ApiSchema.assertConforms("Bars", bars);
    assertEquals(1125, bars.get("totalBars").asInt(), "every bar of the sample's TCS file was applied");
    assertEquals(3, bars.get("bars").size());
    assertEquals("2024-02-02T15:25:00+05:30", bars.at("/bars/2/time").asText(), "the last bar of the sample, venue's offset");
    assertEquals("2024-02-02T15:15:00+05:30", bars.at("/bars/0/time").asText(), "the last three, oldest first");
    JsonNode all = json(send("GET", "/accounts/paper/symbols/TCS-EQ.NSE/bars?limit=5000", "Bearer " + READER));
    assertTrue(java.util.stream.StreamSupport.stream(all.get("bars").spliterator(), false).anyMatch(b -> !b.get("strategy").isNull()),
        "the bars that decided something carry the strategy's state");
    assertEquals(400, send("GET", "/accounts/paper/symbols/TCS-EQ.NSE/bars?limit=0", "Bearer " + ADMIN).statusCode());
    assertEquals(404, send("GET", "/accounts/paper/symbols/TCS-EQ.NSE/bars", "Bearer " + OTHER_DESK).statusCode(), "another account's");

    HttpResponse<String> page = send("GET", "/", null);
    assertEquals(200, page.statusCode(), "the page needs no token: it holds no data");
    assertTrue(page.body().contains("<title>Ordo dashboard</title>"));
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
    assertEquals(200, send("GET", "/dashboard/vendor/lightweight-charts/lightweight-charts.standalone.production.js", null).statusCode());
    assertEquals(401, send("GET", "/events", null).statusCode(), "the live feed needs a token");
  }
}
