package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-data check of the daily loss limit: the bundled sample (4 NSE instruments, 5-minute bars)
 * replayed with {@code max-daily-realized-loss = 300} (INR): the exit that first brings a day's realized P&amp;L to -300
 * (2024-01-24 09:40, BAJFINANCE's second loss) halts the account, the run
 * still finishes, no entry is sent after the halt (each is refused {@code ACCOUNT_HALTED}, journaled
 * by the symbol trader and the risk actor), and the exits of positions open at the halt still go out.
 */
class DailyLossHaltTest {

  /** The trade of {@code trades} whose exit first brings its day's realized P&amp;L (trades by exit time) to {@code limit} or below. */
  static RoundTrip firstReachingTheLimit(List<RoundTrip> trades, BigDecimal limit) {
    List<RoundTrip> byExit = new ArrayList<>(trades);
    byExit.sort(java.util.Comparator.comparing(RoundTrip::exitTime));
    Map<java.time.LocalDate, BigDecimal> daily = new HashMap<>();
    for (RoundTrip trade : byExit) {
      BigDecimal day = daily.merge(trade.exitTime().toLocalDate(), trade.pnl(), BigDecimal::add);
      if (day.compareTo(limit) <= 0) return trade;
    }
    throw new AssertionError("no day of the sample loses " + limit.negate());
  }

  @Test
  void aSmallDailyLossLimitHaltsTheSampleReplayWhichStillFinishesWithExitsButNoEntryAfterTheHalt(@TempDir Path dir) throws Exception {
    List<RoundTrip> unlimited = EngineFixture.expectedTrades();
    Engine engine = EngineFixture.start(dir, ConfigFactory.parseString("ordo.accounts.paper.risk.max-daily-realized-loss = 300")
        .withFallback(ConfigFactory.load()), progress -> {});
    try {
      ReplayDriver.Progress end = engine.replayEnd().toCompletableFuture().get(180, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.FINISHED, end.state(), "the run finishes");
      JournalReader journal = JournalReader.of(engine.system());

      List<Object> risk = journal.events("AccountRisk|paper").toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .map(JournalReader.Entry::event).toList();
      List<AccountRisk.Halted> halts = risk.stream().filter(AccountRisk.Halted.class::isInstance).map(AccountRisk.Halted.class::cast).toList();
      assertEquals(1, halts.size(), "halted once: " + halts);
      AccountRisk.Halted halt = halts.get(0);
      assertEquals("risk", halt.requestedBy());
      assertTrue(halt.reason().startsWith("RISK_DAILY_LOSS: realized P&L of "), halt.reason());
      Instant haltedAt = halt.tsEvent();
      // up to the halt the run is the unlimited one: the halting fill is the exit that first brings a day's realized P&L to -1 or below
      AccountRisk.FillApplied halting = (AccountRisk.FillApplied) risk.get(risk.indexOf(halt) - 1);
      RoundTrip reaching = firstReachingTheLimit(unlimited, new BigDecimal("-300"));
      assertEquals(reaching.exitTime(), halting.fill().tsEvent());
      assertEquals(reaching.instrument(), halting.fill().instrumentId());
      // exits go on after the halt: fills the risk actor applied after it, each selling what a long held
      List<AccountRisk.FillApplied> fillsAfterHalt = risk.subList(risk.indexOf(halt), risk.size()).stream()
          .filter(AccountRisk.FillApplied.class::isInstance).map(AccountRisk.FillApplied.class::cast).toList();
      long refusedAfterHalt = risk.stream().filter(e -> e instanceof AccountRisk.OrderRefused r && r.code().equals("ACCOUNT_HALTED")).count();

      AccountRisk.Status status = engine.queries().risk(engine.account()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(AccountRisk.TradingState.HALTED, status.state());
      assertEquals(refusedAfterHalt, status.ordersRefused(), "every refusal was an entry of the halted account");

      int entriesRefused = 0;
      int exitsAfterHalt = 0;
      for (InstrumentId instrument : engine.schedule().instruments().keySet()) {
        List<Object> events = journal.events("SymbolTrader|paper:" + instrument).toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
            .map(JournalReader.Entry::event).toList();
        Map<ClientOrderId, SymbolTrader.OrderSubmitted> submitted = new HashMap<>();
        for (Object event : events) {
          if (event instanceof SymbolTrader.OrderSubmitted s) submitted.put(s.clientOrderId(), s);
          if (event instanceof SymbolTrader.OrderAccepted a) {
            SymbolTrader.OrderSubmitted order = submitted.get(a.clientOrderId());
            if (a.tsEvent().isAfter(haltedAt)) {
              assertFalse(order.role() == OrderRole.ENTRY, "no entry sent after the halt: " + order);
              exitsAfterHalt++;
              assertEquals(OrderSide.SELL, order.side());
            }
          }
          if (event instanceof SymbolTrader.OrderRejected r && submitted.get(r.clientOrderId()).tsEvent().isAfter(haltedAt)) {
            assertEquals(OrderRole.ENTRY, submitted.get(r.clientOrderId()).role(), "only entries are refused: " + r);
            assertTrue(r.reason().startsWith("Rejected: ACCOUNT_HALTED: account paper is halted (RISK_DAILY_LOSS"), r.reason());
            entriesRefused++;
          }
        }
      }
      assertEquals(refusedAfterHalt, entriesRefused, "each refusal reached its symbol trader as OrderRejected");
      assertTrue(entriesRefused > 0, "the strategy tried entries after the halt");
      List<RoundTrip> trades = engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(trades.stream().noneMatch(t -> t.entryTime().toInstant().isAfter(haltedAt)), "no trade entered after the halt");
      assertTrue(trades.size() < unlimited.size(), trades.size() + " of " + unlimited.size() + " trades");
      assertFalse(fillsAfterHalt.isEmpty(), "exits still fill after the halt");
      assertTrue(fillsAfterHalt.stream().allMatch(f -> f.fill().side() == OrderSide.SELL), "only sales fill after the halt: " + fillsAfterHalt);
      BigDecimal open = engine.queries().positionStates(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .map(p -> p.position().quantity().abs()).reduce(BigDecimal.ZERO, BigDecimal::add);
      assertEquals(0, open.signum(), "every position is closed at the end");
    } finally {
      engine.close();
    }
  }
}
