package dev.ordo.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import picocli.CommandLine.Option;

/** The market-data options shared by {@code run} and {@code backtest}. */
final class DataOptions {

  @Option(names = "--data", paramLabel = "DIR",
      description = "Folder of bar CSV files (NSE 5-minute 'date,...' or crypto 'timestamp,...' layout). Default: the bundled NSE sample.")
  Path data;

  @Option(names = "--from", paramLabel = "DATE", description = "First session to replay, yyyy-MM-dd (inclusive).")
  LocalDate from;

  @Option(names = "--to", paramLabel = "DATE", description = "Last session to replay, yyyy-MM-dd (inclusive).")
  LocalDate to;

  /** These options for a child command: {@code --data FOLDER} (absolute) and {@code --from}, {@code --to} when given. */
  java.util.List<String> args() {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--data", dataFolder().toAbsolutePath().toString()));
    if (from != null) args.addAll(java.util.List.of("--from", from.toString()));
    if (to != null) args.addAll(java.util.List.of("--to", to.toString()));
    return args;
  }

  /** The data folder: {@code --data}, else the sample bundled under the installation ({@code ordo.home}). */
  Path dataFolder() {
    if (data != null) return data;
    String home = System.getProperty("ordo.home", ".");
    Path sample = Path.of(home, "data", "sample", "nse_equity_5min");
    if (!Files.isDirectory(sample))
      throw new IllegalArgumentException("no --data given and the bundled sample " + sample + " is missing");
    return sample;
  }

  /** The one line that reports a bad bar file: what, where (file and line) and what to do. */
  static String badData(dev.ordo.broker.data.BadBarDataException e) {
    return "bad market data: " + e.getMessage() + " (correct the file, or move it out of the --data folder)";
  }

  void validate() {
    if (from != null && to != null && to.isBefore(from)) throw new IllegalArgumentException("--to " + to + " is before --from " + from);
  }
}
