package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.app.http.Json;
import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalReader;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import dev.ordo.sim.SimStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash failures that peer trading engines still ship, each reproduced against Ordo and asserted not
 * to happen. The first three share one scenario: the live engine ({@code ordo run --broker neo}, a
 * child JVM) trades against the broker simulator (in this JVM) until fills are made and an order is
 * working at the broker; the market is paused (so nothing new happens), the engine is reconciled, then
 * killed with SIGKILL ({@link Process#destroyForcibly()}), started again on the same data directory
 * (its start reconciles with the broker, delivering the whole trade book again) and reconciled twice
 * more through {@code POST /accounts/{a}/tasks/reconcile/run}. The fourth runs the engine against the
 * simulator's ambiguous-answer fault on every placement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class PeerCrashFailuresTest {

  static final NeoCredentials USER = LiveEngineSimulatorTest.USER;

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> simSystem;
  private BrokerSimulator simulator;
  private Path dataDir;

  // the scenario's observations: before the kill (market paused, reconciled) and after the restart
  private SimStats.Snapshot statsBefore;
  private SimStats.Snapshot statsAfter;
  private Map<ClientOrderId, JsonNode> workingBefore;
  private Map<ClientOrderId, JsonNode> ordersAfter;
  private Set<ClientOrderId> openAtBrokerAfter;
  private List<OrderReport> bookBefore;
  private List<OrderReport> bookAfter;
  private long engineFillsAfter;
  private List<JsonNode> runsAfter;
  private String restartedLog;
  private CommandRun.Result verified;
  private Map<String, Integer> fillAppliedPerTradeId;

  @BeforeAll
  void sigkillWithFillsMadeAndAnOrderWorkingThenRestart() throws Exception {
    simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    // The sample's sessions of 12 to 18 January (trades on 16, 17 and 18) at 2,000x: about 11 s a session, the first
    // ones while the engine starts.
    simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE, LocalDate.of(2024, 1, 12),
        LocalDate.of(2024, 1, 18), 2000.0, USER, SimFaults.none(), new BigDecimal("100000000")), Clock.systemUTC())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Path scenario = Files.createTempDirectory(dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir, "peer-crash-");
    Path credentials = scenario.resolve("credentials.properties");
    Files.writeString(credentials, "consumer-key=" + USER.consumerKey() + "\nmobile=" + USER.mobileNumber() + "\nucc=" + USER.ucc() + "\nmpin="
        + USER.mpin() + "\ntotp-seed=" + USER.totpSeed() + "\n");
    dataDir = scenario.resolve("engine");
    List<String> run = List.of("run", "--broker", "neo", "--broker-url", simulator.baseUrl(), "--credentials", credentials.toString(),
        "--data-dir", dataDir.toString(), "--http-port", "0", "--reconcile-every", "2s");
    TestProbe<Void> waiting = TestProbe.create(simSystem);

    Engine first = Engine.start(run, scenario.resolve("first.err"));
    try {
      // trade until the broker made fills and the engine has an order working at it, then stop the market; the order may
      // end just before the pause (a stop hit, the session's exit): the market then goes on until one is working again
      for (int attempt = 1; ; attempt++) {
        waiting.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(50), () -> {
          assertTrue(simulator.stats().fills() >= 2, "fills made");
          assertFalse(working(first).isEmpty(), "an order working at the broker");
          return null;
        });
        simulator.pauseMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
        reconcileTwice(first);
        workingBefore = working(first);
        if (!workingBefore.isEmpty() || attempt == 5) break;
        simulator.resumeMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      statsBefore = simulator.stats();
      bookBefore = brokerBook();
    } finally {
      first.process.destroyForcibly(); // SIGKILL
      first.process.waitFor(30, TimeUnit.SECONDS);
    }
    assertEquals(137, first.process.exitValue(), "killed by SIGKILL");

    Engine restarted = Engine.start(run, scenario.resolve("restarted.err"));
    try {
      runsAfter = reconcileTwice(restarted);
      ordersAfter = new TreeMap<>();
      for (JsonNode order : get(restarted, "/orders")) ordersAfter.put(ClientOrderId.of(order.path("clientOrderId").asText()), order);
      engineFillsAfter = 0;
      for (JsonNode position : get(restarted, "/positions")) engineFillsAfter += position.path("fills").asLong();
      statsAfter = simulator.stats();
      bookAfter = brokerBook();
      openAtBrokerAfter = new HashSet<>();
      bookAfter.stream().filter(o -> !o.status().isClosed()).forEach(o -> openAtBrokerAfter.add(o.clientOrderId()));
    } finally {
      restarted.process.destroy(); // SIGTERM
      restarted.process.waitFor(60, TimeUnit.SECONDS);
      restarted.process.destroyForcibly().waitFor();
    }
    restartedLog = Files.readString(scenario.resolve("restarted.err"));
    verified = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
    fillAppliedPerTradeId = new TreeMap<>();
    try (OfflineJournal journal = OfflineJournal.open(dataDir, ConfigFactory.load())) {
      Auditor auditor = journal.auditor();
      for (AuditedEntity entity : auditor.entities().toCompletableFuture().get(60, TimeUnit.SECONDS).entities())
        if (entity.type() == AuditedEntity.Type.POSITION)
          for (JournalReader.Entry entry : auditor.history(entity).toCompletableFuture().get(60, TimeUnit.SECONDS).entries())
            if (entry.event() instanceof dev.ordo.engine.trading.Position.FillApplied e)
              fillAppliedPerTradeId.merge(e.fill().tradeId().toString(), 1, Integer::sum);
    }
  }

  @AfterAll
  void stopTheSimulator() throws Exception {
    if (simulator != null) simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (simSystem != null) simSystem.terminate();
  }

  /**
   * NautilusTrader: fills cached before a restart and replayed after it raised duplicate {@code TradeId}
   * errors. Ordo's restart delivers the broker's whole trade book again (the start's reconciliation and
   * every run after it); each fill is applied once, with no error.
   */
  @Test
  void nautilusTraderCachedFillsReplayedAfterARestartAreAppliedOnceWithoutAnError() {
    long brokerFills = statsBefore.fills();
    assertTrue(brokerFills >= 2, "the scenario made fills: " + statsBefore);
    assertEquals(brokerFills, statsAfter.fills(), "the market was paused: no new fill");
    for (JsonNode run : runsAfter) {
      assertEquals("SUCCEEDED", run.path("outcome").asText(), "the reconciliation after the restart did not fail: " + run);
      assertTrue(run.path("detail").asText().startsWith(brokerFills + " fill(s) delivered"), "every broker fill was replayed: " + run);
    }
    assertEquals(brokerFills, engineFillsAfter, "the engine's positions applied each fill once");
    assertEquals(brokerFills, fillAppliedPerTradeId.size(), "one journaled fill per broker trade: " + fillAppliedPerTradeId);
    fillAppliedPerTradeId.forEach((tradeId, times) -> assertEquals(1, times, "trade " + tradeId + " journaled once by its position"));
    assertFalse(restartedLog.contains(" ERROR "), "no error logged after the restart:\n" + restartedLog);
    assertEquals(0, verified.exitCode(), verified.out() + verified.err());
  }

  /**
   * NautilusTrader: orders working at the venue when the process was killed were dropped by the
   * reconciliation after the restart. In Ordo an order working at the broker at the SIGKILL is still
   * working, and tracked, after the restart and its reconciliations.
   */
  @Test
  void nautilusTraderWorkingOrdersAreNotDroppedByReconciliationAfterASigkill() {
    assertFalse(workingBefore.isEmpty(), "an order was working at the kill");
    for (Map.Entry<ClientOrderId, JsonNode> before : workingBefore.entrySet()) {
      JsonNode after = ordersAfter.get(before.getKey());
      assertNotNull(after, "still tracked after the restart: " + before.getKey() + " in " + ordersAfter.keySet());
      assertTrue(after.path("working").asBoolean(), "still working after the restart: " + after);
      assertEquals(before.getValue().path("status").asText(), after.path("status").asText(), "same status: " + after);
      assertEquals(before.getValue().path("venueOrderId").asText(), after.path("venueOrderId").asText());
      assertTrue(openAtBrokerAfter.contains(before.getKey()), "and still open at the broker: " + bookAfter);
    }
  }

  /**
   * NautilusTrader: every restart created the open orders again. Ordo's restart sends nothing the broker
   * already has: with the market paused, the broker receives no order at all across the kill and the restart.
   */
  @Test
  void nautilusTraderNoDuplicateOrdersAreCreatedOnRestart() {
    assertTrue(statsBefore.ordersPlaced() > 0, "the scenario placed orders: " + statsBefore);
    assertEquals(statsBefore.ordersPlaced(), statsAfter.ordersPlaced(), "no order placed by the restart");
    assertEquals(0, statsAfter.duplicateClientOrderIds(), "no ClientOrderId sent twice");
    assertEquals(bookBefore.size(), bookAfter.size(), "the broker's order book did not grow: " + bookAfter);
    Map<ClientOrderId, Integer> rows = new HashMap<>();
    bookAfter.forEach(o -> rows.merge(o.clientOrderId(), 1, Integer::sum));
    rows.forEach((id, n) -> assertEquals(1, n, "one broker order for " + id));
  }

  /**
   * Hummingbot: a placement whose answer timed out was retried, creating a duplicate order. Against
   * the simulator's ambiguous-answer fault on every placement (carried out, never answered), each
   * placement becomes UNKNOWN (unless its fill came first), is never sent again, and reconciliation resolves it by its
   * ClientOrderId tag: exactly one broker order per ClientOrderId, nothing left UNKNOWN.
   */
  @Test
  void hummingbotATimedOutPlacementIsNotRetriedIntoADuplicateOrder(@TempDir Path own) throws Exception {
    BrokerSimulator ambiguous = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE,
        LocalDate.of(2024, 1, 15), LocalDate.of(2024, 1, 18), 3000.0, USER, new SimFaults(null, null, null, null, 0, null, 1.0, 3),
        new BigDecimal("100000000")), Clock.systemUTC()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    MarketDataConnection.StreamSettings stream = new MarketDataConnection.StreamSettings(Duration.ofSeconds(5), Duration.ofMillis(100),
        Duration.ofSeconds(1), 0.2, Duration.ofSeconds(2), Duration.ofMinutes(1));
    Path engineDir = own.resolve("engine");
    LiveEngine engine = LiveEngine.start(new LiveEngine.Settings(ambiguous.baseUrl(), ambiguous.marketDataUrl(), USER, Set.of(), engineDir,
        "127.0.0.1", 0, Duration.ofSeconds(2), stream, Duration.ofMillis(800), 5, true), ConfigFactory.load());
    TestProbe<Void> waiting = TestProbe.create(simSystem);
    List<OrderRecord> orders;
    SimStats.Snapshot stats;
    int inARow = 0;
    try {
      LiveEngineSimulatorTest.awaitMarketDone(waiting, ambiguous);
      ambiguous.pauseMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // two reconciliations in a row that read the broker (a read can time out too: 800 ms)
      for (int i = 0; i < 20 && inARow < 2; i++)
        inARow = engine.reconcile("test").toCompletableFuture().get(60, TimeUnit.SECONDS).failure() == null ? inARow + 1 : 0;
      orders = engine.queries().orders(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      stats = ambiguous.stats();
    } finally {
      engine.close();
      ambiguous.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertTrue(stats.ordersPlaced() >= 3, "the strategy placed orders: " + stats);
    assertEquals(0, stats.duplicateClientOrderIds(), "no placement was sent again: " + stats);
    assertEquals(stats.ordersPlaced(), stats.ambiguousAnswers(), "every placement went unanswered: " + stats);
    assertEquals(2, inARow, "two reconciliations in a row read the broker");
    assertEquals(0, orders.stream().filter(o -> o.status() == OrderStatus.UNKNOWN).count(), "every UNKNOWN order resolved: " + orders);

    // the journal: each placement the broker received timed out into UNKNOWN, then reconciliation found it by its tag
    Map<ClientOrderId, List<String>> story = new TreeMap<>();
    try (OfflineJournal journal = OfflineJournal.open(engineDir, ConfigFactory.load())) {
      Auditor auditor = journal.auditor();
      for (AuditedEntity entity : auditor.entities().toCompletableFuture().get(60, TimeUnit.SECONDS).entities())
        if (entity.type() == AuditedEntity.Type.SYMBOL_TRADER)
          for (JournalReader.Entry entry : auditor.history(entity).toCompletableFuture().get(60, TimeUnit.SECONDS).entries()) {
            if (entry.event() instanceof SymbolTrader.OrderSubmitted e) story.computeIfAbsent(e.clientOrderId(), k -> new ArrayList<>()).add("submitted");
            if (entry.event() instanceof SymbolTrader.OrderStatusUnknown e) story.get(e.clientOrderId()).add("unknown");
            if (entry.event() instanceof SymbolTrader.OrderReconciled e) story.get(e.clientOrderId()).add("reconciled");
            if (entry.event() instanceof SymbolTrader.OrderFilled e && story.containsKey(e.fill().clientOrderId()))
              story.get(e.fill().clientOrderId()).add("filled");
          }
    }
    // every placement sent was carried out: the broker's orders are the journaled placements that have an outcome (one journaled as
    // the engine was closing may not have been sent), each placed once
    long sent = story.values().stream().filter(events -> events.size() > 1).count();
    assertEquals(stats.ordersPlaced(), sent, "each broker order is one journaled placement: " + story);
    assertTrue(story.values().stream().anyMatch(events -> events.contains("unknown")), "placements timed out into UNKNOWN: " + story);
    story.forEach((id, events) -> {
      assertEquals(1, events.stream().filter("submitted"::equals).count(), id + " placed once: " + events);
      if (events.size() == 1) return; // not sent before the engine closed
      if (events.contains("unknown")) {
        // never sent again; resolved by the reconciliation: found in the order book by its tag, or filled from the trade book
        assertTrue(events.contains("reconciled") || events.contains("filled"), id + " resolved by reconciliation: " + events);
      } else {
        // its fill (order feed or trade book) came before the placement's timeout, which then changed nothing
        assertEquals("filled", events.size() > 1 ? events.get(1) : null, id + " filled before its placement timed out: " + events);
      }
    });
  }

  // ------------------------------------------------------------------ helpers

  /** An engine in a child JVM, with its HTTP API and token once it is up. */
  private record Engine(Process process, String api, String account, String token) {

    /** End of the engine's output, in the line queue. */
    private static final String END = new String("end of output");

    /**
     * Starts the engine and waits (at most 120 s) for its start line.
     *
     * @throws IllegalStateException when it ends or does not print its start line in time (it is killed then)
     */
    static Engine start(List<String> args, Path err) throws Exception {
      Process process = CommandRun.newJvm(List.of(), args.toArray(String[]::new)).redirectError(err.toFile()).start();
      java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) lines.add(line);
        } catch (java.io.IOException ignored) {
          // the process ended
        }
        lines.add(END);
      }, "engine-stdout");
      reader.setDaemon(true);
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) continue;
        if (line == END) break;
        Matcher m = SimCrashTest.ENGINE_LINE.matcher(line);
        if (m.matches()) {
          Path dataDir = Path.of(args.get(args.indexOf("--data-dir") + 1));
          String token = Files.readString(dataDir.resolve(ApiTokenSource.GENERATED_FILE)).trim();
          return new Engine(process, m.group(2), m.group(1), token);
        }
      }
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new IllegalStateException("the engine did not print its start line (" + SimCrashTest.ENGINE_LINE + "): " + Files.readString(err));
    }
  }

  /** The engine's orders working at the broker (confirmed by it), by ClientOrderId. */
  private Map<ClientOrderId, JsonNode> working(Engine engine) throws Exception {
    Map<ClientOrderId, JsonNode> working = new TreeMap<>();
    for (JsonNode order : get(engine, "/orders"))
      if (order.path("working").asBoolean() && !order.path("venueOrderId").isNull())
        working.put(ClientOrderId.of(order.path("clientOrderId").asText()), order);
    return working;
  }

  private JsonNode get(Engine engine, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(engine.api() + "/accounts/" + engine.account() + path))
        .header("Authorization", "Bearer " + engine.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return Json.mapper().readTree(response.body());
  }

  /** Runs the reconcile task until two runs in a row succeeded; those two runs. */
  private List<JsonNode> reconcileTwice(Engine engine) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(engine.api() + "/accounts/" + engine.account() + "/tasks/reconcile/run"))
        .header("Authorization", "Bearer " + engine.token()).POST(HttpRequest.BodyPublishers.noBody()).build();
    List<JsonNode> runs = new ArrayList<>();
    for (int attempt = 0; attempt < 20 && runs.size() < 2; attempt++) {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode run = response.statusCode() == 200 ? Json.mapper().readTree(response.body()).path("run") : null;
      if (run != null && "SUCCEEDED".equals(run.path("outcome").asText())) runs.add(run);
      else runs.clear();
    }
    assertEquals(2, runs.size(), "two reconciliations in a row succeeded");
    return runs;
  }

  /** The simulator's order book, read through its API. */
  private List<OrderReport> brokerBook() throws Exception {
    NeoBroker broker = new NeoBroker(simSystem, new NeoBroker.Settings(simulator.baseUrl(), Duration.ofSeconds(10), Clock.systemUTC()));
    BrokerResult<SessionToken> login = broker.login(USER.toCredentials()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    SessionToken token = ((BrokerResult.Ok<SessionToken>) login).value();
    BrokerResult<List<OrderReport>> book = broker.orderBook(token).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return ((BrokerResult.Ok<List<OrderReport>>) book).value();
  }
}
