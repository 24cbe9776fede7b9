package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.app.http.HttpServer;
import dev.ordo.app.metrics.BrokerCallMetrics;
import dev.ordo.app.metrics.EngineMetrics;
import dev.ordo.app.metrics.MeteredBroker;
import dev.ordo.broker.data.BarFileIndex;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.broker.data.BarIndexCache;
import dev.ordo.broker.data.ScannedBarFolder;
import dev.ordo.broker.paper.PaperBroker;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.marketdata.ReplayRun;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.time.ReplayClocks;
import dev.ordo.engine.trading.OrderUpdateRouter;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.venue.VenueRules;
import dev.ordo.persistence.JournalCheck;
import dev.ordo.persistence.JournalSchema;
import dev.ordo.persistence.JournalSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Ordo process in replay mode: the actor system (single-node cluster, JDBC journal),
 * the sharded symbol traders and positions, the paper account's trading service with its paper
 * broker, the replay driver and the HTTP API. Start it with {@link #start}, stop it with
 * {@link #close} (or SIGTERM, through Pekko's coordinated shutdown: the replay finishes its
 * running step first, so a later start resumes exactly there).
 *
 * <p>One node of a cluster ({@link ClusterOptions}): every node hosts the sharded entities and its replay clocks
 * ({@link ReplayClocks}); only the first seed's node runs the services, paper venues and replay drivers, and its drivers move
 * every node's clocks before each phase.
 */
public final class Engine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  /**
   * What to run.
   *
   * @param dataFolder folder of bar CSV files
   * @param from       first session to replay (inclusive), null for the first in the data
   * @param to         last session to replay (inclusive), null for the last in the data
   * @param dataDir    journal and state folder
   * @param httpPort   0 picks a free port
   * @param continueOverDifferentData continue the run of {@code dataDir} when it was over other data or parameters
   *                   (journaled); otherwise such a start is refused
   */
  public record Settings(Path dataFolder, LocalDate from, LocalDate to, ReplayDriver.Speed speed, Path dataDir, String httpHost, int httpPort,
      boolean continueOverDifferentData) {}

  private final ActorSystem<SpawnProtocol.Command> system;
  private final DataDirLock lock;
  private final List<AccountReplay> replays;
  private final EngineQueries queries;
  private final HttpServer http;
  private final Path apiTokenFile;

  private Engine(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, List<AccountReplay> replays, EngineQueries queries,
      HttpServer http, Path apiTokenFile) {
    this.system = system;
    this.lock = lock;
    this.replays = List.copyOf(replays);
    this.queries = queries;
    this.http = http;
    this.apiTokenFile = apiTokenFile;
  }

  /**
   * Reads the data, starts everything and starts the replay.
   *
   * @param config   application configuration (application.conf and overrides)
   * @param listener told of replay progress (in addition to the engine's own bookkeeping)
   * @throws dev.ordo.broker.data.BadBarDataException when a bar file has a bad row (nothing is started then)
   * @throws IllegalArgumentException when the data folder or the date range holds no bars
   * @throws OtherRunException when {@code dataDir} holds a run over other data or parameters and the settings do not
   *                                  say to continue it (nothing is journaled then)
   * @throws java.io.UncheckedIOException when a bar file cannot be read
   * @throws StartFailure when the HTTP address cannot be listened on, or the data directory or the
   *     journal cannot be used (see {@link #lockDataDir}, {@link #startSystem}); nothing is started then
   */
  public static Engine start(Settings settings, Config config, ReplayDriver.Listener listener) throws Exception {
    return start(settings, config, account -> listener);
  }

  /**
   * Reads every account's data, starts everything and starts each account's replay; {@code listeners}
   * gives each account's replay its listener.
   *
   * @throws IllegalArgumentException also for a bad {@code ordo.accounts} (naming the key)
   * @see #start(Settings, Config, ReplayDriver.Listener)
   */
  public static Engine start(Settings settings, Config config, Function<AccountId, ReplayDriver.Listener> listeners) throws Exception {
    List<AccountsConfig.PaperAccount> configured = AccountsConfig.read(config);
    // Every file is checked now; the replay reads the bars again one at a time (ReplaySchedule.streamed).
    Map<Path, ScannedBarFolder> scanned = new HashMap<>();
    Map<Path, dev.ordo.broker.data.DailyBarHistory> dailies = new HashMap<>();
    List<Prepared> accounts = new ArrayList<>();
    for (AccountsConfig.PaperAccount account : configured) {
      Path data = account.data() != null ? account.data() : settings.dataFolder();
      ScannedBarFolder all = scanned.computeIfAbsent(data, folder -> scan(folder, barIndexCache(settings.dataDir())));
      ScannedBarFolder folder;
      try {
        folder = all.onlyInstruments(account.instruments());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ordo.accounts." + account.id() + ".instruments: " + e.getMessage(), e);
      }
      ReplaySchedule schedule = ReplaySchedule.streamed(folder.files(), settings.from(), settings.to());
      accounts.add(new Prepared(account, folder.files(), schedule, manifest(folder.fingerprint(), folder.sha256ByFile(), schedule,
          account.strategy()), account.scanner() == null ? null : scannerUniverse(account, config, dailies)));
    }
    StartChecks.listenAddress(settings.httpHost(), settings.httpPort(), "--http-host", "--http-port");

    DataDirLock lock = lockDataDir(config, settings.dataDir());
    // the files checked now need not be parsed at the next start over them (the data directory is this process's now)
    for (ScannedBarFolder folder : scanned.values()) barIndexCache(settings.dataDir()).storeAll(folder);
    HttpAccess api = HttpAccess.load(config, settings.dataDir(), System.getenv(), settings.httpHost(), "--http-host", lock);
    ActorSystem<SpawnProtocol.Command> system = startSystem(config, lock);
    try {
      return wire(system, lock, accounts, settings, api, system.settings().config(), listeners);
    } catch (Exception | Error e) {
      stop(system, lock);
      throw e;
    }
  }

  /**
   * What an account's scanner scans: its daily bars and the instruments of them it reads, with their tick sizes.
   *
   * @throws IllegalArgumentException naming the key: no such expert in {@code ordo.experts}, or one of another account; an
   *     instrument without daily bars
   * @throws dev.ordo.broker.data.BadBarDataException on a bad daily file
   */
  private static ScannerData scannerUniverse(AccountsConfig.PaperAccount account, Config config,
      Map<Path, dev.ordo.broker.data.DailyBarHistory> dailies) {
    AccountsConfig.ScannerConfig scanner = account.scanner();
    String key = "ordo.accounts." + account.id() + ".scanner";
    String expertKey = "ordo.experts." + com.typesafe.config.ConfigUtil.quoteString(scanner.expert());
    if (!config.hasPath(expertKey))
      throw new IllegalArgumentException(key + ".expert: no expert '" + scanner.expert() + "' in ordo.experts: configure the expert the scanner feeds");
    if (!config.hasPath(expertKey + ".account") || !config.getString(expertKey + ".account").equals(account.id().value()))
      throw new IllegalArgumentException(key + ".expert: expert '" + scanner.expert() + "' trades in account "
          + (config.hasPath(expertKey + ".account") ? config.getString(expertKey + ".account") : "(none)") + ", not " + account.id());
    dev.ordo.broker.data.DailyBarHistory history = dailies.computeIfAbsent(scanner.dailyData(), dev.ordo.broker.data.DailyBarHistory::read);
    java.util.SortedMap<InstrumentId, BigDecimal> universe = new TreeMap<>();
    List<String> unknown = new ArrayList<>();
    for (var entry : history.instruments().entrySet())
      if (scanner.instruments().isEmpty() || scanner.instruments().contains(entry.getKey().toString())
          || scanner.instruments().contains(entry.getKey().symbol()))
        universe.put(entry.getKey(), entry.getValue().tickSize());
    for (String wanted : scanner.instruments())
      if (history.instruments().keySet().stream().noneMatch(id -> id.toString().equals(wanted) || id.symbol().equals(wanted))) unknown.add(wanted);
    if (!unknown.isEmpty())
      throw new IllegalArgumentException(key + ".instruments: no daily bar file of " + scanner.dailyData() + " trades " + unknown);
    return new ScannerData(history, universe);
  }

  /** An account scanner's daily bars and the instruments it scans with their tick sizes. */
  private record ScannerData(dev.ordo.broker.data.DailyBarHistory history, java.util.SortedMap<InstrumentId, BigDecimal> universe) {}

  /** An account's configuration with its schedule, the manifest of its run and its scanner's data (null: none). */
  private record Prepared(AccountsConfig.PaperAccount config, List<BarFileIndex> files, ReplaySchedule schedule, ReplayRun.Manifest manifest,
      ScannerData scanner) {
    AccountId id() {
      return config.id();
    }
  }

  /**
   * One account's replay.
   *
   * @param end completes with the replay's final progress when it finishes, fails, or is stopped
   */
  public record AccountReplay(AccountId account, ReplaySchedule schedule, ActorRef<ReplayDriver.Command> driver,
      CompletionStage<ReplayDriver.Progress> end) {}

  /** Where the checked bar files' indexes are kept ({@link BarIndexCache}): {@code <data-dir>/bar-index}. */
  static BarIndexCache barIndexCache(Path dataDir) {
    return BarIndexCache.in(dataDir.resolve("bar-index"));
  }

  private static ScannedBarFolder scan(Path data, BarIndexCache cache) {
    ScannedBarFolder folder = BarFileReader.scanAll(data, cache);
    for (BarFileIndex file : folder.files())
      if (file.interval().compareTo(java.time.Duration.ofDays(1)) >= 0)
        throw new dev.ordo.broker.data.BadBarDataException(file.source(), 1, "holds daily bars: a replay trades intraday bars (daily bars feed"
            + " an account's scanner: scanner.daily-data, docs/scanner.md)");
    if (!folder.ignored().isEmpty()) log.info("Not bar files, not read, in {}: {}", data, String.join(", ", folder.ignored()));
    for (BarFileIndex file : folder.files()) file.warnings().forEach(w -> log.warn("{}", w));
    return folder;
  }

  /**
   * Locks the data directory for this process ({@link DataDirLock}), creating it when missing.
   *
   * @throws StartFailure when it is a file, cannot be created or written, is in use, or its disk is
   *     below {@code ordo.data-dir.min-free-space}
   */
  static DataDirLock lockDataDir(Config config, Path dataDir) throws StartFailure {
    return DataDirLock.acquire(dataDir, config.getBytes("ordo.data-dir.min-free-space"));
  }

  /**
   * The actor system of an engine on the data directory {@code lock} holds: the journal opened once
   * to check it ({@link JournalCheck}), its schema created when missing, a single-node cluster
   * joined. The lock is released when the system terminates, or at once when the start fails.
   *
   * @throws StartFailure when the journal cannot be used (not an H2 database, corrupt, read-only,
   *     PostgreSQL unreachable, ...)
   */
  static ActorSystem<SpawnProtocol.Command> startSystem(Config config, DataDirLock lock) throws Exception {
    ActorSystem<SpawnProtocol.Command> system;
    try {
      Config withJournal = JournalSettings.withJournal(config, lock.dataDir());
      JournalCheck.verify(withJournal, lock.dataDir());
      system = ActorSystem.create(SpawnProtocol.create(), "ordo", withJournal);
    } catch (JournalCheck.JournalUnavailableException e) {
      lock.close();
      throw StartFailure.environment(e.getMessage(), e);
    } catch (Exception | Error e) {
      lock.close();
      throw e;
    }
    system.getWhenTerminated().thenRun(lock::close);
    try {
      Cluster cluster = Cluster.get(system);
      java.util.List<String> seeds = system.settings().config().getStringList("pekko.cluster.seed-nodes");
      if (seeds.isEmpty()) cluster.manager().tell(Join.create(cluster.selfMember().address()));
      else awaitUp(system, seeds, Duration.ofSeconds(60));
      JournalSchema.createIfMissing(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return system;
    } catch (Exception | Error e) {
      stop(system, lock);
      throw e;
    }
  }

  /**
   * Waits until this node is Up in the cluster of {@code seeds} (it joins them by itself).
   *
   * @throws StartFailure when it is not within {@code timeout} (no seed answers, or they refuse the node)
   */
  private static void awaitUp(ActorSystem<?> system, java.util.List<String> seeds, Duration timeout) throws StartFailure, InterruptedException {
    CompletableFuture<Done> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(Done.getInstance()));
    try {
      up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("Node {} is up in the cluster of {}", Cluster.get(system).selfMember().address(), seeds);
    } catch (ExecutionException | TimeoutException e) {
      throw StartFailure.environment("could not join the cluster of " + seeds + " within " + timeout.toSeconds()
          + " s: is a seed node running and reachable, and does its --cluster-seed list match?", e);
    }
  }

  /** After a failed start: terminates the system, waits for it (bounded), releases the data directory. */
  static void stop(ActorSystem<?> system, DataDirLock lock) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.debug("The actor system of a failed start did not terminate cleanly", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.close();
  }

  private static Engine wire(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, List<Prepared> accounts, Settings settings,
      HttpAccess api, Config config, Function<AccountId, ReplayDriver.Listener> listeners) throws Exception {
    Duration brokerTimeout = config.getDuration("ordo.broker-timeout");
    Duration phaseTimeout = config.getDuration("ordo.replay-phase-timeout");
    // first: the registry counts the journal's writes from now on (the run records just below are the first)
    PrometheusMeterRegistry registry = EngineMetrics.newRegistry(system);
    EngineMetrics.bindDataDir(registry, system, settings.dataDir());
    for (Prepared account : accounts) startRun(system, account.id(), account.manifest(), settings);

    // Each account replays on its own clock, with its own strategy parameters (tick size per instrument).
    Map<AccountId, ReplayClock> clocks = new TreeMap<>();
    Map<AccountId, Map<InstrumentId, Strategy>> strategies = new TreeMap<>();
    for (Prepared account : accounts) {
      clocks.put(account.id(), new ReplayClock(account.schedule().stepTime(0)));
      Map<InstrumentId, Strategy> byInstrument = new HashMap<>();
      for (Instrument instrument : account.schedule().instruments().values())
        byInstrument.put(instrument.id(), new EightyTwentyStrategy(account.config().strategy().withTickSize(instrument.tickSize())));
      strategies.put(account.id(), byInstrument);
    }
    // The paper venue answers a request it already has with its first answer: what a kill interrupted is sent again.
    SymbolTrader.init(system, SymbolTrader.Dependencies.of((account, id) -> {
      Strategy strategy = strategies.getOrDefault(account, Map.of()).get(id);
      if (strategy == null) throw new IllegalArgumentException("no strategy configured for " + id + " in account " + account);
      return strategy;
    }, account -> {
      ReplayClock clock = clocks.get(account);
      if (clock == null) throw new IllegalArgumentException("no account " + account + " in this engine");
      return clock;
    }, clocks::containsKey));
    Position.init(system, account -> clocks.get(account));
    dev.ordo.engine.expert.Expert.init(system, clocks::get, Clock.systemUTC());
    // Every placement of an account passes its risk checks (AccountRisk) before its gateway sends it; fills reach them first.
    Map<AccountId, AccountRisk.Settings> risks = new TreeMap<>();
    for (Prepared account : accounts)
      risks.put(account.id(), new AccountRisk.Settings(account.config().risk(), clocks.get(account.id()),
          dev.ordo.engine.calendar.VenueZones.commonZone(account.schedule().instruments().keySet())));
    AccountRisk.init(system, account -> {
      AccountRisk.Settings risk = risks.get(account);
      if (risk == null) throw new IllegalArgumentException("no account " + account + " in this engine");
      return risk;
    });

    OrderUpdateRouter router = new OrderUpdateRouter(system, phaseTimeout, true);
    org.apache.pekko.actor.typed.Behavior<ServiceManager.Command> manager = ServiceManager.create(
        TradingService.Settings.fromConfig(config.getConfig("ordo.trading-service")).withGatewayListener(new BrokerCallMetrics(registry)),
        config.getDuration("ordo.trading-service.drain-timeout"), Clock.systemUTC());
    // In a cluster the replay is driven from one node (the first seed: ClusterOptions gives it the role), which runs the accounts'
    // services, paper venues and drivers; every node hosts entities and moves its replay clocks when the driver says.
    boolean clustered = !config.getStringList("pekko.cluster.seed-nodes").isEmpty();
    boolean drives = !clustered || Cluster.get(system).selfMember().hasRole(ClusterOptions.REPLAY_DRIVER_ROLE);
    ActorRef<ServiceManager.Command> services = clustered
        ? org.apache.pekko.cluster.typed.ClusterSingleton.get(system).init(org.apache.pekko.cluster.typed.SingletonActor.of(manager, "replay-services")
            .withSettings(org.apache.pekko.cluster.typed.ClusterSingletonSettings.create(system).withRole(ClusterOptions.REPLAY_DRIVER_ROLE)))
        : spawn(system, manager, "service-manager");
    Map<AccountId, ReplayClock.Mover> movers = new TreeMap<>();
    if (clustered) {
      ActorRef<ReplayClocks.Command> nodeClocks = spawn(system, ReplayClocks.create(clocks, phaseTimeout, Duration.ofMillis(100), Clock.systemUTC()),
          "replay-clocks");
      for (AccountId account : clocks.keySet())
        movers.put(account, ReplayClocks.mover(nodeClocks, account, phaseTimeout.plusSeconds(5), system.scheduler()));
    } else {
      clocks.forEach((account, clock) -> movers.put(account, clock.local()));
    }
    Map<AccountId, Collection<Instrument>> instrumentsByAccount = new TreeMap<>();
    for (Prepared account : accounts) instrumentsByAccount.put(account.id(), account.schedule().instruments().values());
    Map<AccountId, ActorRef<ServiceManager.Command>> managers = new TreeMap<>();
    for (Prepared account : accounts) managers.put(account.id(), services);
    EngineQueries queries = new EngineQueries(system, managers, instrumentsByAccount, config.getDuration("ordo.http.ask-timeout"));

    List<AccountReplay> replays = new ArrayList<>();
    if (drives) {
      for (Prepared account : accounts)
        replays.add(startAccount(system, account, clocks.get(account.id()), movers.get(account.id()), router, services, registry, queries,
            settings, config, listeners.apply(account.id())));
      configureExperts(config, queries);
    } else {
      log.info("This node hosts entities of the replay of {} driven by {} (the cluster's first seed)", clocks.keySet(),
          config.getStringList("pekko.cluster.seed-nodes").get(0));
    }
    HttpServer http = HttpServer.start(system, settings.httpHost(), settings.httpPort(), queries, api.tokens(), api.tls(),
        new EngineMetrics(registry, queries))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    for (AccountReplay replay : replays) {
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-replay-" + replay.account(), () ->
          AskPattern.<ReplayDriver.Command, Done>ask(replay.driver(), ReplayDriver.Stop::new, phaseTimeout, system.scheduler()));
    }
    for (AccountReplay replay : replays) replay.driver().tell(ReplayDriver.Start.INSTANCE);
    return new Engine(system, lock, replays, queries, http, api.generatedToken());
  }

  /**
   * Configures the experts of {@code ordo.experts} whose journaled settings differ (journaled as asked by
   * {@code config}); an expert created over HTTP keeps its settings.
   *
   * @throws IllegalArgumentException naming the key of a bad expert
   */
  private static void configureExperts(Config config, EngineQueries queries) throws Exception {
    for (ExpertsConfig.ConfiguredExpert expert : ExpertsConfig.read(config, queries.knownAccounts(), queries::instrument)) {
      dev.ordo.engine.expert.Expert.State state = queries.expert(expert.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (ExpertsConfig.unchanged(state, expert.settings())) continue;
      queries.configureExpert(expert.id(), expert.settings(), "config").toCompletableFuture().get(60, TimeUnit.SECONDS);
      log.info("Expert {} configured from ordo.experts.{} (account {})", expert.id(), expert.id(), expert.settings().account());
    }
  }

  /**
   * Starts one paper account: its paper broker, its trading service (with its trading day), the
   * fills of a resumed run delivered again, and its replay driver (not started yet).
   */
  private static AccountReplay startAccount(ActorSystem<SpawnProtocol.Command> system, Prepared prepared, ReplayClock clock,
      ReplayClock.Mover mover, OrderUpdateRouter router, ActorRef<ServiceManager.Command> services, PrometheusMeterRegistry registry, EngineQueries queries,
      Settings settings, Config config, ReplayDriver.Listener listener) throws Exception {
    AccountId account = prepared.id();
    ReplaySchedule schedule = prepared.schedule();
    Duration brokerTimeout = config.getDuration("ordo.broker-timeout");
    Duration phaseTimeout = config.getDuration("ordo.replay-phase-timeout");
    PaperBroker broker = PaperBroker.start(system, account, schedule.instruments(), prepared.config().cash(), venueRules(config), clock,
        brokerTimeout).toCompletableFuture().get(60, TimeUnit.SECONDS);
    broker.subscribeOrderUpdates(router);
    TradingService.Day day = tradingDay(account, prepared.config().day(), schedule, clock, router, system, broker);
    if (prepared.scanner() != null) {
      broker.serveDailyBars(prepared.scanner().history());
      day = day.withScan(scan(account, prepared.config().scanner(), prepared.scanner(), queries, prepared.config().day().taskTimeout()));
    }

    // The traders recover before the service (and its gateway) runs: a placement or cancel a kill interrupted waits, sent again,
    // until the venue's market is as it was (primed from each trader's last bar), then goes out when the gateway is listed.
    Map<InstrumentId, SymbolTrader.Progress> resume = queries.progress(account).toCompletableFuture().get(120, TimeUnit.SECONDS);
    long resumed = resume.values().stream().filter(p -> p.lastBarApplied() != null).count();
    if (resumed > 0) {
      log.info("Resuming account {}: {} of {} instruments have bars applied in {}", account, resumed, resume.size(), settings.dataDir());
      // What the restart sends again is stamped at the point the replay resumes from, not at the schedule's start
      resume.values().stream().map(SymbolTrader.Progress::lastBarApplied).filter(java.util.Objects::nonNull)
          .map(java.time.OffsetDateTime::toInstant).max(java.time.Instant::compareTo)
          .ifPresent(at -> mover.advanceTo(at).toCompletableFuture().join());
      primeMarket(broker, prepared.files(), resume);
      Map<InstrumentId, Long> positionFills = new HashMap<>();
      for (dev.ordo.engine.trading.Position.State p : queries.positionStates(account).toCompletableFuture().get(120, TimeUnit.SECONDS))
        positionFills.put(p.instrument(), p.fills());
      redeliverVenueFills(broker, router, account, redeliverySince(resume), positionFills, phaseTimeout);
    }

    // The replay driver is made after the service (it delivers through the service's parts); the lifecycle reaches it through this.
    CompletableFuture<ActorRef<ReplayDriver.Command>> driverRef = new CompletableFuture<>();
    ServiceManager.ServiceSpec spec = new ServiceManager.ServiceSpec(account, new MeteredBroker(broker, registry, account), Credentials.none(),
        null, day, new PausedReplay(driverRef, schedule, phaseTimeout,
        system), AccountRisk.of(system, account));
    ActorRef<TradingService.Command> service = AskPattern.<ServiceManager.Command, ActorRef<TradingService.Command>>ask(services,
        replyTo -> new ServiceManager.StartService(spec, "engine", replyTo), brokerTimeout, system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    TradingService.Parts parts = AskPattern.<TradingService.Command, TradingService.Parts>ask(service, TradingService.GetParts::new,
        brokerTimeout, system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    parts.barDelivery().tell(new dev.ordo.engine.marketdata.BarDelivery.Subscribe(schedule.instruments().keySet()));
    if (resumed > 0) awaitSettled(queries, account, phaseTimeout);

    CompletableFuture<ReplayDriver.Progress> end = new CompletableFuture<>();
    ReplayDriver.Listener both = new ReplayDriver.Listener() {
      @Override
      public void onStep(ReplayDriver.Progress progress) {
        listener.onStep(progress);
      }

      @Override
      public void onEnd(ReplayDriver.Progress progress) {
        listener.onEnd(progress);
        end.complete(progress);
      }
    };
    ActorRef<ReplayDriver.Command> driver = spawn(system,
        ReplayDriver.create(schedule, resume, parts.barDelivery(), parts.scheduler(), broker, clock, mover, settings.speed(), phaseTimeout, both),
        "replay-" + account);
    system.receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(ReplayDriver.serviceKey(account), driver));
    driverRef.complete(driver);
    queries.attachReplay(account, driver);
    queries.attachBarSources(account, prepared.files());
    return new AccountReplay(account, schedule, driver, end);
  }

  /**
   * From when the venue's fills are delivered again at a resume: a day before the earliest last bar a
   * trader journaled. A replay step starts only once every fill of the step before was journaled by
   * every entity it goes to ({@code PaperBroker.matchBars} answers after its listeners), so a fill
   * some entity may lack is one of the steps from the earliest trader's journaled bar on (its later
   * bars may have been held unjournaled); the day before covers a fill still on its way at a step's
   * end. Null (every fill) when no trader journaled a bar.
   */
  static java.time.Instant redeliverySince(Map<InstrumentId, SymbolTrader.Progress> resume) {
    return resume.values().stream().map(SymbolTrader.Progress::lastBarApplied).filter(java.util.Objects::nonNull)
        .map(java.time.OffsetDateTime::toInstant).min(java.time.Instant::compareTo).map(t -> t.minus(Duration.ofDays(1))).orElse(null);
  }

  /**
   * Delivers fills the paper venue journaled to the symbol traders and positions again, before a
   * resumed replay goes on: a process killed after the venue journaled a fill and before the trader or
   * the position did would otherwise never learn of it (the venue sees the order filled and does not
   * fill it again). Each entity applies a trade id once, so the fills it has are no-ops. Fills of one
   * instrument go in the venue's order; instruments in parallel. Delivered: the fills at or after
   * {@code since} (null: all; earlier ones were applied by every entity, {@link #redeliverySince}), and
   * every fill of an instrument whose position holds fewer fills than the venue made ({@code positionFills},
   * absent: none): sending them all again cost a restart time growing with the account's history.
   *
   * @throws IllegalStateException when the venue does not answer, or an entity does not take a fill within {@code timeout}
   */
  private static void redeliverVenueFills(PaperBroker broker, OrderUpdateRouter router, AccountId account, java.time.Instant since,
      Map<InstrumentId, Long> positionFills, Duration timeout) throws Exception {
    SessionToken token = ok(broker.login(Credentials.none()).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS), "log in");
    List<Fill> all = ok(broker.trades(token).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS), "list its fills");
    Map<InstrumentId, Long> venueFills = new HashMap<>();
    for (Fill fill : all) venueFills.merge(fill.instrumentId(), 1L, Long::sum);
    List<Fill> fills = all.stream().filter(f -> since == null || !f.tsEvent().toInstant().isBefore(since)
        || positionFills.getOrDefault(f.instrumentId(), 0L) < venueFills.get(f.instrumentId())).toList();
    Map<InstrumentId, CompletableFuture<Done>> chains = new LinkedHashMap<>();
    for (Fill fill : fills) {
      CompletableFuture<Done> before = chains.getOrDefault(fill.instrumentId(), CompletableFuture.completedFuture(Done.getInstance()));
      chains.put(fill.instrumentId(), before.thenCompose(done -> router.onFill(account, fill).toCompletableFuture()));
    }
    // no overall deadline needed: every delivery fails by itself after the router's timeout, and a failure ends its chain
    CompletableFuture.allOf(chains.values().toArray(CompletableFuture[]::new)).get();
    log.info("Resuming: the paper venue's {} fill(s) since {} (of {}) delivered again to the traders and positions (each applied once)",
        fills.size(), since == null ? "its start" : since, all.size());
  }

  /**
   * Sets the paper venue's market to each instrument's last bar its trader applied (and its session
   * closed when the trader ended it), read again from the bar files, before anything is sent again.
   */
  private static void primeMarket(PaperBroker broker, List<BarFileIndex> files, Map<InstrumentId, SymbolTrader.Progress> resume)
      throws Exception {
    List<dev.ordo.engine.model.Bar> last = new ArrayList<>();
    java.util.Set<InstrumentId> closed = new java.util.HashSet<>();
    for (BarFileIndex file : files) {
      SymbolTrader.Progress progress = resume.get(file.instrument().id());
      if (progress == null || progress.lastBarApplied() == null) continue;
      int upTo = file.countUpTo(progress.lastBarApplied());
      if (upTo == 0 || file.openTimes()[upTo - 1] != progress.lastBarApplied().toEpochSecond())
        continue; // not a bar of this file (a resume over other data was refused before)
      dev.ordo.engine.model.Bar bar = file.readFrom(upTo - 1).next();
      last.add(bar);
      if (bar.tsOpen().toLocalDate().equals(progress.lastSessionEnded())) closed.add(bar.instrumentId());
    }
    broker.primeMarket(last, closed).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * Waits until no trader of {@code account} has a request at the broker: what the restart sent again
   * is answered before the replay goes on, as it was in the step it belonged to.
   *
   * @throws IllegalStateException when some are still in flight after {@code timeout}
   */
  private static void awaitSettled(EngineQueries queries, AccountId account, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<InstrumentId, SymbolTrader.State> states = queries.symbolStates(account).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<InstrumentId> busy = states.values().stream().filter(SymbolTrader.State::hasRequestsInFlight).map(SymbolTrader.State::instrument).toList();
      if (busy.isEmpty()) return;
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("account " + account + ": requests sent again after the restart are still unanswered after " + timeout
            + " for " + busy);
      Thread.sleep(50);
    }
  }

  private static <T> T ok(BrokerResult<T> result, String what) {
    if (result instanceof BrokerResult.Ok<T> ok) return ok.value();
    throw new IllegalStateException("the paper venue did not " + what + " at the resume: " + ((BrokerResult.Err<T>) result).error());
  }

  /**
   * A paper account's trading day: its tasks at the times of its {@code trading-day}, on the trading
   * days of its instruments' venues ({@link dev.ordo.engine.calendar.TradingCalendar}), run by the
   * replay between steps on the account's replay clock; its {@code eod-cleanup} expires the paper
   * venue's DAY orders ({@link PaperBroker#expireDayOrders}).
   */
  static TradingService.Day tradingDay(AccountId account, AccountsConfig.TradingDay day, ReplaySchedule schedule, ReplayClock clock,
      OrderUpdateRouter router, ActorSystem<?> system, PaperBroker broker) {
    java.util.Set<InstrumentId> instruments = schedule.instruments().keySet();
    return new TradingService.Day(dev.ordo.engine.calendar.VenueZones.commonZone(instruments),
        dev.ordo.engine.calendar.TradingCalendar.standard().tradingDays(instruments.stream().map(InstrumentId::venue).toList()), clock, false,
        () -> instruments, router, day.preOpenLogin(), day.marketOpen(), day.eodCleanup(), day.taskTimeout(),
        () -> EngineQueries.expertIdsOf(system, account, day.taskTimeout()), broker::expireDayOrders);
  }

  /** An account's scanner: its settings, and the engine's paths to the account's traders' last prices and to its expert. */
  private static TradingService.Scan scan(AccountId account, AccountsConfig.ScannerConfig config, ScannerData data, EngineQueries queries,
      Duration timeout) {
    dev.ordo.engine.scanner.Scanner.Settings settings = new dev.ordo.engine.scanner.Scanner.Settings(config.expert(), data.universe(),
        config.signal(), config.parallelism(), config.cacheTtl(), timeout);
    return new TradingService.Scan(settings, new dev.ordo.engine.scanner.Scanner.Recommender() {
      @Override
      public CompletionStage<Map<InstrumentId, dev.ordo.engine.model.Price>> lastPrices(java.util.Set<InstrumentId> instruments) {
        return queries.lastPrices(account, instruments);
      }

      @Override
      public CompletionStage<dev.ordo.engine.expert.Expert.Outcomes> recommend(String expertId,
          List<dev.ordo.engine.expert.Expert.Recommendation> recommendations) {
        return queries.recommend(expertId, account, recommendations);
      }
    }, config.at());
  }

  /**
   * The paper account's lifecycle: a stop of its service pauses the replay after its running step; a
   * start resumes it through the new service's bar delivery and scheduler, from the next step (nothing
   * is lost in between: the step was complete).
   */
  private record PausedReplay(CompletableFuture<ActorRef<ReplayDriver.Command>> driver, ReplaySchedule schedule, Duration timeout,
      ActorSystem<?> system) implements ServiceManager.Lifecycle {

    @Override
    public CompletionStage<Done> started(TradingService.Parts parts) {
      return driver.thenApply(d -> {
        parts.barDelivery().tell(new dev.ordo.engine.marketdata.BarDelivery.Subscribe(schedule.instruments().keySet()));
        d.tell(new ReplayDriver.Resume(parts.barDelivery(), parts.scheduler()));
        return Done.getInstance();
      });
    }

    @Override
    public CompletionStage<Done> stopping() {
      return driver.thenCompose(d -> AskPattern.<ReplayDriver.Command, Done>ask(d, ReplayDriver.Pause::new, timeout, system.scheduler()));
    }
  }

  /** The paper account's starting cash by currency ({@code ordo.paper-cash}). */
  static Map<String, BigDecimal> paperCash(Config config) {
    Map<String, BigDecimal> cash = new TreeMap<>();
    config.getConfig("ordo.paper-cash").entrySet().forEach(e -> cash.put(e.getKey(), new BigDecimal(e.getValue().unwrapped().toString())));
    return cash;
  }

  /**
   * Records or checks what the run of {@code dataDir} is over, before anything else runs.
   *
   * @throws OtherRunException when the run is over other data or parameters and the settings do not say to continue
   */
  private static ReplayRun.StartOutcome startRun(ActorSystem<?> system, AccountId account, ReplayRun.Manifest manifest, Settings settings)
      throws Exception {
    ReplayRun.init(system, Clock.systemUTC());
    ReplayRun.StartOutcome outcome = ClusterSharding.get(system).entityRefFor(ReplayRun.ENTITY_TYPE_KEY, ReplayRun.entityId(account))
        .<ReplayRun.StartOutcome>ask(replyTo -> new ReplayRun.Start(manifest, settings.continueOverDifferentData(), replyTo), Duration.ofSeconds(60))
        .toCompletableFuture().get(70, TimeUnit.SECONDS);
    if (outcome instanceof ReplayRun.Refused refused) throw new OtherRunException(settings.dataDir(), refused.differences());
    if (outcome instanceof ReplayRun.Continued continued)
      log.warn("Continuing the run of {} over different data, as --continue-over-different-data asks (journaled): {}", settings.dataDir(),
          String.join("; ", continued.differences()));
    if (outcome instanceof ReplayRun.Started)
      log.info("Recorded the run of {}: {} instruments, sessions {}..{}, bar files {}", settings.dataDir(), manifest.instruments().size(),
          manifest.from(), manifest.to(), manifest.filesFingerprint());
    return outcome;
  }

  /** What a replay of {@code schedule}, read from files of {@code fingerprint}, with the strategy's {@code parameters} is over. */
  static ReplayRun.Manifest manifest(String fingerprint, java.util.SortedMap<String, String> sha256ByFile, ReplaySchedule schedule,
      EightyTwentyStrategy.Parameters parameters) {
    List<LocalDate> sessions = schedule.sessions();
    SortedMap<String, String> values = new TreeMap<>();
    values.put("capital-per-trade", parameters.capitalPerTrade().stripTrailingZeros().toPlainString());
    values.put("max-entries-per-day", String.valueOf(parameters.maxEntriesPerDay()));
    values.put("last-entry-bar-open", parameters.lastEntryBarOpen().toString());
    values.put("session-exit", parameters.sessionExit().toString());
    return new ReplayRun.Manifest(List.copyOf(schedule.instruments().keySet()), sessions.get(0), sessions.get(sessions.size() - 1),
        fingerprint, sha256ByFile, values);
  }

  /** The strategy's parameters of the {@code ordo.strategy} block; the tick size is set per instrument. */
  /** The paper venue's limits ({@code ordo.venue}: freeze quantity, market protection). */
  static VenueRules venueRules(Config config) {
    Config venue = config.getConfig("ordo.venue");
    return new VenueRules(Quantity.of(venue.getString("freeze-quantity")), new BigDecimal(venue.getString("market-protection")));
  }

  public static EightyTwentyStrategy.Parameters strategyParameters(Config c) {
    EightyTwentyStrategy.Parameters defaults = EightyTwentyStrategy.Parameters.defaults();
    return new EightyTwentyStrategy.Parameters(defaults.tickSize(), new BigDecimal(c.getString("capital-per-trade")),
        c.getInt("max-entries-per-day"), LocalTime.parse(c.getString("last-entry-bar-open")), LocalTime.parse(c.getString("session-exit")));
  }

  static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system, org.apache.pekko.actor.typed.Behavior<T> behavior, String name)
      throws Exception {
    return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system, replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
        Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The address the HTTP API is bound to. */
  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** The API's base URL ({@code http://127.0.0.1:8080}, or {@code https://...} with TLS). */
  public String apiUrl() {
    return http.url();
  }

  /** The file of the API token generated for this data directory, or null when tokens are configured. */
  public Path apiTokenFile() {
    return apiTokenFile;
  }

  /**
   * Completes when every account's replay has finished, failed or been stopped, with the first
   * account's final progress ({@link #replays()} has each account's).
   */
  public CompletionStage<ReplayDriver.Progress> replayEnd() {
    CompletableFuture<?>[] ends = replays.stream().map(r -> r.end().toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(ends).thenApply(ignored -> replays.get(0).end().toCompletableFuture().join());
  }

  /**
   * Whether this process drives the replays: always on one node; in a cluster only the first seed's node, the others host
   * entities and {@link #replays()} is empty.
   */
  public boolean drivesReplay() {
    return !replays.isEmpty();
  }

  /** Each account's replay, by account id (empty on a cluster's node that does not drive them). */
  public List<AccountReplay> replays() {
    return replays;
  }

  public EngineQueries queries() {
    return queries;
  }

  /** The first account (by id): the only one with the default configuration. */
  public AccountId account() {
    return replays.get(0).account();
  }

  /** The first account's replay schedule. */
  public ReplaySchedule schedule() {
    return replays.get(0).schedule();
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Completes when the actor system has terminated (after {@link #close} or a signal). */
  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** Stops the replay after its running step, unbinds HTTP, terminates the actor system and releases the data directory. */
  @Override
  public void close() throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    lock.close();
  }

  /** Stops every account's replay after its running step, leaving the engine (and HTTP) running. */
  public CompletionStage<Done> stopReplay() {
    CompletableFuture<?>[] stops = replays.stream().map(r -> AskPattern.<ReplayDriver.Command, Done>ask(r.driver(), ReplayDriver.Stop::new,
        Duration.ofSeconds(120), system.scheduler()).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(stops).thenApply(ignored -> Done.getInstance());
  }
}
