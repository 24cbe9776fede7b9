package dev.ordo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code replay}: the real main job ({@code ordo run --speed max --exit-at-end} on a fresh data directory: the actor
 * engine with its H2 journal) against the synchronous backtester ({@code ordo backtest}, same strategy, fill model and
 * venue rules) on the same bar files, each in its own JVM with the JVM's defaults, one after the other; then the main
 * job again on the finished data directory (the restart: recovery only, nothing left to replay).
 */
final class ReplayScenario {

  private static final Pattern FINISHED = Pattern.compile("replay finished: .*?, (\\d+) bars");

  /** What one replay comparison measured, for the other scenarios (footprint reads the journal). */
  record Outcome(Path dataDir, double restartSeconds, long bars) {}

  private ReplayScenario() {}

  /**
   * Runs the comparison on {@code data} (sessions {@code from..to}, null for all) and adds its rows under variant
   * {@code variant}; with {@code restart} also the restart's row (under {@code recovery}).
   */
  static Outcome run(Results results, Path work, String variant, Path data, LocalDate from, LocalDate to, boolean restart, List<String> jvm)
      throws IOException, InterruptedException {
    Path dir = work.resolve("replay-" + variant);
    List<String> range = new ArrayList<>();
    if (from != null) range.addAll(List.of("--from", from.toString()));
    if (to != null) range.addAll(List.of("--to", to.toString()));
    List<String> backtestArgs = new ArrayList<>(List.of("backtest", "--data", data.toString(), "--report", dir.resolve("backtest.json").toString()));
    backtestArgs.addAll(range);
    ChildRun.Measured backtest = ChildRun.ordo(dir, "backtest", jvm, backtestArgs);
    Path dataDir = dir.resolve("data-dir");
    List<String> runArgs = new ArrayList<>(List.of("run", "--data", data.toString(), "--speed", "max", "--exit-at-end", "--data-dir",
        dataDir.toString(), "--http-port", "0", "--report", dir.resolve("run.json").toString()));
    runArgs.addAll(range);
    ChildRun.Measured run = ChildRun.ordo(dir, "run", jvm, runArgs);
    long bars = bars(run.output());
    long journal = Files.size(dataDir.resolve("journal.mv.db"));
    int ordoTrades = trades(dir.resolve("run.json"));
    int backtestTrades = trades(dir.resolve("backtest.json"));

    results.add("replay", variant, "wall", "s", run.wallSeconds(), Map.of("backtester", backtest.wallSeconds()), true);
    results.add("replay", variant, "bars_per_s", "bars/s", bars / run.wallSeconds(), Map.of("backtester", bars / backtest.wallSeconds()), false);
    results.add("replay", variant, "peak_heap", "MB", mb(run.peakHeapBytes()), Map.of("backtester", mb(backtest.peakHeapBytes())), false);
    results.add("replay", variant, "peak_rss", "MB", mb(run.peakRssBytes()), Map.of("backtester", mb(backtest.peakRssBytes())), false);
    results.add("replay", variant, "journal_bytes_per_bar", "B/bar", (double) journal / bars);
    results.add("replay", variant, "journal", "MB", mb(journal));
    results.add("replay", variant, "bars", "bars", (double) bars);
    Map<String, Double> trades = new LinkedHashMap<>();
    trades.put("backtester", (double) backtestTrades);
    results.add("replay", variant, "trades", "round trips", (double) ordoTrades, trades, false);
    if (ordoTrades != backtestTrades)
      results.note("replay", variant + ": the engine closed " + ordoTrades + " round trips, the backtester " + backtestTrades + ".");

    double restartSeconds = Double.NaN;
    if (restart) {
      List<String> again = new ArrayList<>(List.of("run", "--data", data.toString(), "--speed", "max", "--exit-at-end", "--data-dir",
          dataDir.toString(), "--http-port", "0"));
      again.addAll(range);
      ChildRun.Measured restarted = ChildRun.ordo(dir, "restart", jvm, again);
      restartSeconds = restarted.wallSeconds();
      results.add("recovery", "main_job", "restart_after_replay", "s", restartSeconds);
      results.add("recovery", "main_job", "restart_peak_rss", "MB", mb(restarted.peakRssBytes()));
    }
    return new Outcome(dataDir, restartSeconds, bars);
  }

  /** Bars the run replayed, from its "replay finished" line. */
  static long bars(String output) {
    Matcher m = FINISHED.matcher(output);
    long bars = -1;
    while (m.find()) bars = Long.parseLong(m.group(1));
    if (bars < 0) throw new IllegalStateException("the run printed no 'replay finished: ..., N bars' line");
    return bars;
  }

  private static int trades(Path report) throws IOException {
    JsonNode root = new ObjectMapper().readTree(report.toFile());
    return root.path("summary").path("trades").asInt(-1);
  }

  static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
