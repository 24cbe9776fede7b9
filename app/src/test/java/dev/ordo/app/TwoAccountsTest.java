package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.http.Json;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.strategy.Backtester;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.persistence.JournalReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/two-accounts.conf}: two paper accounts replaying side by side on different symbols of
 * the sample, each on its own clock, paper broker, strategy parameters and trading day; each ends with
 * the synchronous backtester's trades on its own symbols and parameters.
 */
class TwoAccountsTest {

  static final Path EXAMPLE = Path.of("..", "docs", "two-accounts.conf");

  /** The backtester's trades on the sample's files of {@code symbols} with {@code capital} per trade. */
  static List<RoundTrip> backtest(Set<String> symbols, String capital) {
    EightyTwentyStrategy.Parameters defaults = EightyTwentyStrategy.Parameters.defaults();
    EightyTwentyStrategy.Parameters parameters = new EightyTwentyStrategy.Parameters(defaults.tickSize(), new BigDecimal(capital),
        defaults.maxEntriesPerDay(), defaults.lastEntryBarOpen(), defaults.sessionExit());
    List<InstrumentBars> files = BarFileReader.readFolder(EngineFixture.SAMPLE).stream()
        .filter(f -> symbols.contains(f.instrument().id().toString())).toList();
    return Backtester.run(files, f -> new EightyTwentyStrategy(parameters.withTickSize(f.instrument().tickSize())),
        Engine.paperCash(ConfigFactory.load()));
  }

  @Test
  void theExampleConfigRunsBothAccountsEachWithItsBacktestersTrades(@TempDir Path dir) throws Exception {
    CommandRun.Result result = CommandRun.inThisJvm("run", "--data", EngineFixture.SAMPLE.toString(), "--config", EXAMPLE.toString(),
        "--speed", "max", "--exit-at-end", "--data-dir", dir.resolve("state").toString(), "--http-port", "0", "--report",
        dir.resolve("run.json").toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("Ordo running account desk2: 2 instruments, 15 sessions"), result.out());
    assertTrue(result.out().contains("Ordo running account paper: 2 instruments, 15 sessions"), result.out());

    List<RoundTrip> paper = backtest(Set.of("BAJFINANCE-EQ.NSE", "DALBHARAT-EQ.NSE"), "100000");
    List<RoundTrip> desk2 = backtest(Set.of("KOTAKBANK-EQ.NSE", "TCS-EQ.NSE"), "50000");
    assertTrue(!paper.isEmpty() && !desk2.isEmpty(), "both accounts trade in the sample");
    // desk2 sorts first: its report is the --report file, paper's the sibling
    JsonNode desk2Report = Json.mapper().readTree(dir.resolve("run.json").toFile());
    JsonNode paperReport = Json.mapper().readTree(dir.resolve("run-paper.json").toFile());
    assertEquals(desk2.size(), desk2Report.get("trades").size());
    assertEquals(paper.size(), paperReport.get("trades").size());
    for (int i = 0; i < desk2.size(); i++) {
      JsonNode trade = desk2Report.get("trades").get(i);
      assertEquals(desk2.get(i).instrument().toString(), trade.get("instrument").asText());
      assertEquals(0, desk2.get(i).quantity().value().compareTo(new BigDecimal(trade.get("quantity").asText())), trade.toString());
      assertEquals(0, desk2.get(i).pnl().compareTo(new BigDecimal(trade.at("/pnl/amount").asText())), trade.toString());
    }
    for (int i = 0; i < paper.size(); i++) {
      JsonNode trade = paperReport.get("trades").get(i);
      assertEquals(paper.get(i).instrument().toString(), trade.get("instrument").asText());
      assertEquals(0, paper.get(i).pnl().compareTo(new BigDecimal(trade.at("/pnl/amount").asText())), trade.toString());
    }
  }

  @Test
  void eachAccountHasItsOwnTradingDayAndOnlyItsOwnInstruments(@TempDir Path dir) throws Exception {
    Engine engine = Engine.start(new Engine.Settings(EngineFixture.SAMPLE, null, null, dev.ordo.engine.marketdata.ReplayDriver.Speed.max(),
        dir, "127.0.0.1", 0, false), RunCommand.config(EXAMPLE), account -> new dev.ordo.engine.marketdata.ReplayDriver.Listener() {
          @Override
          public void onStep(dev.ordo.engine.marketdata.ReplayDriver.Progress progress) {}

          @Override
          public void onEnd(dev.ordo.engine.marketdata.ReplayDriver.Progress progress) {}
        });
    try {
      engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(List.of("desk2", "paper"), engine.replays().stream().map(r -> r.account().value()).toList());
      var status = engine.queries().status().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("KOTAKBANK-EQ.NSE", "TCS-EQ.NSE"), status.accounts().get(0).instruments().stream().map(Object::toString).toList());
      assertEquals(List.of("BAJFINANCE-EQ.NSE", "DALBHARAT-EQ.NSE"), status.accounts().get(1).instruments().stream().map(Object::toString).toList());
      for (var account : status.accounts()) {
        assertEquals("FINISHED", account.replay().state().name(), account.toString());
        assertEquals(15, account.replay().sessionsDone());
      }
      assertTrue(engine.queries().instrument(dev.ordo.engine.model.AccountId.of("paper"), "TCS-EQ").isEmpty(),
          "an account's symbols are its own: paper does not trade TCS");
      for (String account : List.of("paper", "desk2")) {
        long logins = JournalReader.of(engine.system()).events(TaskScheduler.persistenceId(dev.ordo.engine.model.AccountId.of(account)).id())
            .toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
            .filter(e -> e.event() instanceof TaskScheduler.TaskFinished f && f.task().equals("pre-open-login")).count();
        assertEquals(15, logins, "one pre-open login per replayed session in account " + account);
      }
    } finally {
      engine.close();
    }
  }
}
