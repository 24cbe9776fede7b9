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
      Report result = backtest(dataOptions.dataFolder(), dataOptions.from, dataOptions.to);
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

  /**
   * The synchronous backtester's report over the bar files of {@code folder} from {@code from} to {@code to} (inclusive, null: no
   * bound), with the defaults' strategy parameters, paper cash and venue rules (those of {@code ordo run}, so the two compare).
   *
   * @throws BadBarDataException on a bad row; {@link java.io.UncheckedIOException} when a file cannot be read
   */
  static Report backtest(java.nio.file.Path folder, java.time.LocalDate from, java.time.LocalDate to) {
    List<InstrumentBars> data = BarFileReader.readFolder(folder).stream().map(file -> inRange(file, from, to)).toList();
    Config config = ConfigFactory.load();
    // The same strategy parameters as `ordo run` (ordo.strategy), so the two stay comparable.
    EightyTwentyStrategy.Parameters parameters = Engine.strategyParameters(config.getConfig("ordo.strategy"));
    List<RoundTrip> trades = Backtester.run(data, file -> new EightyTwentyStrategy(parameters.withTickSize(file.instrument().tickSize())),
        Engine.paperCash(config), Engine.venueRules(config));
    Map<InstrumentId, String> currencies = new HashMap<>();
    for (InstrumentBars file : data) currencies.put(file.instrument().id(), file.instrument().currency());
    return Report.of(trades, null, currencies::get, data.size());
  }

  private static InstrumentBars inRange(InstrumentBars file, java.time.LocalDate from, java.time.LocalDate to) {
    List<Bar> bars = file.bars().stream().filter(b -> (from == null || !b.tsOpen().toLocalDate().isBefore(from))
        && (to == null || !b.tsOpen().toLocalDate().isAfter(to))).toList();
    return new InstrumentBars(file.instrument(), file.source(), bars, file.warnings());
  }

}
