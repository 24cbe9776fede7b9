package dev.ordo.app;

import dev.ordo.app.http.Json;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run report: {@code {"trades": [...], "summary": {...}}}, one trade per round trip with
 * {@code instrument, side, quantity, entryTime, entryPrice, exitTime, exitPrice, exitReason, pnl}
 * (prices and P&amp;L as exact decimal JSON numbers in instrument currency, never through a double; times ISO-8601
 * with offset and seconds).
 */
public record Report(List<Trade> trades, Summary summary) {

  private static final java.time.format.DateTimeFormatter ISO = java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  /** One round trip as reported. */
  public record Trade(String instrument, String side, BigDecimal quantity, String entryTime, BigDecimal entryPrice, String exitTime,
      BigDecimal exitPrice, String exitReason, BigDecimal pnl) {}

  /**
   * Totals of the run.
   *
   * @param totalPnl    sum of the trades' P&amp;L (mixed currencies are summed as numbers; see byCurrency for NSE vs crypto runs)
   * @param byExitReason trade count per exit reason
   */
  public record Summary(int trades, Map<String, Integer> byExitReason, BigDecimal totalPnl, int winners, int losers, int instruments,
      String replayState, int sessionsReplayed, int sessionsTotal, long barsReplayed) {}

  /** Builds the report of {@code roundTrips} (already ordered) and the replay's final progress. */
  public static Report of(List<RoundTrip> roundTrips, ReplayDriver.Progress progress, int instruments) {
    Map<String, Integer> reasons = new TreeMap<>();
    BigDecimal total = BigDecimal.ZERO;
    int winners = 0;
    int losers = 0;
    List<Trade> trades = new java.util.ArrayList<>();
    for (RoundTrip t : roundTrips) {
      reasons.merge(String.valueOf(t.exitReason()), 1, Integer::sum);
      total = total.add(t.pnl());
      if (t.pnl().signum() > 0) winners++;
      else if (t.pnl().signum() < 0) losers++;
      trades.add(new Trade(t.instrument().symbol(), t.side().name(), t.quantity().value(), ISO.format(t.entryTime()), t.entryPrice().value(),
          ISO.format(t.exitTime()), t.exitPrice().value(), String.valueOf(t.exitReason()), t.pnl()));
    }
    return new Report(List.copyOf(trades), new Summary(trades.size(), reasons, total, winners, losers, instruments,
        progress == null ? "UNKNOWN" : progress.state().name(), progress == null ? 0 : progress.sessionsDone(),
        progress == null ? 0 : progress.sessionsTotal(), progress == null ? 0 : progress.barsDelivered()));
  }

  /** Writes the report as pretty JSON, atomically (a temporary file renamed over {@code file}). */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".report", ".json");
    Json.mapper().writerWithDefaultPrettyPrinter()
        .with(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
        .writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
