package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.app.http.HttpServer;
import dev.ordo.app.metrics.EngineMetrics;
import dev.ordo.app.metrics.MeteredBroker;
import dev.ordo.broker.data.BarFileIndex;
import dev.ordo.broker.data.BarFileReader;
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
import dev.ordo.engine.trading.OrderUpdateRouter;
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
  private final ReplaySchedule schedule;
  private final AccountId account;
  private final ActorRef<ReplayDriver.Command> driver;
  private final EngineQueries queries;
  private final HttpServer http;
  private final Path apiTokenFile;
  private final CompletableFuture<ReplayDriver.Progress> replayEnd;

  private Engine(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, ReplaySchedule schedule, AccountId account,
      ActorRef<ReplayDriver.Command> driver, EngineQueries queries, HttpServer http, Path apiTokenFile,
      CompletableFuture<ReplayDriver.Progress> replayEnd) {
    this.system = system;
    this.lock = lock;
    this.schedule = schedule;
    this.account = account;
    this.driver = driver;
    this.queries = queries;
    this.http = http;
    this.apiTokenFile = apiTokenFile;
    this.replayEnd = replayEnd;
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
    // Every file is checked now; the replay reads the bars again one at a time (ReplaySchedule.streamed).
    ScannedBarFolder folder = BarFileReader.scanAll(settings.dataFolder());
    if (!folder.ignored().isEmpty()) log.info("Not bar files, not read, in {}: {}", settings.dataFolder(), String.join(", ", folder.ignored()));
    for (BarFileIndex file : folder.files()) file.warnings().forEach(w -> log.warn("{}", w));
    ReplaySchedule schedule = ReplaySchedule.streamed(folder.files(), settings.from(), settings.to());
    ReplayRun.Manifest manifest = manifest(folder.fingerprint(), folder.sha256ByFile(), schedule,
        strategyParameters(config.getConfig("ordo.strategy")));
    StartChecks.listenAddress(settings.httpHost(), settings.httpPort(), "--http-host", "--http-port");

    DataDirLock lock = lockDataDir(config, settings.dataDir());
    HttpAccess api = HttpAccess.load(config, settings.dataDir(), System.getenv(), settings.httpHost(), "--http-host", lock);
    ActorSystem<SpawnProtocol.Command> system = startSystem(config, lock);
    try {
      return wire(system, lock, schedule, manifest, settings, api, system.settings().config(), listener);
    } catch (Exception | Error e) {
      stop(system, lock);
      throw e;
    }
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
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      JournalSchema.createIfMissing(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return system;
    } catch (Exception | Error e) {
      stop(system, lock);
      throw e;
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

  private static Engine wire(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, ReplaySchedule schedule, ReplayRun.Manifest manifest,
      Settings settings, HttpAccess api,
      Config config, ReplayDriver.Listener listener) throws Exception {
    Duration brokerTimeout = config.getDuration("ordo.broker-timeout");
    Duration phaseTimeout = config.getDuration("ordo.replay-phase-timeout");
    AccountId account = AccountId.of(config.getString("ordo.paper-account"));
    ReplayRun.StartOutcome run = startRun(system, account, manifest, settings);
    ReplayClock clock = new ReplayClock(schedule.steps().get(0).at());

    Map<InstrumentId, Strategy> strategies = new HashMap<>();
    EightyTwentyStrategy.Parameters parameters = strategyParameters(config.getConfig("ordo.strategy"));
    for (Instrument instrument : schedule.instruments().values())
      strategies.put(instrument.id(), new EightyTwentyStrategy(parameters.withTickSize(instrument.tickSize())));
    Function<InstrumentId, Strategy> strategyOf = id -> {
      Strategy strategy = strategies.get(id);
      if (strategy == null) throw new IllegalArgumentException("no strategy configured for " + id);
      return strategy;
    };
    SymbolTrader.init(system, new SymbolTrader.Dependencies(strategyOf, clock));
    Position.init(system, clock);

    PaperBroker broker = PaperBroker.start(system, account, schedule.instruments(), paperCash(config), venueRules(config), clock, brokerTimeout)
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    PrometheusMeterRegistry registry = EngineMetrics.newRegistry();
    OrderUpdateRouter router = new OrderUpdateRouter(system, phaseTimeout);
    broker.subscribeOrderUpdates(router);

    ActorRef<ServiceManager.Command> services = spawn(system, ServiceManager.create(
        TradingService.Settings.fromConfig(config.getConfig("ordo.trading-service")),
        config.getDuration("ordo.trading-service.drain-timeout"), Clock.systemUTC()), "service-manager");
    // The replay driver is made after the service (it delivers through the service's parts); the lifecycle reaches it through this.
    CompletableFuture<ActorRef<ReplayDriver.Command>> driverRef = new CompletableFuture<>();
    ServiceManager.ServiceSpec spec = new ServiceManager.ServiceSpec(account, new MeteredBroker(broker, registry, account), Credentials.none(),
        null, tradingDay(config, schedule, clock, router), new PausedReplay(driverRef, schedule, phaseTimeout, system));
    ActorRef<TradingService.Command> service = AskPattern.<ServiceManager.Command, ActorRef<TradingService.Command>>ask(services,
        replyTo -> new ServiceManager.StartService(spec, "engine", replyTo), brokerTimeout, system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    TradingService.Parts parts = AskPattern.<TradingService.Command, TradingService.Parts>ask(service, TradingService.GetParts::new,
        brokerTimeout, system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    parts.barDelivery().tell(new dev.ordo.engine.marketdata.BarDelivery.Subscribe(schedule.instruments().keySet()));

    Duration askTimeout = config.getDuration("ordo.http.ask-timeout");
    EngineQueries queries = new EngineQueries(system, services, schedule.instruments().values(), askTimeout);
    Map<InstrumentId, SymbolTrader.Progress> resume = queries.progress(account).toCompletableFuture().get(120, TimeUnit.SECONDS);
    long resumed = resume.values().stream().filter(p -> p.lastBarApplied() != null).count();
    if (resumed > 0) log.info("Resuming: {} of {} instruments have bars applied in {}", resumed, resume.size(), settings.dataDir());
    if (resumed > 0) redeliverVenueFills(broker, router, account, phaseTimeout);
    if (resumed > 0 && run instanceof ReplayRun.Started)
      log.warn("The journal in {} was written before runs were recorded: it is taken to be over this data ({} bar files, fingerprint {})",
          settings.dataDir(), manifest.files().size(), manifest.filesFingerprint());

    CompletableFuture<ReplayDriver.Progress> replayEnd = new CompletableFuture<>();
    ReplayDriver.Listener listeners = new ReplayDriver.Listener() {
      @Override
      public void onStep(ReplayDriver.Progress progress) {
        listener.onStep(progress);
      }

      @Override
      public void onEnd(ReplayDriver.Progress progress) {
        listener.onEnd(progress);
        replayEnd.complete(progress);
      }
    };
    ActorRef<ReplayDriver.Command> driver = spawn(system,
        ReplayDriver.create(schedule, resume, parts.barDelivery(), parts.scheduler(), broker, clock, settings.speed(), phaseTimeout, listeners),
        "replay");
    driverRef.complete(driver);
    queries.attachReplay(driver, account);

    HttpServer http = HttpServer.start(system, settings.httpHost(), settings.httpPort(), queries, api.tokens(), api.tls(),
        new EngineMetrics(registry, queries))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-replay", () ->
        AskPattern.<ReplayDriver.Command, Done>ask(driver, ReplayDriver.Stop::new, phaseTimeout, system.scheduler()));

    driver.tell(ReplayDriver.Start.INSTANCE);
    return new Engine(system, lock, schedule, account, driver, queries, http, api.generatedToken(), replayEnd);
  }

  /**
   * Delivers every fill the paper venue journaled to the symbol traders and positions again, before a
   * resumed replay goes on: a process killed after the venue journaled a fill and before the trader or
   * the position did would otherwise never learn of it (the venue sees the order filled and does not
   * fill it again). Each entity applies a trade id once, so the fills it has are no-ops. Fills of one
   * instrument go in the venue's order; instruments in parallel.
   *
   * @throws IllegalStateException when the venue does not answer, or an entity does not take a fill within {@code timeout}
   */
  private static void redeliverVenueFills(PaperBroker broker, OrderUpdateRouter router, AccountId account, Duration timeout) throws Exception {
    SessionToken token = ok(broker.login(Credentials.none()).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS), "log in");
    List<Fill> fills = ok(broker.trades(token).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS), "list its fills");
    Map<InstrumentId, CompletableFuture<Done>> chains = new LinkedHashMap<>();
    for (Fill fill : fills) {
      CompletableFuture<Done> before = chains.getOrDefault(fill.instrumentId(), CompletableFuture.completedFuture(Done.getInstance()));
      chains.put(fill.instrumentId(), before.thenCompose(done -> router.onFill(account, fill).toCompletableFuture()));
    }
    // no overall deadline needed: every delivery fails by itself after the router's timeout, and a failure ends its chain
    CompletableFuture.allOf(chains.values().toArray(CompletableFuture[]::new)).get();
    log.info("Resuming: the paper venue's {} fill(s) delivered again to the traders and positions (each applied once)", fills.size());
  }

  private static <T> T ok(BrokerResult<T> result, String what) {
    if (result instanceof BrokerResult.Ok<T> ok) return ok.value();
    throw new IllegalStateException("the paper venue did not " + what + " at the resume: " + ((BrokerResult.Err<T>) result).error());
  }

  /**
   * The paper account's trading day: its tasks at the times of {@code ordo.trading-day}, on the trading
   * days of the instruments' venue, run by the replay between steps on the replay clock.
   */
  static TradingService.Day tradingDay(Config config, ReplaySchedule schedule, ReplayClock clock, OrderUpdateRouter router) {
    Config day = config.getConfig("ordo.trading-day");
    java.util.Set<InstrumentId> instruments = schedule.instruments().keySet();
    return new TradingService.Day(dev.ordo.engine.calendar.VenueZones.commonZone(instruments), dev.ordo.engine.calendar.TradingCalendar.standard().tradingDays(instruments.stream().map(InstrumentId::venue).toList()), clock, false,
        () -> instruments, router, LocalTime.parse(day.getString("pre-open-login")), LocalTime.parse(day.getString("market-open")),
        LocalTime.parse(day.getString("eod-cleanup")), day.getDuration("task-timeout"));
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

  /** Completes with the replay's final progress when it finishes, fails, or is stopped. */
  public CompletionStage<ReplayDriver.Progress> replayEnd() {
    return replayEnd;
  }

  public EngineQueries queries() {
    return queries;
  }

  public AccountId account() {
    return account;
  }

  public ReplaySchedule schedule() {
    return schedule;
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

  /** Stops the replay after its running step, leaving the engine (and HTTP) running. */
  public CompletionStage<Done> stopReplay() {
    return AskPattern.ask(driver, ReplayDriver.Stop::new, Duration.ofSeconds(120), system.scheduler());
  }
}
