package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import dev.ordo.sim.SimStats;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import dev.ordo.engine.model.TradeId;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live engine against the simulator on loopback, with half the placements unanswered and the
 * market-data socket dropped every few seconds: reconciliation (at start and after each reconnect)
 * resolves every UNKNOWN order without re-sending it, and recovers the fills.
 */
class LiveEngineSimulatorTest {

  static final NeoCredentials USER = new NeoCredentials("ck", "+911111111111", "LIVE1", "1357",
      new Base32().encodeToString("live engine test seed".getBytes(StandardCharsets.US_ASCII)));

  @TempDir
  Path dataDir;

  @Test
  void unansweredPlacementsEndWithOneOrderEachAndTheBrokersPositions() throws Exception {
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    // Four sessions of the sample with trades on 16, 17 and 18 January, at 3,000x (about 30 s).
    BrokerSimulator simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE,
        LocalDate.of(2024, 1, 15), LocalDate.of(2024, 1, 18), 3000.0, USER,
        new SimFaults(null, Duration.ofSeconds(4), null, null, 0, null, 0.5, 11), new BigDecimal("100000000")), Clock.systemUTC())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    MarketDataConnection.StreamSettings stream = new MarketDataConnection.StreamSettings(Duration.ofSeconds(5), Duration.ofMillis(100),
        Duration.ofSeconds(1), 0.2, Duration.ofSeconds(2), Duration.ofMinutes(1));
    // Reconciliation only at start and after reconnects (the period is longer than the test; no order feed).
    LiveEngine engine = LiveEngine.start(new LiveEngine.Settings(simulator.baseUrl(), simulator.marketDataUrl(), USER, Set.of(), dataDir,
        "127.0.0.1", 0, Duration.ofHours(1), stream, Duration.ofMillis(800), 5, false), ConfigFactory.load());
    TestProbe<Void> waiting = TestProbe.create(simSystem);
    try {
      awaitMarketDone(waiting, simulator);
      simulator.pauseMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // Periodic reconciliation is off: fills reach the engine through the runs after each reconnect
      // (the socket drops every 4 s), i.e. fills that happened while disconnected are recovered.
      long brokerFills = simulator.stats().fills();
      assertTrue(brokerFills > 0, "the strategy traded");
      waiting.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
        assertEquals(brokerFills, appliedFills(engine), "fills recovered by the reconciliations after reconnects");
        return null;
      });
      for (int i = 0; i < 2; i++) {
        Reconciler.Report report = engine.reconcile("test").toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertNull(report.failure(), "reconciliation read the broker");
      }

      SimStats.Snapshot stats = simulator.stats();
      assertTrue(stats.ambiguousAnswers() > 0, "some placements went unanswered: " + stats);
      assertTrue(stats.wsDrops() > 0, "the socket was dropped: " + stats);
      assertEquals(0, stats.duplicateClientOrderIds(), "no order was sent twice");
      List<OrderRecord> orders = engine.queries().orders(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(0, orders.stream().filter(o -> o.status() == OrderStatus.UNKNOWN || o.status() == OrderStatus.INITIALIZED).count(),
          "every UNKNOWN or held order resolved: " + orders);
      // The broker's order book, read through the engine's own gateway: one row per engine order it received.
      BrokerCall.Reply reply = AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(engine.parts().gateway(),
          replyTo -> new BrokerGateway.Execute(new BrokerCall.GetOrderBook(), BrokerGateway.Priority.NORMAL, replyTo), Duration.ofSeconds(10),
          engine.system().scheduler()).toCompletableFuture().get(20, TimeUnit.SECONDS);
      List<OrderReport> book = ((BrokerCall.OrderBook) reply).orders();
      Set<ClientOrderId> engineIds = new HashSet<>();
      orders.forEach(o -> engineIds.add(o.clientOrderId()));
      Set<ClientOrderId> bookIds = new HashSet<>();
      for (OrderReport row : book) {
        assertTrue(bookIds.add(row.clientOrderId()), "one broker order per ClientOrderId: " + row);
        assertTrue(engineIds.contains(row.clientOrderId()), "every broker order is an engine order: " + row);
      }
      assertEquals(stats.ordersPlaced(), book.size());
      for (OrderRecord o : orders)
        if (o.venueOrderId() != null || o.status() == OrderStatus.FILLED || o.status() == OrderStatus.CANCELED)
          assertTrue(bookIds.contains(o.clientOrderId()), "an order the engine thinks the broker has is in the book: " + o);
      List<Position.State> positions = engine.queries().positionStates(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Set<TradeId> applied = new HashSet<>();
      long fills = 0;
      for (Position.State p : positions) {
        applied.addAll(p.appliedTradeIds().recent()); // four sessions: within the week of ids a position remembers
        fills += p.fills();
        assertEquals(0, p.position().quantity().signum(), "flat at the end of the sessions: " + p);
      }
      assertTrue(stats.fills() > 0, "the strategy traded: " + stats);
      assertEquals(stats.fills(), fills, "every broker fill applied");
      assertEquals(stats.fills(), applied.size(), "each once");
    } finally {
      engine.close();
      simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      simSystem.terminate();
    }
  }

  @Test
  void pushedOrderUpdatesBringTheFillsWithoutWaitingForAReconciliationPeriod() throws Exception {
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    BrokerSimulator simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE,
        LocalDate.of(2024, 1, 15), LocalDate.of(2024, 1, 18), 3000.0, USER, SimFaults.none(), new BigDecimal("100000000")), Clock.systemUTC())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    MarketDataConnection.StreamSettings stream = new MarketDataConnection.StreamSettings(Duration.ofSeconds(5), Duration.ofMillis(100),
        Duration.ofSeconds(1), 0.2, Duration.ofSeconds(2), Duration.ofMinutes(1));
    // No periodic reconciliation, no socket drops: fills can only come through the order feed.
    LiveEngine engine = LiveEngine.start(new LiveEngine.Settings(simulator.baseUrl(), simulator.marketDataUrl(), USER, Set.of(), dataDir,
        "127.0.0.1", 0, Duration.ofHours(1), stream, Duration.ofSeconds(5), 5, true), ConfigFactory.load());
    TestProbe<Void> waiting = TestProbe.create(simSystem);
    try {
      awaitMarketDone(waiting, simulator);
      long brokerFills = simulator.stats().fills();
      assertTrue(brokerFills > 0, "the strategy traded");
      waiting.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertEquals(brokerFills, appliedFills(engine), "every fill arrived through the order feed");
        return null;
      });
      assertEquals(0, simulator.stats().wsDrops());
    } finally {
      engine.close();
      simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      simSystem.terminate();
    }
  }

  /** Waits (up to 90 s) until the simulator has replayed every step of its market. */
  static void awaitMarketDone(TestProbe<?> waiting, BrokerSimulator simulator) {
    waiting.awaitAssert(Duration.ofSeconds(90), Duration.ofMillis(250), () -> {
      var http = java.net.http.HttpClient.newHttpClient();
      try {
        var body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(simulator.baseUrl() + "/sim/clock")).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        var clock = dev.ordo.app.http.Json.mapper().readTree(body);
        assertEquals(clock.path("stepsTotal").asInt(), clock.path("stepsDone").asInt(), "market steps replayed");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return null;
    });
  }

  /** The fills the engine's positions have applied. */
  static long appliedFills(LiveEngine engine) {
    return engine.queries().positionStates(engine.account()).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join().stream()
        .mapToLong(Position.State::fills).sum();
  }
}
