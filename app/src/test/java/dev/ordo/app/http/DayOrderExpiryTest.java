package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.service.TradingService;
import dev.ordo.persistence.JournalReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper venue's end of day, end to end on the paper engine over real HTTP: the bundled sample
 * replayed over two sessions (2024-01-15 and 16) with an expert. On day 1 the expert buys TCS with a
 * take-profit far above the market (it works all day) and KOTAKBANK with one the market reaches
 * (it fills). At 18:00 {@code eod-cleanup} expires the working TCS take-profit (its outcome says 1
 * expired) and the reconciliation that follows tells the expert; at 09:15 on day 2
 * {@code market-open-exits} sells TCS at market (one sell fill, the transaction CLOSED) and does not
 * sell KOTAKBANK again; a second run by hand sells nothing.
 */
class DayOrderExpiryTest {

  static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");
  static final LocalDate DAY1 = LocalDate.of(2024, 1, 15);
  static final LocalDate DAY2 = LocalDate.of(2024, 1, 16);

  final HttpClient client = HttpClient.newHttpClient();
  Engine engine;

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(engine.apiUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + Files.readString(engine.apiTokenFile()).strip()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void aTakeProfitStillWorkingAtTheEndOfTheDayExpiresAndTheNextOpenSellsItsPositionOnce(@TempDir Path dataDir) throws Exception {
    // The replay pauses after its 5th step (09:35 on day 1): the driver is told from its own listener, before its next step.
    AtomicReference<Engine> started = new AtomicReference<>();
    CompletableFuture<Void> paused = new CompletableFuture<>();
    ReplayDriver.Listener listener = new ReplayDriver.Listener() {
      @Override
      public void onStep(ReplayDriver.Progress progress) {
        if (progress.stepsDone() != 5) return;
        Engine running = started.get();
        if (running == null) {
          paused.completeExceptionally(new IllegalStateException("step 5 came before the engine's start returned"));
          return;
        }
        running.replays().get(0).driver().tell(new ReplayDriver.Pause(running.system().ignoreRef()));
        paused.complete(null);
      }

      @Override
      public void onEnd(ReplayDriver.Progress progress) {}
    };
    engine = Engine.start(new Engine.Settings(SAMPLE, DAY1, DAY2, ReplayDriver.Speed.max(), dataDir, "127.0.0.1", 0, false),
        ConfigFactory.parseString("ordo.experts.tp { account = paper, instruments = [\"TCS-EQ\", \"KOTAKBANK-EQ\"] }")
            .withFallback(ConfigFactory.load()), listener);
    started.set(engine);
    try {
      paused.get(60, TimeUnit.SECONDS);
      HttpResponse<String> bought = send("POST", "/experts/tp/recommendations", "{\"recommendations\":["
          + "{\"instrument\":\"TCS-EQ\",\"action\":\"BUY\",\"confidence\":0.9,\"quantity\":10,\"takeProfit\":\"9000\"},"
          + "{\"instrument\":\"KOTAKBANK-EQ\",\"action\":\"BUY\",\"confidence\":0.9,\"quantity\":20,\"takeProfit\":\"1850\"}]}");
      assertEquals(200, bought.statusCode(), bought.body());
      assertEquals("tp-1", json(bought).at("/results/0/transactionId").asText(), bought.body());
      assertEquals("tp-2", json(bought).at("/results/1/transactionId").asText(), bought.body());
      TradingService.Parts parts = engine.queries().runningParts(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
      engine.replays().get(0).driver().tell(new ReplayDriver.Resume(parts.barDelivery(), parts.scheduler()));
      assertEquals(ReplayDriver.State.FINISHED, engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS).state());

      // The take-profits' ids follow the order the entries' fills reached the expert: read them from its transactions.
      Expert.State expert = engine.queries().expert("tp").toCompletableFuture().get(30, TimeUnit.SECONDS);
      Expert.Transaction tcs = expert.transaction("tp-1");
      Expert.Transaction kotak = expert.transaction("tp-2");
      assertEquals(3, tcs.orders().size(), "entry, take-profit, then the market-open sale: " + tcs.orders());
      assertEquals(2, kotak.orders().size(), "entry and take-profit, not sold again at the open: " + kotak.orders());
      String tcsTakeProfit = tcs.orders().get(1).value();
      String tcsSale = tcs.orders().get(2).value();
      String kotakTakeProfit = kotak.orders().get(1).value();
      assertEquals(Expert.TransactionStatus.CLOSED, tcs.status());
      assertEquals(OrderStatus.EXPIRED, expert.orders().get(tcs.orders().get(1)).status(), "the take-profit expired at the venue");
      assertEquals(OrderStatus.FILLED, expert.orders().get(tcs.orders().get(2)).status());
      assertEquals(Expert.TransactionStatus.CLOSED, kotak.status(), "its take-profit filled on day 1");
      assertEquals(OrderStatus.FILLED, expert.orders().get(kotak.orders().get(1)).status());
      assertEquals(List.of(kotakTakeProfit, tcsSale), sellFills(), "one sell fill per transaction");

      List<TaskScheduler.TaskFinished> runs = JournalReader.of(engine.system()).events("TaskScheduler|paper").toCompletableFuture()
          .get(30, TimeUnit.SECONDS).stream().filter(e -> e.event() instanceof TaskScheduler.TaskFinished)
          .map(e -> (TaskScheduler.TaskFinished) e.event()).toList();
      assertEquals("1 DAY order(s) expired (" + tcsTakeProfit + "), reconciled (1 order(s) resolved); no failed order records to remove (4 traders)",
          finished(runs, "eod-cleanup", DAY1).detail(), "the TCS take-profit, still working at 18:00 (KOTAKBANK's filled)");
      assertTrue(finished(runs, "market-open-exits", DAY2).detail().endsWith("1 transaction(s) held overnight sent to sell: tp-1"),
          finished(runs, "market-open-exits", DAY2).detail());
      assertTrue(finished(runs, "eod-cleanup", DAY2).detail().startsWith("0 DAY orders expired; "), "day 2 ends with nothing working");

      long before = expert.orderSequence();
      HttpResponse<String> again = send("POST", "/accounts/paper/tasks/market-open-exits/run", null);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals("SUCCEEDED", json(again).at("/run/outcome").asText(), again.body());
      assertTrue(json(again).at("/run/detail").asText().endsWith("no position held overnight to sell (1 expert(s))"), again.body());
      assertEquals(List.of(kotakTakeProfit, tcsSale), sellFills(), "nothing sold again");
      assertEquals(before, engine.queries().expert("tp").toCompletableFuture().get(30, TimeUnit.SECONDS).orderSequence(), "no order sent");
    } finally {
      engine.close();
    }
  }

  static TaskScheduler.TaskFinished finished(List<TaskScheduler.TaskFinished> runs, String task, LocalDate day) {
    return runs.stream().filter(r -> r.task().equals(task) && r.day().equals(day)).findFirst()
        .orElseThrow(() -> new AssertionError("no run of " + task + " for " + day + " in " + runs));
  }

  /** The ClientOrderIds of the expert's sell fills, as its journal applied them (each trade once). */
  List<String> sellFills() throws Exception {
    return JournalReader.of(engine.system()).events("Expert|tp").toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
        .filter(e -> e.event() instanceof Expert.FillApplied f && f.fill().side() == OrderSide.SELL)
        .map(e -> ((Expert.FillApplied) e.event()).fill().clientOrderId().value()).toList();
  }
}
