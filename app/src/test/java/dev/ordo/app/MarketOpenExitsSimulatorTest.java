package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code market-open-exits} against the Kotak-Neo-shaped simulator: an expert's position held overnight with its take-profit
 * still working is sold at the open (its stop-loss and take-profit canceled first), and one whose take-profit already filled at
 * the broker while the engine did not know (no order feed, no reconciliation since) is closed with that sale and never sold
 * again. The broker's trade book ends with exactly one sale of each.
 */
class MarketOpenExitsSimulatorTest {

  static final NeoCredentials USER = new NeoCredentials("ck", "+912222222222", "EXITS1", "2468",
      new Base32().encodeToString("market open exits".getBytes(StandardCharsets.US_ASCII)));
  static final InstrumentId TCS = InstrumentId.parse("TCS-EQ.NSE");
  static final InstrumentId KOTAK = InstrumentId.parse("KOTAKBANK-EQ.NSE");
  static final BigDecimal TICK = new BigDecimal("0.05");

  @TempDir
  Path dataDir;

  @Test
  void aPositionHeldOvernightIsSoldAtTheOpenUnlessItsSaleAlreadyCompletedAtTheBroker() throws Exception {
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    // 600x: a 5-minute bar every half second, for the whole test
    BrokerSimulator simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE,
        LocalDate.of(2024, 1, 15), LocalDate.of(2024, 1, 18), 600.0, USER, SimFaults.none(), new BigDecimal("100000000")), Clock.systemUTC())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    // the engine's day: Monday 2024-01-15 10:00 IST, moved by the test; the strategy never enters (the expert trades)
    ReplayClock clock = new ReplayClock(Instant.parse("2024-01-15T04:30:00Z"));
    EightyTwentyStrategy.Parameters noEntries = new EightyTwentyStrategy.Parameters(TICK, new BigDecimal("100000"), 0, LocalTime.of(15, 10),
        LocalTime.of(15, 15));
    AccountId account = AccountId.of("exits");
    LiveEngine.Account live = new LiveEngine.Account(account, simulator.baseUrl(), simulator.marketDataUrl(), USER, Set.of(TCS.toString(),
        KOTAK.toString()), Duration.ofHours(1), false, noEntries, dev.ordo.engine.risk.RiskLimits.NONE,
        new AccountsConfig.TradingDay(LocalTime.of(8, 55), LocalTime.of(9, 15), LocalTime.of(18, 0), Duration.ofSeconds(60)));
    LiveEngine engine = LiveEngine.start(List.of(live), new LiveEngine.Shared(dataDir, "127.0.0.1", 0,
        dev.ordo.engine.marketdata.MarketDataConnection.StreamSettings.defaults(), Duration.ofSeconds(5), 3, clock), ConfigFactory.load());
    TestProbe<Void> waiting = TestProbe.create(simSystem);
    try {
      EngineQueries queries = engine.queries();
      queries.configureExpert("desk", new Expert.Settings(account, true, 5, new BigDecimal("100000"), BigDecimal.ZERO, Set.of()), "test")
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      Map<InstrumentId, Price> last = waiting.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
        Map<InstrumentId, Price> prices = queries.lastPrices(account, Set.of(TCS, KOTAK)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(Set.of(TCS, KOTAK), prices.keySet(), "bars built from the simulator's ticks");
        return prices;
      });
      // TCS: an exit plan far from the market (nothing fills before the open); KOTAKBANK: a take-profit below it (fills at once)
      Expert.Outcomes outcomes = queries.recommend("desk", account, List.of(
          new Expert.Recommendation(TCS, Expert.Action.BUY, BigDecimal.ONE, scaled(last.get(TCS), "0.5"), scaled(last.get(TCS), "1.5"),
              Quantity.of(2)),
          new Expert.Recommendation(KOTAK, Expert.Action.BUY, BigDecimal.ONE, scaled(last.get(KOTAK), "0.5"), scaled(last.get(KOTAK), "0.9"),
              Quantity.of(3)))).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertTrue(outcomes.outcomes().stream().allMatch(Expert.Outcome::accepted), outcomes.toString());

      // The entries fill at the broker's next bar; without an order feed the engine learns of them by reconciling
      waiting.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        assertEquals(2, brokerFills(engine).stream().filter(f -> f.side() == OrderSide.BUY).count());
        return null;
      });
      assertNull(engine.reconcile("test").toCompletableFuture().get(60, TimeUnit.SECONDS).failure());
      waiting.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
        for (Expert.Transaction t : transactions(queries)) assertEquals(Expert.TransactionStatus.OPENED, t.status(), t.toString());
        return null;
      });
      // KOTAKBANK's take-profit sells at the broker; the engine does not know it yet
      waiting.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        assertEquals(1, brokerFills(engine).stream().filter(f -> f.side() == OrderSide.SELL && f.instrumentId().equals(KOTAK)).count());
        return null;
      });
      assertEquals(Expert.TransactionStatus.OPENED, transaction(queries, KOTAK).status(), "the engine has not seen the sale");

      // The next morning at the open, by hand (the same code path as the scheduled run)
      clock.advanceTo(Instant.parse("2024-01-16T03:45:00Z"));
      TaskScheduler.Ran ran = assertInstanceOf(TaskScheduler.Ran.class,
          queries.runTask(account, "market-open-exits", "test").toCompletableFuture().get(60, TimeUnit.SECONDS).orElseThrow());
      assertEquals(TaskScheduler.Outcome.SUCCEEDED, ran.run().outcome(), ran.toString());
      String tcsTransaction = transaction(queries, TCS).id();
      assertTrue(ran.run().detail().contains("1 transaction(s) held overnight sent to sell: " + tcsTransaction), ran.run().detail());
      assertEquals(LocalDate.of(2024, 1, 16), ran.run().day());
      waiting.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
        Expert.Transaction kotak = transaction(queries, KOTAK);
        assertEquals(Expert.TransactionStatus.CLOSED, kotak.status(), "closed with the broker's sale, found by the reconciliation first");
        assertEquals(0, kotak.held().value().signum());
        return null;
      });

      // TCS: stop-loss and take-profit canceled, then sold at market; its fill comes with the next reconciliation
      waiting.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
        assertEquals(1, brokerFills(engine).stream().filter(f -> f.side() == OrderSide.SELL && f.instrumentId().equals(TCS)).count());
        return null;
      });
      assertNull(engine.reconcile("test").toCompletableFuture().get(60, TimeUnit.SECONDS).failure());
      waiting.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
        assertEquals(Expert.TransactionStatus.CLOSED, transaction(queries, TCS).status());
        return null;
      });
      // Run again: nothing is sold twice
      TaskScheduler.Ran again = assertInstanceOf(TaskScheduler.Ran.class,
          queries.runTask(account, "market-open-exits", "test").toCompletableFuture().get(60, TimeUnit.SECONDS).orElseThrow());
      assertTrue(again.run().detail().contains("no position held overnight to sell"), again.run().detail());
      List<Fill> fills = brokerFills(engine);
      for (InstrumentId id : List.of(TCS, KOTAK)) {
        assertEquals(1, fills.stream().filter(f -> f.instrumentId().equals(id) && f.side() == OrderSide.BUY).count(), id + " bought once");
        assertEquals(1, fills.stream().filter(f -> f.instrumentId().equals(id) && f.side() == OrderSide.SELL).count(), id + " sold once");
      }
      assertEquals(0, simulator.stats().duplicateClientOrderIds());
    } finally {
      engine.close();
      simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      simSystem.terminate();
    }
  }

  static Price scaled(Price price, String factor) {
    return Price.of(price.value().multiply(new BigDecimal(factor))).floorTick(TICK);
  }

  static List<Expert.Transaction> transactions(EngineQueries queries) throws Exception {
    return queries.expert("desk").toCompletableFuture().get(10, TimeUnit.SECONDS).transactions();
  }

  static Expert.Transaction transaction(EngineQueries queries, InstrumentId instrument) throws Exception {
    return transactions(queries).stream().filter(t -> t.instrument().equals(instrument)).findFirst().orElseThrow();
  }

  /** The broker's trade book, read through the engine's own gateway. */
  static List<Fill> brokerFills(LiveEngine engine) throws Exception {
    BrokerCall.Reply reply = AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(engine.parts().gateway(),
        replyTo -> new BrokerGateway.Execute(new BrokerCall.GetTrades(), BrokerGateway.Priority.NORMAL, replyTo), Duration.ofSeconds(10),
        engine.system().scheduler()).toCompletableFuture().get(20, TimeUnit.SECONDS);
    return ((BrokerCall.Trades) reply).fills();
  }
}
