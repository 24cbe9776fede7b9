package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.data.BadBarDataException;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.strategy.Backtester;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ordo backtest}: the 80-20 strategy over bar files without actors or journal (the
 * synchronous {@link Backtester}, on an account with the paper broker's {@code ordo.paper-cash} and {@code ordo.venue});
 * a fast cross-check of {@code ordo run}'s trades.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true,
    description = "Run the 80-20 strategy over bar files synchronously (no actors, no journal) and print or write the report.")
final class BacktestCommand implements Callable<Integer> {

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Option(names = "--report", paramLabel = "FILE", description = "Write the trades and summary as JSON.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (report != null) StartChecks.reportFile(report, "--report");
    try {
      dataOptions.validate();
      List<InstrumentBars> data = BarFileReader.readFolder(dataOptions.dataFolder()).stream().map(this::inRange).toList();
      Config config = ConfigFactory.load();
      // The same strategy parameters as `ordo run` (ordo.strategy), so the two stay comparable.
      EightyTwentyStrategy.Parameters parameters = Engine.strategyParameters(config.getConfig("ordo.strategy"));
      List<RoundTrip> trades = Backtester.run(data, file -> new EightyTwentyStrategy(parameters.withTickSize(file.instrument().tickSize())),
          Engine.paperCash(config), Engine.venueRules(config));
      Map<InstrumentId, String> currencies = new HashMap<>();
      for (InstrumentBars file : data) currencies.put(file.instrument().id(), file.instrument().currency());
      Report result = Report.of(trades, null, currencies::get, data.size());
      System.out.printf("backtest: %d trades %s, total P&L %s%n", result.summary().trades(), result.summary().byExitReason(),
          result.summary().totalPnlText());
      if (report != null) result.write(report);
      return 0;
    } catch (BadBarDataException e) {
      System.err.println("ordo backtest: " + DataOptions.badData(e));
      return 2;
    } catch (IllegalArgumentException e) {
      System.err.println("ordo backtest: " + e.getMessage());
      return 2;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("ordo backtest: " + e.getMessage());
      return 1;
    }
  }

  private InstrumentBars inRange(InstrumentBars file) {
    List<Bar> bars = file.bars().stream().filter(b -> (dataOptions.from == null || !b.tsOpen().toLocalDate().isBefore(dataOptions.from))
        && (dataOptions.to == null || !b.tsOpen().toLocalDate().isAfter(dataOptions.to))).toList();
    return new InstrumentBars(file.instrument(), file.source(), bars, file.warnings());
  }

}
