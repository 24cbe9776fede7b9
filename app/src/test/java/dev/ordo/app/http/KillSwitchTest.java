package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.persistence.JournalReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill switch over real HTTP: {@code POST /accounts/{account}/halt} and {@code /resume} with an
 * account's token and an admin token, 409 when the account already is in that state, 403 for a read
 * token, 404 for another account's token; each answer and {@code /status} validated against the
 * schema; the halt survives a restart of the engine and every action is journaled with the token's
 * subject.
 */
class KillSwitchTest {

  static final String ADMIN = "admin-token-0123456789";
  static final String READER = "reader-token-0123456789";
  static final String DESK = "desk-token-0123456789";
  static final String OTHER = "other-token-0123456789";

  final HttpClient client = HttpClient.newHttpClient();

  HttpResponse<String> send(Engine engine, String method, String path, String token) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void haltAndResumeOverHttpAnswerTheStateConflictsAre409AndTheHaltSurvivesARestart(@TempDir Path dir) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), String.join("\n", "ops admin " + ADMIN, "grafana read " + READER,
        "desk account:paper " + DESK, "other account:other " + OTHER));
    Config config = ConfigFactory.parseString("ordo.http.tokens-file = \"" + tokens + "\"\n"
        + "ordo.accounts.paper.risk { max-order-notional = 150000, max-open-positions = 3 }").withFallback(ConfigFactory.load());
    Path state = dir.resolve("state");

    Engine first = EngineFixtureAccess.start(state, config);
    try {
      first.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      JsonNode before = json(send(first, "GET", "/status", READER));
      ApiSchema.assertConforms("Status", before);
      assertEquals("ACTIVE", before.at("/accounts/0/risk/state").asText());
      assertEquals("150000", before.at("/accounts/0/risk/limits/maxOrderNotional/amount").asText());
      assertEquals("INR", before.at("/accounts/0/risk/limits/maxOrderNotional/currency").asText());
      assertEquals(3, before.at("/accounts/0/risk/limits/maxOpenPositions").asInt());
      assertTrue(before.at("/accounts/0/risk/limits/maxDailyRealizedLoss").isNull(), "a limit not set is null");

      HttpResponse<String> forbidden = send(first, "POST", "/accounts/paper/halt", READER);
      assertEquals(403, forbidden.statusCode(), forbidden.body());
      assertEquals(404, send(first, "POST", "/accounts/paper/halt", OTHER).statusCode(), "another account's token does not see paper");

      HttpResponse<String> halted = send(first, "POST", "/accounts/paper/halt", DESK);
      assertEquals(200, halted.statusCode(), halted.body());
      ApiSchema.assertConforms("Risk", json(halted));
      assertEquals("HALTED", json(halted).get("state").asText());
      assertEquals("desk", json(halted).get("changedBy").asText(), "the token's subject");
      assertEquals("halted by desk", json(halted).get("reason").asText());
      assertTrue(json(halted).get("error").isNull());

      HttpResponse<String> again = send(first, "POST", "/accounts/paper/halt", ADMIN);
      assertEquals(409, again.statusCode(), again.body());
      ApiSchema.assertConforms("Risk", json(again));
      assertEquals("conflict", json(again).get("error").asText());
      assertEquals("HALTED", json(again).get("state").asText());
      assertEquals("account paper is already HALTED (halted by desk)", json(again).get("detail").asText());
    } finally {
      first.close();
    }

    Engine second = EngineFixtureAccess.start(state, config);
    try {
      JsonNode status = json(send(second, "GET", "/status", ADMIN));
      ApiSchema.assertConforms("Status", status);
      assertEquals("HALTED", status.at("/accounts/0/risk/state").asText(), "a restart keeps the halt");
      assertEquals("desk", status.at("/accounts/0/risk/changedBy").asText());

      HttpResponse<String> resumed = send(second, "POST", "/accounts/paper/resume", ADMIN);
      assertEquals(200, resumed.statusCode(), resumed.body());
      ApiSchema.assertConforms("Risk", json(resumed));
      assertEquals("ACTIVE", json(resumed).get("state").asText());
      assertEquals("ops", json(resumed).get("changedBy").asText());
      assertTrue(json(resumed).get("reason").isNull());

      HttpResponse<String> resumedAgain = send(second, "POST", "/accounts/paper/resume", DESK);
      assertEquals(409, resumedAgain.statusCode(), resumedAgain.body());
      ApiSchema.assertConforms("Risk", json(resumedAgain));
      assertEquals("ACTIVE", json(resumedAgain).get("state").asText());

      List<String> journal = JournalReader.of(second.system()).events("AccountRisk|paper").toCompletableFuture().get(30, TimeUnit.SECONDS)
          .stream().map(JournalReader.Entry::event)
          .filter(e -> e instanceof AccountRisk.Halted || e instanceof AccountRisk.Resumed)
          .map(e -> e instanceof AccountRisk.Halted h ? "halted by " + h.requestedBy() : "resumed by " + ((AccountRisk.Resumed) e).requestedBy())
          .toList();
      assertEquals(List.of("halted by desk", "resumed by ops"), journal);
    } finally {
      second.close();
    }
  }
}
