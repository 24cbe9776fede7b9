package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.replay.BadBarDataException;
import dev.ordo.broker.replay.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ordo run}: the engine on replayed bar files, HTTP API up. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the engine: replay bar files through the 80-20 strategy and the paper broker, with the HTTP API up.")
final class RunCommand implements Callable<Integer> {

  private static volatile boolean keepsRunning;

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Option(names = "--speed", defaultValue = "600x", paramLabel = "max|<N>x",
      description = "Replay speed: 'max', or N times real time (default ${DEFAULT-VALUE}: a 6h15 NSE session in about 40 s).")
  String speed;

  @Option(names = "--data-dir", defaultValue = "ordo-data", paramLabel = "DIR",
      description = "Journal and state folder (default ${DEFAULT-VALUE}). A folder holding an earlier run resumes it.")
  Path dataDir;

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "HTTP bind address (default ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--exit-at-end", description = "Stop when the replay ends (default: keep serving HTTP until stopped).")
  boolean exitAtEnd;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the trades and summary as JSON when the replay ends.")
  Path report;

  /** True when {@code main} must not exit after the command returned (the engine keeps running). */
  static boolean keepsRunning() {
    return keepsRunning;
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    ReplayDriver.Speed replaySpeed;
    Path folder;
    try {
      dataOptions.validate();
      replaySpeed = ReplayDriver.Speed.parse(speed);
      folder = dataOptions.dataFolder();
      if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("--http-port must be 0..65535, got " + httpPort);
    } catch (IllegalArgumentException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    }
    Config config = ConfigFactory.load();
    Engine engine;
    try {
      engine = Engine.start(new Engine.Settings(folder, dataOptions.from, dataOptions.to, replaySpeed, dataDir, httpHost, httpPort), config,
          new ProgressPrinter(out, Clock.systemUTC()));
    } catch (BadBarDataException e) {
      System.err.println("ordo run: bad market data: " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      System.err.println("ordo run: could not start: " + startFailure(e));
      return 1;
    }
    out.printf("Ordo running: %d instruments, %d sessions from %s, data dir %s%n", engine.schedule().instruments().size(),
        engine.schedule().sessions().size(), folder, dataDir.toAbsolutePath());
    out.printf("HTTP API on http://%s:%d (try /status, /accounts/%s/trades)%n", engine.httpAddress().getHostString(),
        engine.httpAddress().getPort(), engine.account());
    out.flush();

    engine.replayEnd().thenAccept(progress -> onReplayEnd(engine, progress, out));
    if (!exitAtEnd) {
      keepsRunning = true;
      return 0;
    }
    ReplayDriver.Progress progress = engine.replayEnd().toCompletableFuture().join();
    // Wait for the summary and report written by onReplayEnd before shutting down.
    reportWritten.get(120, TimeUnit.SECONDS);
    engine.close();
    return switch (progress.state()) {
      case FINISHED, STOPPED -> reportFailed ? 1 : 0;
      default -> 1;
    };
  }

  /** A one-line reason for a failed start: a busy HTTP port, a data directory used by another process, ... */
  private String startFailure(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    if (cause instanceof java.net.BindException)
      return "cannot listen on " + httpHost + ":" + httpPort + " (" + cause.getMessage() + "); choose another --http-port";
    String message = String.valueOf(cause.getMessage());
    if (message.contains("already in use") || message.contains("Database may be already in use"))
      return "the data directory " + dataDir.toAbsolutePath() + " is used by another Ordo process";
    return cause.getClass().getSimpleName() + ": " + message;
  }

  private final java.util.concurrent.CompletableFuture<Void> reportWritten = new java.util.concurrent.CompletableFuture<>();
  private volatile boolean reportFailed;

  private void onReplayEnd(Engine engine, ReplayDriver.Progress progress, PrintStream out) {
    try {
      List<RoundTrip> trades = engine.queries().trades(engine.account()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      Report result = Report.of(trades, progress, engine.schedule().instruments().size());
      BigDecimal pnl = result.summary().totalPnl();
      out.printf("summary: %d trades %s, total P&L %s, %d winners / %d losers%n", result.summary().trades(), result.summary().byExitReason(),
          pnl.toPlainString(), result.summary().winners(), result.summary().losers());
      if (report != null) {
        result.write(report);
        out.printf("report written to %s%n", report.toAbsolutePath());
      }
    } catch (Exception e) {
      reportFailed = true;
      System.err.println("ordo run: could not build the report: " + e);
    } finally {
      out.flush();
      reportWritten.complete(null);
    }
  }
}
