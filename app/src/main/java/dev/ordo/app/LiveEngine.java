package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.app.http.HttpServer;
import dev.ordo.app.metrics.BrokerCallMetrics;
import dev.ordo.app.metrics.EngineMetrics;
import dev.ordo.app.metrics.MeteredBroker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.broker.neo.NeoMarketDataStream;
import dev.ordo.broker.neo.NeoOrderFeed;
import dev.ordo.broker.neo.ScripMaster;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.trading.OrderUpdateRouter;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ordo against a networked broker (the Kotak-Neo-shaped adapter): the account's trading service
 * logs in once through its {@link AuthSession}, loads the broker's scrip master, subscribes the
 * instruments' market data over the WebSocket (ticks built into bars for the symbol traders), places
 * orders through the gateway, and reconciles with the broker at start, after every reconnect and
 * periodically. Wall-clock time; the same journal and HTTP API as the replay.
 */
public final class LiveEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveEngine.class);

  /**
   * What to run.
   *
   * @param brokerUrl        login URL of the broker (the simulator's base URL)
   * @param marketDataUrl    market-data WebSocket URL; null derives {@code ws://.../realtime} from {@code brokerUrl} (and
   *                         {@code ws://.../orderfeed} for the order feed)
   * @param symbols          instruments to trade ({@code SYMBOL.VENUE}); empty for every instrument of the scrip master
   * @param reconcileEvery   period of the reconciliation
   * @param streamSettings   staleness, back-off and heartbeat of the market-data connection
   * @param seed             seed of the reconnect jitter
   * @param orderFeed        listen to the broker's order-update WebSocket (each change starts a reconciliation)
   */
  public record Settings(String brokerUrl, String marketDataUrl, NeoCredentials credentials, Set<String> symbols, Path dataDir, String httpHost,
      int httpPort, Duration reconcileEvery, MarketDataConnection.StreamSettings streamSettings, Duration callTimeout, long seed,
      boolean orderFeed) {}

  /**
   * One live account (from {@code ordo.accounts.<id>} with {@code broker = neo}, or {@code --broker neo}).
   *
   * @param id             the account's id in the engine (its journal, HTTP paths, metrics)
   * @param brokerUrl      login URL of its broker
   * @param marketDataUrl  market-data WebSocket URL; null derives {@code ws://.../realtime} from {@code brokerUrl}
   * @param symbols        instruments to trade ({@code SYMBOL.VENUE}); empty for every instrument of the scrip master
   * @param reconcileEvery period of the reconciliation
   * @param orderFeed      listen to the broker's order-update WebSocket
   * @param strategy       the 80-20 strategy's parameters (the tick size is set per instrument)
   * @param risk           its pre-trade limits
   * @param day            the times of its trading day's tasks
   */
  public record Account(AccountId id, String brokerUrl, String marketDataUrl, NeoCredentials credentials, Set<String> symbols,
      Duration reconcileEvery, boolean orderFeed, EightyTwentyStrategy.Parameters strategy, dev.ordo.engine.risk.RiskLimits risk,
      AccountsConfig.TradingDay day) {}

  /**
   * The live account of {@code config}: its credentials read from its file or the environment.
   *
   * @throws IllegalArgumentException naming the account when its credentials are incomplete
   * @throws java.io.IOException when its credentials file cannot be read
   */
  public static Account account(AccountsConfig.LiveAccount config, Map<String, String> environment) throws java.io.IOException {
    NeoCredentials credentials;
    try {
      credentials = config.credentialsFile() != null ? NeoCredentials.fromFile(config.credentialsFile())
          : NeoCredentials.fromEnvironment(environment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ordo.accounts." + config.id() + ": " + e.getMessage(), e);
    }
    return new Account(config.id(), config.url(), config.marketDataUrl(), credentials, config.instruments(), config.reconcileEvery(),
        config.orderFeed(), config.strategy(), config.risk(), config.day());
  }

  /**
   * What the live accounts of one process share.
   *
   * @param streamSettings staleness, back-off and heartbeat of the market-data connections
   * @param callTimeout    how long one broker call may take
   * @param seed           seed of the reconnect jitter (each account's is derived from it)
   * @param clock          the engine's clock: the trading day's tasks, the entities' event times, the risk day (the machine's; a
   *                       test may move it). The broker adapter's TOTP and HTTP timeouts keep the machine's clock.
   */
  public record Shared(Path dataDir, String httpHost, int httpPort, MarketDataConnection.StreamSettings streamSettings, Duration callTimeout,
      long seed, Clock clock) {

    /** Shared settings on the machine's clock. */
    public Shared(Path dataDir, String httpHost, int httpPort, MarketDataConnection.StreamSettings streamSettings, Duration callTimeout,
        long seed) {
      this(dataDir, httpHost, httpPort, streamSettings, callTimeout, seed, Clock.systemUTC());
    }
  }

  /** One live account of this node: its broker adapter (the one that calls the broker while the account's service runs here). */
  private record Wired(AccountId account, String brokerUrl, NeoBroker broker) {}

  private final ActorSystem<SpawnProtocol.Command> system;
  private final DataDirLock lock;
  private final java.util.List<Wired> accounts;
  private final EngineQueries queries;
  private final HttpServer http;
  private final Path apiTokenFile;

  private LiveEngine(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, java.util.List<Wired> accounts, EngineQueries queries,
      HttpServer http, Path apiTokenFile) {
    this.system = system;
    this.lock = lock;
    this.accounts = java.util.List.copyOf(accounts);
    this.queries = queries;
    this.http = http;
    this.apiTokenFile = apiTokenFile;
  }

  /**
   * Starts the engine for one account ({@code ordo run --broker neo}): its id is the credentials' UCC, its
   * limits {@code ordo.accounts.<ucc>.risk} when set, its trading day {@code ordo.trading-day}; waits for the first login.
   *
   * @throws IllegalStateException when the first login fails (wrong credentials, broker down)
   * @throws StartFailure when the HTTP address cannot be listened on, the broker does not accept a
   *     connection within the call timeout, or the data directory or the journal cannot be used
   */
  public static LiveEngine start(Settings settings, Config config) throws Exception {
    AccountId account = AccountId.of(settings.credentials().ucc());
    String riskKey = "ordo.accounts." + com.typesafe.config.ConfigUtil.quoteString(account.value()) + ".risk";
    dev.ordo.engine.risk.RiskLimits limits = config.hasPath(riskKey)
        ? AccountsConfig.riskLimits(config.getConfig(riskKey), "ordo.accounts." + account.value() + ".risk")
        : dev.ordo.engine.risk.RiskLimits.NONE;
    Config day = config.getConfig("ordo.trading-day");
    AccountsConfig.TradingDay tradingDay = new AccountsConfig.TradingDay(java.time.LocalTime.parse(day.getString("pre-open-login")),
        java.time.LocalTime.parse(day.getString("market-open")), java.time.LocalTime.parse(day.getString("eod-cleanup")),
        day.getDuration("task-timeout"));
    return start(java.util.List.of(new Account(account, settings.brokerUrl(), settings.marketDataUrl(), settings.credentials(), settings.symbols(),
        settings.reconcileEvery(), settings.orderFeed(), Engine.strategyParameters(config.getConfig("ordo.strategy")), limits, tradingDay)),
        new Shared(settings.dataDir(), settings.httpHost(),
        settings.httpPort(), settings.streamSettings(), settings.callTimeout(), settings.seed()), config);
  }

  /**
   * Starts the engine for {@code accounts} (each on its own broker, session, gateway, streams, reconciler and trading day, one
   * journal and HTTP API for all) and waits for each account's first login.
   *
   * @throws IllegalStateException when a first login fails (wrong credentials, broker down), naming the account
   * @throws StartFailure when the HTTP address cannot be listened on, a broker does not accept a connection within the call
   *     timeout, or the data directory or the journal cannot be used
   */
  public static LiveEngine start(java.util.List<Account> accounts, Shared shared, Config config) throws Exception {
    if (accounts.isEmpty()) throw new IllegalArgumentException("no live account to start");
    StartChecks.listenAddress(shared.httpHost(), shared.httpPort(), "--http-host", "--http-port");
    for (Account account : accounts)
      StartChecks.reachable(account.brokerUrl(), accounts.size() == 1 ? "--broker-url" : "ordo.accounts." + account.id() + ".url",
          shared.callTimeout());
    DataDirLock lock = Engine.lockDataDir(config, shared.dataDir());
    HttpAccess api = HttpAccess.load(config, shared.dataDir(), System.getenv(), shared.httpHost(), "--http-host", lock);
    ActorSystem<SpawnProtocol.Command> system = Engine.startSystem(config, lock);
    try {
      return wire(system, lock, accounts, shared, api, system.settings().config());
    } catch (Exception | Error e) {
      Engine.stop(system, lock);
      throw e;
    }
  }

  private static LiveEngine wire(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, java.util.List<Account> accounts, Shared shared,
      HttpAccess api, Config config) throws Exception {
    Clock clock = shared.clock();
    // Each node has an adapter per account; only the node running the account's service (below) logs in and calls the broker.
    Map<AccountId, NeoBroker> brokers = new java.util.TreeMap<>();
    for (Account account : accounts)
      brokers.put(account.id(), new NeoBroker(system, new NeoBroker.Settings(account.brokerUrl(), shared.callTimeout(), Clock.systemUTC())));
    PrometheusMeterRegistry registry = EngineMetrics.newRegistry(system);
    EngineMetrics.bindDataDir(registry, system, shared.dataDir());
    // Each account's instruments and tick sizes come from its broker's scrip master, which the node running the account's service
    // loads at its first login: this node learns them from that service (awaitInstruments) and its traders wait for them.
    Map<AccountId, java.util.concurrent.CompletableFuture<Map<InstrumentId, Instrument>>> known = new java.util.TreeMap<>();
    Map<AccountId, EightyTwentyStrategy.Parameters> parameters = new java.util.TreeMap<>();
    for (Account account : accounts) {
      parameters.put(account.id(), account.strategy());
      known.put(account.id(), new java.util.concurrent.CompletableFuture<>());
    }
    SymbolTrader.init(system, new SymbolTrader.Dependencies((account, id) -> {
      java.util.concurrent.CompletableFuture<Map<InstrumentId, Instrument>> instruments = known.get(account);
      if (instruments == null)
        return java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException("no live account " + account + " in this engine"));
      return instruments.thenApply(byId -> {
        Instrument instrument = byId.get(id);
        if (instrument == null) throw new IllegalArgumentException(id + " is not traded by account " + account + " (its broker's scrip master, --symbols)");
        return (Strategy) new EightyTwentyStrategy(parameters.get(account).withTickSize(instrument.tickSize()));
      });
    }, account -> clock, account -> false));
    Position.init(system, clock);
    dev.ordo.engine.expert.Expert.init(system, any -> clock, clock);
    Map<AccountId, dev.ordo.engine.risk.AccountRisk.Settings> risks = new java.util.TreeMap<>();
    for (Account account : accounts) risks.put(account.id(), new dev.ordo.engine.risk.AccountRisk.Settings(account.risk(), clock, VenueZones.INDIA));
    dev.ordo.engine.risk.AccountRisk.init(system, id -> {
      dev.ordo.engine.risk.AccountRisk.Settings risk = risks.get(id);
      if (risk == null) throw new IllegalArgumentException("no account " + id + " in this engine");
      return risk;
    });
    OrderUpdateRouter router = new OrderUpdateRouter(system, config.getDuration("ordo.replay-phase-timeout"), true);
    TradingService.Settings serviceSettings = TradingService.Settings.fromConfig(config.getConfig("ordo.live-trading-service"))
        .withGatewayListener(new BrokerCallMetrics(registry));
    Duration drainTimeout = config.getDuration("ordo.live-trading-service.drain-timeout");

    // Each account's service runs once in the cluster (a singleton per account: one login, one rate limit, one market-data
    // connection), on whichever node; every node can host it and takes it over when the node running it goes.
    Map<AccountId, ActorRef<ServiceManager.Command>> managers = new java.util.TreeMap<>();
    long seed = shared.seed();
    for (Account account : accounts) {
      ServiceManager.ServiceSpec spec = serviceSpec(system, account, brokers.get(account.id()), router, registry, shared, seed++);
      managers.put(account.id(), org.apache.pekko.cluster.typed.ClusterSingleton.get(system).init(
          org.apache.pekko.cluster.typed.SingletonActor.of(ServiceManager.forAccount(spec, serviceSettings, drainTimeout, java.time.Clock.systemUTC()),
              "services-" + account.id()).withStopMessage(ServiceManager.HandOver.INSTANCE)));
    }
    java.util.List<Wired> wired = new java.util.ArrayList<>();
    Map<AccountId, java.util.List<Instrument>> instruments = new java.util.TreeMap<>();
    for (Account account : accounts) {
      java.util.List<Instrument> traded = awaitInstruments(system, managers.get(account.id()), account.id(), Duration.ofSeconds(90));
      Map<InstrumentId, Instrument> byId = new java.util.TreeMap<>();
      for (Instrument instrument : traded) byId.put(instrument.id(), instrument);
      known.get(account.id()).complete(java.util.Collections.unmodifiableMap(byId));
      instruments.put(account.id(), traded);
      log.info("Trading {} instrument(s) of account {} through {}", traded.size(), account.id(), account.brokerUrl());
      wired.add(new Wired(account.id(), account.brokerUrl(), brokers.get(account.id())));
    }
    EngineQueries queries = new EngineQueries(system, managers, instruments, config.getDuration("ordo.http.ask-timeout"));
    HttpServer http = HttpServer.start(system, shared.httpHost(), shared.httpPort(), queries, api.tokens(), api.tls(),
        new EngineMetrics(registry, queries)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Stopping: the market data of the services running on this node stops first (no bar reaches a trader while the cluster's
    // entities are handed off); a service running on another node goes on.
    for (Wired account : wired)
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "disconnect-market-data-" + account.account(), () ->
          queries.runningParts(account.account()).thenApply(running -> {
            running.filter(p -> p.marketData().path().address().hasLocalScope()).ifPresent(p -> {
              p.marketData().tell(MarketDataConnection.Disconnect.INSTANCE);
              if (p.orderFeed() != null) p.orderFeed().tell(MarketDataConnection.Disconnect.INSTANCE);
            });
            return Done.getInstance();
          }).exceptionally(failure -> Done.getInstance()));
    // Close the brokers' HTTP connection pools before the system goes (else they report an unexpected shutdown).
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-broker-connections", () ->
        org.apache.pekko.http.javadsl.Http.get(system).shutdownAllConnectionPools().thenApply(x -> Done.getInstance()));
    return new LiveEngine(system, lock, wired, queries, http, api.generatedToken());
  }

  /**
   * The instruments {@code account} trades, asked of its service's manager wherever it runs until its first login has loaded them.
   *
   * @throws IllegalStateException when the service failed to start (its first login refused: wrong credentials, broker down), or
   *     did not know them within {@code timeout}
   */
  private static java.util.List<Instrument> awaitInstruments(ActorSystem<?> system, ActorRef<ServiceManager.Command> manager, AccountId account,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer from its service";
    while (System.nanoTime() < deadline) {
      try {
        ServiceManager.Instruments answer = AskPattern.<ServiceManager.Command, ServiceManager.Instruments>ask(manager,
            replyTo -> new ServiceManager.GetInstruments(account, replyTo), Duration.ofSeconds(5), system.scheduler())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (answer.instruments() != null) return answer.instruments();
        if (answer.state() != null && answer.state().state() == ServiceManager.ServiceState.FAILED)
          throw new IllegalStateException("the service of account " + account + " could not start: " + answer.state().reason());
        last = answer.state() == null ? "its service has not started" : "its service is " + answer.state().state();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        last = "no answer from its service (" + e.getCause() + ")";
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("account " + account + ": its instruments were not known within " + timeout + ": " + last);
  }

  /**
   * How to run one live account's trading service (session, gateway, streams, reconciler, trading day): its lifecycle logs in for
   * the first time (which loads the broker's scrip master), then subscribes the account's instruments and connects the streams,
   * each time the service starts (on whichever node).
   */
  private static ServiceManager.ServiceSpec serviceSpec(ActorSystem<SpawnProtocol.Command> system, Account account, NeoBroker broker,
      OrderUpdateRouter router, PrometheusMeterRegistry registry, Shared shared, long seed) {
    Clock clock = shared.clock();
    // the account's instruments, set by the lifecycle once the scrip master is known and read by the service's parts at each use
    Set<InstrumentId> traded = new java.util.concurrent.ConcurrentSkipListSet<>();
    String marketDataUrl = account.marketDataUrl() != null ? account.marketDataUrl()
        : account.brokerUrl().replaceFirst("^http", "ws") + "/realtime";
    String orderFeedUrl = marketDataUrl.replaceFirst("/realtime$", "/orderfeed");
    TradingService.Live live = new TradingService.Live(new NeoMarketDataStream(system, marketDataUrl, broker::scripMaster),
        shared.streamSettings(), Duration.ofMinutes(5), VenueZones::zoneOf, router, () -> traded,
        new Reconciler.Settings(account.reconcileEvery(), shared.callTimeout().multipliedBy(3)), clock, seed,
        account.orderFeed() ? new NeoOrderFeed(system, orderFeedUrl) : null);
    AccountsConfig.TradingDay day = account.day();
    AccountId id = account.id();
    // Kotak Neo's cash segment: NSE's calendar and zone
    TradingService.Day tradingDay = new TradingService.Day(VenueZones.INDIA,
        dev.ordo.engine.calendar.TradingCalendar.standard().tradingDays(java.util.List.of("NSE")), clock, true, () -> traded, router,
        day.preOpenLogin(), day.marketOpen(), day.eodCleanup(), day.taskTimeout(), () -> EngineQueries.expertIdsOf(system, id, day.taskTimeout()));
    ServiceManager.Lifecycle lifecycle = new ServiceManager.Lifecycle() {
      @Override
      public CompletionStage<Done> started(TradingService.Parts parts) {
        // The first login (single-flight, like every later one) loads the scrip master.
        return AskPattern.<AuthSession.Command, AuthSession.TokenReply>ask(parts.authSession(), AuthSession.GetToken::new, Duration.ofSeconds(60),
            system.scheduler()).thenApply(first -> {
              if (first instanceof AuthSession.Unavailable unavailable)
                throw new IllegalStateException("first login of account " + id + " failed: " + unavailable.reason());
              Set<InstrumentId> ids = new TreeSet<>();
              for (Instrument instrument : broker.scripMaster().instruments())
                if (account.symbols().isEmpty() || account.symbols().contains(instrument.id().toString())) ids.add(instrument.id());
              Set<String> unknown = new TreeSet<>(account.symbols());
              ids.forEach(i -> unknown.remove(i.toString()));
              if (!unknown.isEmpty()) throw new IllegalArgumentException("account " + id + ": not in the broker's scrip master: " + unknown);
              traded.addAll(ids);
              parts.marketData().tell(new MarketDataConnection.Subscribe(Set.copyOf(traded)));
              parts.marketData().tell(MarketDataConnection.Connect.INSTANCE);
              if (parts.orderFeed() != null) parts.orderFeed().tell(MarketDataConnection.Connect.INSTANCE);
              return Done.getInstance();
            });
      }

      @Override
      public CompletionStage<Done> stopping() {
        return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public java.util.List<Instrument> instruments() {
        ScripMaster master = broker.scripMaster();
        if (master == null || traded.isEmpty()) return null;
        return master.instruments().stream().filter(i -> traded.contains(i.id())).toList();
      }
    };
    return new ServiceManager.ServiceSpec(id, new MeteredBroker(broker, registry, id), account.credentials().toCredentials(), live, tradingDay,
        lifecycle, dev.ordo.engine.risk.AccountRisk.of(system, id));
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** The first account (the only one with {@code --broker neo}). */
  public AccountId account() {
    return accounts.get(0).account();
  }

  /** Every live account of the process, in the order they started. */
  public java.util.List<AccountId> accounts() {
    return accounts.stream().map(Wired::account).toList();
  }

  /** The API's base URL ({@code http://127.0.0.1:8080}, or {@code https://...} with TLS). */
  public String apiUrl() {
    return http.url();
  }

  /** The file of the API token generated for this data directory, or null when tokens are configured. */
  public Path apiTokenFile() {
    return apiTokenFile;
  }

  public EngineQueries queries() {
    return queries;
  }

  /**
   * The first account's running service parts (wherever in the cluster it runs).
   *
   * @throws IllegalStateException when its service is not running
   */
  public TradingService.Parts parts() {
    try {
      return queries.runningParts(account()).toCompletableFuture().get(30, TimeUnit.SECONDS)
          .orElseThrow(() -> new IllegalStateException("the service of account " + account() + " is not running"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the service of account " + account() + " did not answer", e);
    }
  }

  /** The login URL of the broker of {@code account}. */
  public String brokerUrl(AccountId account) {
    return accounts.stream().filter(w -> w.account().equals(account)).findFirst().map(Wired::brokerUrl)
        .orElseThrow(() -> new IllegalArgumentException("no live account " + account));
  }

  /** The first account's broker. */
  public NeoBroker broker() {
    return accounts.get(0).broker();
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Runs one reconciliation of the first account now and answers its report. */
  public CompletionStage<Reconciler.Report> reconcile(String reason) {
    return AskPattern.ask(parts().reconciler(), replyTo -> new Reconciler.Reconcile(reason, replyTo), Duration.ofSeconds(120), system.scheduler());
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** Disconnects, unbinds HTTP, terminates the actor system and releases the data directory. */
  @Override
  public void close() throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    lock.close();
  }
}
