package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.data.BadBarDataException;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import java.io.PrintStream;
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

  @Mixin
  JournalOptions journalOptions = new JournalOptions();

  @Mixin
  ClusterOptions clusterOptions = new ClusterOptions();

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

  @Option(names = "--continue-over-different-data",
      description = "Continue the run of --data-dir even though it was over other bar files, sessions or strategy parameters (journaled).")
  boolean continueOverDifferentData;

  @Option(names = "--exit-at-end", description = "Stop when the replay ends (default: keep serving HTTP until stopped).")
  boolean exitAtEnd;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the trades and summary as JSON when the replay ends "
      + "(with several accounts: the first account's; each other's to FILE's name with -ACCOUNT before .json).")
  Path report;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A HOCON file of settings over the defaults (application.conf), e.g. docs/two-accounts.conf; see docs/accounts.md.")
  Path configFile;

  @Option(names = "--broker", defaultValue = "paper", paramLabel = "paper|neo",
      description = "paper: replay --data through the paper broker (default); neo: trade live through a Kotak-Neo-shaped broker at --broker-url.")
  String broker;

  @Option(names = "--broker-url", paramLabel = "URL", description = "Login URL of the neo broker, e.g. http://127.0.0.1:8090 (bin/ordo broker-sim).")
  String brokerUrl;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "Neo credentials file (consumer-key, mobile, ucc, mpin, totp-seed); default: ORDO_NEO_* environment variables.")
  Path credentials;

  @Option(names = "--symbols", split = ",", paramLabel = "SYMBOL.VENUE",
      description = "Neo: instruments to trade, e.g. TCS-EQ.NSE,INFY-EQ.NSE (default: all of the broker's scrip master).")
  java.util.List<String> symbols = new java.util.ArrayList<>();

  @Option(names = "--reconcile-every", defaultValue = "30s", paramLabel = "DURATION",
      description = "Neo: reconciliation period (default ${DEFAULT-VALUE}).")
  String reconcileEvery;

  /** True when {@code main} must not exit after the command returned (the engine keeps running). */
  static boolean keepsRunning() {
    return keepsRunning;
  }

  @Override
  public Integer call() throws Exception {
    if (broker.equals("neo")) return live();
    if (!broker.equals("paper")) {
      System.err.println("ordo run: --broker must be paper or neo, got '" + broker + "'");
      return 2;
    }
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
    if (report != null) StartChecks.reportFile(report, "--report");
    Config config;
    List<AccountsConfig.PaperAccount> accounts;
    try {
      config = clusterOptions.over(journalOptions.over(config(configFile), System.getenv()));
      AccountsConfig.Accounts all = AccountsConfig.readAll(config);
      if (!all.live().isEmpty() && all.paper().isEmpty()) return liveAccounts(config, all.live());
      accounts = AccountsConfig.read(config);
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    }
    boolean several = accounts.size() > 1;
    Engine engine;
    try {
      engine = Engine.start(new Engine.Settings(folder, dataOptions.from, dataOptions.to, replaySpeed, dataDir, httpHost, httpPort,
          continueOverDifferentData), config, account -> new ProgressPrinter(out, Clock.systemUTC(), several ? account + " " : ""));
    } catch (BadBarDataException e) {
      System.err.println("ordo run: " + DataOptions.badData(e));
      return 2;
    } catch (java.io.UncheckedIOException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw startFailure(e);
    }
    if (!engine.drivesReplay()) {
      // A node of a cluster that is not its first seed: it hosts entities; the first seed's node drives, reports and exits at the end.
      out.printf("Ordo node hosting entities of the replay of %s driven by the cluster's first seed %s; data dir %s%n",
          accounts.stream().map(a -> a.id().value()).toList(), clusterOptions.seeds.get(0), dataDir.toAbsolutePath());
      out.printf("HTTP API on %s (the whole cluster: try /status, /cluster)%n", engine.apiUrl());
      out.println(tokenHint(engine.apiTokenFile(), engine.apiUrl()));
      out.println(dashboardLine(engine.apiTokenFile(), engine.apiUrl()));
      if (exitAtEnd || report != null) out.println("(--exit-at-end and --report are the driving node's: this node runs until stopped)");
      out.flush();
      keepsRunning = true;
      return 0;
    }
    for (Engine.AccountReplay replay : engine.replays())
      out.printf("Ordo running%s: %d instruments, %d sessions from %s, data dir %s%n", several ? " account " + replay.account() : "",
          replay.schedule().instruments().size(), replay.schedule().sessions().size(), dataFolderOf(accounts, replay.account(), folder),
          dataDir.toAbsolutePath());
    String api = engine.apiUrl();
    out.printf("HTTP API on %s (try /status, /accounts/%s/trades)%n", api, engine.account());
    out.println(tokenHint(engine.apiTokenFile(), api));
    out.println(dashboardLine(engine.apiTokenFile(), api));
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

  /** The neo accounts of {@code ordo.accounts} (and no paper one): the live engine, until stopped. */
  private Integer liveAccounts(Config config, List<AccountsConfig.LiveAccount> configured) throws Exception {
    List<LiveEngine.Account> accounts = new java.util.ArrayList<>();
    try {
      if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("--http-port must be 0..65535, got " + httpPort);
      for (AccountsConfig.LiveAccount account : configured) accounts.add(LiveEngine.account(account, System.getenv()));
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    }
    return runLive(() -> LiveEngine.start(accounts, new LiveEngine.Shared(dataDir, httpHost, httpPort,
        dev.ordo.engine.marketdata.MarketDataConnection.StreamSettings.defaults(), java.time.Duration.ofSeconds(10), 1), config));
  }

  /** Starts the live engine with {@code start}, prints where each account trades and the API, and keeps it running. */
  private Integer runLive(Callable<LiveEngine> start) throws Exception {
    LiveEngine engine;
    try {
      engine = start.call();
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 1;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw startFailure(e);
    }
    String api = engine.apiUrl();
    // One account: one line, which scripts and the crash test read (SimCrashTest.ENGINE_LINE); several: a line each, then the API
    if (engine.accounts().size() == 1) {
      System.out.printf("Ordo trading account %s live through %s; HTTP API on %s%n", engine.account(), engine.brokerUrl(engine.account()), api);
    } else {
      for (dev.ordo.engine.model.AccountId account : engine.accounts())
        System.out.printf("Ordo trading account %s live through %s%n", account, engine.brokerUrl(account));
      System.out.printf("HTTP API on %s (try /status, /accounts/%s/positions)%n", api, engine.account());
    }
    System.out.println(tokenHint(engine.apiTokenFile(), api));
    System.out.println(dashboardLine(engine.apiTokenFile(), api));
    System.out.flush();
    keepsRunning = true;
    return 0;
  }

  /** {@code --broker neo}: the live engine against a networked broker, until stopped. */
  private Integer live() throws Exception {
    LiveEngine.Settings settings;
    try {
      if (brokerUrl == null) throw new IllegalArgumentException("--broker neo needs --broker-url");
      if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("--http-port must be 0..65535, got " + httpPort);
      dev.ordo.broker.neo.NeoCredentials user = credentials != null ? dev.ordo.broker.neo.NeoCredentials.fromFile(credentials)
          : dev.ordo.broker.neo.NeoCredentials.fromEnvironment(System.getenv());
      settings = new LiveEngine.Settings(brokerUrl.replaceAll("/+$", ""), null, user, new java.util.TreeSet<>(symbols), dataDir, httpHost,
          httpPort, BrokerSimCommand.duration("--reconcile-every", reconcileEvery),
          dev.ordo.engine.marketdata.MarketDataConnection.StreamSettings.defaults(), java.time.Duration.ofSeconds(10), 1, true);
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("ordo run: " + e.getMessage());
      return 2;
    }
    LiveEngine.Settings chosen = settings;
    Config config = clusterOptions.over(journalOptions.over(ConfigFactory.load(), System.getenv()));
    return runLive(() -> LiveEngine.start(chosen, config));
  }

  /**
   * The settings: {@code file} (HOCON) over the defaults (application.conf, then the modules' reference.conf),
   * system properties over both; the defaults alone without a file.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or not HOCON
   */
  static Config config(Path file) {
    if (file == null) return ConfigFactory.load();
    try {
      Config user = ConfigFactory.parseFile(file.toFile(), com.typesafe.config.ConfigParseOptions.defaults().setAllowMissing(false));
      return ConfigFactory.systemProperties().withFallback(user).withFallback(ConfigFactory.defaultApplication())
          .withFallback(ConfigFactory.defaultReference()).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("--config " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code report}'s sibling for {@code account}: {@code full.json} becomes {@code full-desk2.json}. */
  static Path reportOf(Path report, dev.ordo.engine.model.AccountId account) {
    String name = report.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String sibling = dot > 0 ? name.substring(0, dot) + "-" + account + name.substring(dot) : name + "-" + account;
    return report.resolveSibling(sibling);
  }

  private static Path dataFolderOf(List<AccountsConfig.PaperAccount> accounts, dev.ordo.engine.model.AccountId account, Path folder) {
    return accounts.stream().filter(a -> a.id().equals(account)).findFirst().map(a -> a.data() != null ? a.data() : folder).orElse(folder);
  }

  /** Where the API token is and how to call the API with it (never the token itself). */
  static String tokenHint(Path generatedFile, String api) {
    if (generatedFile == null) return "API tokens: as configured (ORDO_API_TOKEN, ordo.http.tokens-file)";
    return "API token in " + generatedFile.toAbsolutePath() + ": curl -H \"Authorization: Bearer $(cat " + generatedFile.toAbsolutePath()
        + ")\" " + api + "/status";
  }

  /**
   * The dashboard's address: with the generated token in the link's fragment ({@code http://127.0.0.1:8080/#token=...}), which a
   * browser never sends to the server, the way notebook servers print theirs. Printed on the terminal only, never logged. With
   * configured tokens (or a generated file that cannot be read) the page's address alone: it asks for a token.
   */
  static String dashboardLine(Path generatedFile, String api) {
    if (generatedFile != null) {
      try {
        String token = java.nio.file.Files.readString(generatedFile).strip();
        if (!token.isEmpty())
          return "Dashboard: " + api + "/#token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8)
              + " (the link holds the token: share it as you would the token)";
      } catch (java.io.IOException e) {
        // fall through to the address alone: the page asks for the token
      }
    }
    return "Dashboard: " + api + "/ (sign in with an API token)";
  }

  /**
   * The one-line refusal for a start that failed after the checks: the HTTP port taken in the
   * meantime, a step that did not answer in time, ...
   */
  private StartFailure startFailure(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    if (cause instanceof java.net.BindException) return StartChecks.listenFailure(httpHost, httpPort, "--http-port", cause);
    if (cause instanceof java.util.concurrent.TimeoutException)
      return StartFailure.environment("could not start: a step of the start did not finish in time (--verbose shows which)", e);
    return StartFailure.environment("could not start: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), e);
  }

  private final java.util.concurrent.CompletableFuture<Void> reportWritten = new java.util.concurrent.CompletableFuture<>();
  private volatile boolean reportFailed;

  private void onReplayEnd(Engine engine, ReplayDriver.Progress progress, PrintStream out) {
    try {
      boolean several = engine.replays().size() > 1;
      for (int i = 0; i < engine.replays().size(); i++) {
        Engine.AccountReplay replay = engine.replays().get(i);
        List<RoundTrip> trades = engine.queries().trades(replay.account()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        Report result = Report.of(trades, replay.end().toCompletableFuture().join(), engine.queries()::currencyOf,
            replay.schedule().instruments().size());
        out.printf("summary%s: %d trades %s, total P&L %s, %d winners / %d losers%n", several ? " of account " + replay.account() : "",
            result.summary().trades(), result.summary().byExitReason(), result.summary().totalPnlText(), result.summary().winners(),
            result.summary().losers());
        for (dev.ordo.engine.expert.Expert.State expert : engine.queries().experts().toCompletableFuture().get(60, TimeUnit.SECONDS)) {
          if (!expert.settings().account().equals(replay.account())) continue;
          java.util.Map<dev.ordo.engine.expert.Expert.TransactionStatus, Integer> byStatus = new java.util.TreeMap<>();
          java.math.BigDecimal pnl = java.math.BigDecimal.ZERO;
          for (dev.ordo.engine.expert.Expert.Transaction t : expert.transactions()) {
            byStatus.merge(t.status(), 1, Integer::sum);
            pnl = pnl.add(t.realizedPnl());
          }
          out.printf("expert %s of account %s: %d transactions %s, realized P&L %s %s%n", expert.expertId(), replay.account(),
              expert.transactions().size(), byStatus, pnl.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString(), engine.queries().currencyOfAccount(replay.account()));
        }
        if (report != null) {
          Path file = i == 0 ? report : reportOf(report, replay.account());
          result.write(file);
          out.printf("report written to %s%n", file.toAbsolutePath());
        }
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
