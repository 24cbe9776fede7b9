package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.persistence.JournalReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping and starting the paper account's service over real HTTP, in the middle of a replay: the
 * stop pauses the replay after its running step, a second stop and a second start answer 409 with
 * the state, a task cannot run on a stopped service, the start resumes the replay from the journal
 * to the uninterrupted run's trades, and every action is journaled with the token's subject.
 */
class ServiceControlTest {

  final HttpClient client = HttpClient.newHttpClient();
  Engine engine;

  HttpResponse<String> send(String method, String path) throws Exception {
    URI uri = URI.create(engine.apiUrl() + path);
    return client.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
        .header("Authorization", "Bearer " + Files.readString(engine.apiTokenFile()).strip()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void aServiceStoppedMidReplayAndStartedAgainOverHttpEndsWithTheUninterruptedTrades(@TempDir Path dataDir) throws Exception {
    List<RoundTrip> expected = EngineFixtureAccess.expectedTrades();
    CompletableFuture<Void> underWay = new CompletableFuture<>();
    // 20000x: a 5-minute bar every 15 ms within a session, so the replay is still running when the stop comes
    engine = EngineFixtureAccess.start(dataDir, ConfigFactory.load(), ReplayDriver.Speed.parse("20000x"), progress -> {
      if (progress.stepsDone() >= 150) underWay.complete(null);
    });
    try {
      underWay.get(120, TimeUnit.SECONDS);
      HttpResponse<String> stopped = send("POST", "/accounts/paper/service/stop");
      assertEquals(200, stopped.statusCode(), stopped.body());
      ApiSchema.assertConforms("ServiceControl", json(stopped));
      assertEquals("STOPPED", json(stopped).get("state").asText());
      assertEquals("generated", json(stopped).get("changedBy").asText(), "the token's subject");

      JsonNode status = json(send("GET", "/status"));
      ApiSchema.assertConforms("Status", status);
      assertEquals("STOPPED", status.at("/accounts/0/service").asText());
      assertEquals("PAUSED", status.at("/accounts/0/replay/state").asText());
      int pausedAt = status.at("/accounts/0/replay/stepsDone").asInt();
      assertTrue(pausedAt >= 150 && pausedAt < 1125, "paused mid-replay: " + pausedAt);
      assertFalse(engine.replayEnd().toCompletableFuture().isDone(), "a pause does not end the replay");

      HttpResponse<String> again = send("POST", "/accounts/paper/service/stop");
      assertEquals(409, again.statusCode(), again.body());
      ApiSchema.assertConforms("ServiceControl", json(again));
      assertEquals("STOPPED", json(again).get("state").asText());
      assertEquals("conflict", json(again).get("error").asText());

      HttpResponse<String> taskOnStopped = send("POST", "/accounts/paper/tasks/reconcile/run");
      assertEquals(409, taskOnStopped.statusCode(), taskOnStopped.body());
      assertTrue(json(taskOnStopped).get("detail").asText().contains("is not running"), taskOnStopped.body());

      HttpResponse<String> started = send("POST", "/accounts/paper/service/start");
      assertEquals(200, started.statusCode(), started.body());
      assertEquals("RUNNING", json(started).get("state").asText());
      HttpResponse<String> startedAgain = send("POST", "/accounts/paper/service/start");
      assertEquals(409, startedAgain.statusCode(), startedAgain.body());
      assertEquals("RUNNING", json(startedAgain).get("state").asText());

      HttpResponse<String> reconcile = send("POST", "/accounts/paper/tasks/reconcile/run");
      assertEquals(200, reconcile.statusCode(), reconcile.body());
      ApiSchema.assertConforms("TaskRunAnswer", json(reconcile));
      assertEquals("MANUAL", json(reconcile).at("/run/trigger").asText());
      assertEquals("generated", json(reconcile).at("/run/requestedBy").asText());
      assertEquals("SUCCEEDED", json(reconcile).at("/run/outcome").asText(), reconcile.body());
      JsonNode reconciliation = json(send("GET", "/status")).at("/accounts/0/reconciliation");
      assertEquals(1, reconciliation.get("runs").asInt(), "the run by hand is counted: " + reconciliation);
      assertEquals(0, reconciliation.get("failedRuns").asInt());

      HttpResponse<String> unknown = send("POST", "/accounts/paper/tasks/market-close-party/run");
      assertEquals(404, unknown.statusCode(), unknown.body());
      assertTrue(json(unknown).get("detail").asText().contains("[pre-open-login, reconcile, market-open-exits, eod-cleanup]"), unknown.body());
      assertEquals(404, send("POST", "/accounts/nobody/service/stop").statusCode());

      ReplayDriver.Progress end = engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.FINISHED, end.state());
      assertEquals(expected, engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS),
          "the resumed replay ends with the uninterrupted run's trades");

      List<String> journal = JournalReader.of(engine.system()).events(ServiceManager.PERSISTENCE_ID.id()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS).stream().map(e -> describe(e.event())).toList();
      assertEquals(List.of("started paper by engine", "stopped paper by generated (0 calls cut short)", "started paper by generated"), journal);
    } finally {
      engine.close();
    }
  }

  static String describe(Object event) {
    if (event instanceof ServiceManager.ServiceStarted e) return "started " + e.account() + " by " + e.requestedBy();
    if (event instanceof ServiceManager.ServiceStopped e)
      return "stopped " + e.account() + " by " + e.requestedBy() + " (" + e.unanswered() + " calls cut short)";
    if (event instanceof ServiceManager.ServiceFailed e) return "failed " + e.account() + ": " + e.reason();
    return String.valueOf(event);
  }
}
