package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.trading.Position;
import dev.ordo.persistence.JournalReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/expert-account.conf} on the bundled sample: beside the default paper account, an account whose
 * expert is fed by its scanner over the replayed days; its transactions open, fill and close in the replay
 * (the last ones sold at the next open by {@code market-open-exits}), and the paper account's trades are
 * unchanged.
 */
class ExpertAccountTest {

  static final Path EXAMPLE = Path.of("..", "docs", "expert-account.conf");
  static final AccountId EXPERTS = AccountId.of("experts");

  /** The example, its folders relative to the repository (the test runs in app/). */
  static Config config() {
    return ConfigFactory.parseString("ordo.accounts.experts.data = ../data/sample/nse_equity_5min_breakouts\n"
        + "ordo.accounts.experts.scanner.daily-data = ../data/sample/nse_equity_daily").withFallback(RunCommand.config(EXAMPLE)).resolve();
  }

  @Test
  void theScannersBreakoutsBecomeTransactionsThatOpenFillAndCloseInTheReplay(@TempDir Path dir) throws Exception {
    Engine engine = Engine.start(new Engine.Settings(EngineFixture.SAMPLE, null, null, ReplayDriver.Speed.max(), dir, "127.0.0.1", 0, false),
        config(), account -> new ReplayDriver.Listener() {
          @Override
          public void onStep(ReplayDriver.Progress progress) {}

          @Override
          public void onEnd(ReplayDriver.Progress progress) {}
        });
    try {
      engine.replayEnd().toCompletableFuture().get(180, TimeUnit.SECONDS);
      // one scan per replayed session, each of the 46 daily files
      List<TaskScheduler.TaskFinished> scans = JournalReader.of(engine.system()).events(TaskScheduler.persistenceId(EXPERTS).id())
          .toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .filter(e -> e.event() instanceof TaskScheduler.TaskFinished f && f.task().equals("scan")).map(e -> (TaskScheduler.TaskFinished) e.event())
          .toList();
      assertEquals(15, scans.size());
      for (TaskScheduler.TaskFinished scan : scans) assertTrue(scan.detail().startsWith("46 instrument(s) scanned for "), scan.toString());

      Expert.State expert = engine.queries().expert("breakout").toCompletableFuture().get(30, TimeUnit.SECONDS);
      List<Expert.Transaction> transactions = expert.transactions();
      assertTrue(transactions.size() >= 4, "the sample's breakouts of the account's instruments: " + transactions);
      Set<String> traded = new TreeSet<>();
      for (Expert.Transaction t : transactions) {
        traded.add(t.instrument().symbol());
        assertEquals(Expert.TransactionStatus.CLOSED, t.status(), t.toString());
        assertEquals(0, t.held().value().signum(), t.toString());
        assertEquals(0, t.entryFilled().value().compareTo(t.quantity().value()), "bought in full: " + t);
        assertEquals(0, t.exitFilled().value().compareTo(t.quantity().value()), "sold in full, once: " + t);
        // the exit plan is on both sides of the price it was bought at (moved from the daily bars to the traded price)
        assertTrue(t.stopLoss().isLessThan(t.entryPrice()) && t.entryPrice().isLessThan(t.takeProfit()), t.toString());
        // the allocation: floor(100000 / last price) shares
        assertTrue(t.entryCost().compareTo(new BigDecimal("110000")) < 0 && t.entryCost().compareTo(new BigDecimal("90000")) > 0, t.toString());
      }
      assertEquals(Set.of("BHARTIARTL-EQ", "ICICIBANK-EQ", "INFY-EQ", "SUNPHARMA-EQ"), traded, "each of the account's four instruments broke out");
      assertTrue(transactions.stream().anyMatch(t -> t.reason().contains("market-open exit")), "some were sold at the next open");

      // every fill of the expert reached the account's positions, which end flat
      for (Position.State position : engine.queries().positionStates(EXPERTS).toCompletableFuture().get(30, TimeUnit.SECONDS))
        assertEquals(0, position.position().quantity().signum(), position.toString());
      long buys = transactions.size();
      long sells = JournalReader.of(engine.system()).events("Expert|breakout").toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .filter(e -> e.event() instanceof Expert.FillApplied f && f.fill().side() == OrderSide.SELL).count();
      assertTrue(sells >= buys, sells + " sell fills for " + buys + " transactions");

      // the breakouts of instruments the account does not trade are journaled skips
      assertTrue(JournalReader.of(engine.system()).events("Expert|breakout").toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .anyMatch(e -> e.event() instanceof Expert.RecommendationSkipped s && s.reason() == Expert.SkipReason.UNKNOWN_INSTRUMENT
              && s.instrument().symbol().equals("JIOFIN-EQ")));
      // /status shows the scanner: its counters and its last scan, in the documented shape
      var status = engine.queries().status().toCompletableFuture().get(30, TimeUnit.SECONDS);
      dev.ordo.app.http.ApiSchema.assertConforms("Status", dev.ordo.app.http.Json.mapper().valueToTree(status));
      var scanner = status.accounts().get(0).scanner();
      assertEquals("breakout", scanner.expert());
      assertEquals(46, scanner.universe());
      assertEquals(15, scanner.scans());
      assertEquals(15 * 46, scanner.reads(), "a scan a day, each read once: a day's bars are not cached into the next");
      assertEquals(java.time.LocalDate.of(2024, 2, 2), scanner.lastDay());
      assertTrue(scanner.lastSummary().startsWith("46 instrument(s) scanned for 2024-02-02 (46 read, 0 cached, 0 failed, 0 stale)"),
          scanner.lastSummary());
      assertEquals(null, status.accounts().get(1).scanner(), "the paper account has none");
      // the default paper account trades as ever
      assertEquals(TwoAccountsTest.backtest(Set.of("BAJFINANCE-EQ.NSE", "DALBHARAT-EQ.NSE", "KOTAKBANK-EQ.NSE", "TCS-EQ.NSE"), "100000").size(),
          engine.queries().trades(AccountId.of("paper")).toCompletableFuture().get(30, TimeUnit.SECONDS).size());
    } finally {
      engine.close();
    }
  }
}
