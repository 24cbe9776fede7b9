package dev.ordo.app;

import dev.ordo.app.api.Money;
import dev.ordo.app.api.TradeView;
import dev.ordo.app.http.Json;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The run report: {@code {"trades": [...], "summary": {...}}}, one trade per round trip in the shape
 * of {@code GET /accounts/{account}/trades} ({@link TradeView}: prices and quantities as decimal
 * strings, P&amp;L as {@link Money} with its currency, times ISO-8601 with the venue's offset).
 */
public record Report(List<TradeView> trades, Summary summary) {

  /**
   * Totals of the run.
   *
   * @param trades           closed round trips
   * @param byExitReason     trade count per exit reason
   * @param totalPnl         the trades' P&amp;L summed per currency, one entry per currency traded, by currency code
   * @param winners          trades with a positive P&amp;L
   * @param losers           trades with a negative P&amp;L
   * @param instruments      instruments in the run
   * @param replayState      the replay's final state (FINISHED, STOPPED, ...; UNKNOWN for a backtest)
   * @param sessionsReplayed sessions the replay finished
   * @param barsReplayed     bars delivered
   */
  public record Summary(int trades, Map<String, Integer> byExitReason, List<Money> totalPnl, int winners, int losers, int instruments,
      String replayState, int sessionsReplayed, int sessionsTotal, long barsReplayed) {

    /** The total P&amp;L as one line: {@code -6078.15 INR}, or {@code 12.5 INR, -3.2 USDT} over several currencies. */
    public String totalPnlText() {
      if (totalPnl.isEmpty()) return "0";
      return totalPnl.stream().map(m -> m.amount() + " " + m.currency()).collect(Collectors.joining(", "));
    }
  }

  /**
   * Builds the report of {@code roundTrips} (already ordered) and the replay's final progress (null
   * for a backtest).
   *
   * @param currencyOf the currency each instrument is quoted in
   */
  public static Report of(List<RoundTrip> roundTrips, ReplayDriver.Progress progress, Function<InstrumentId, String> currencyOf,
      int instruments) {
    Map<String, Integer> reasons = new TreeMap<>();
    Map<String, BigDecimal> totals = new TreeMap<>();
    int winners = 0;
    int losers = 0;
    List<TradeView> trades = new ArrayList<>();
    for (RoundTrip t : roundTrips) {
      String currency = currencyOf.apply(t.instrument());
      reasons.merge(String.valueOf(t.exitReason()), 1, Integer::sum);
      totals.merge(currency, t.pnl(), BigDecimal::add);
      if (t.pnl().signum() > 0) winners++;
      else if (t.pnl().signum() < 0) losers++;
      trades.add(TradeView.of(t, currency));
    }
    List<Money> totalPnl = totals.entrySet().stream().map(e -> Money.of(e.getValue(), e.getKey())).toList();
    return new Report(List.copyOf(trades), new Summary(trades.size(), reasons, totalPnl, winners, losers, instruments,
        progress == null ? "UNKNOWN" : progress.state().name(), progress == null ? 0 : progress.sessionsDone(),
        progress == null ? 0 : progress.sessionsTotal(), progress == null ? 0 : progress.barsDelivered()));
  }

  /** Writes the report as pretty JSON, atomically (a temporary file renamed over {@code file}). */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".report", ".json");
    Json.mapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
