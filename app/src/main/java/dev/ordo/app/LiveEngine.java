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

  private final ActorSystem<SpawnProtocol.Command> system;
  private final DataDirLock lock;
  private final AccountId account;
  private final EngineQueries queries;
  private final HttpServer http;
  private final Path apiTokenFile;
  private final TradingService.Parts parts;
  private final NeoBroker broker;

  private LiveEngine(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, AccountId account, EngineQueries queries, HttpServer http,
      Path apiTokenFile, TradingService.Parts parts, NeoBroker broker) {
    this.system = system;
    this.lock = lock;
    this.account = account;
    this.queries = queries;
    this.http = http;
    this.apiTokenFile = apiTokenFile;
    this.parts = parts;
    this.broker = broker;
  }

  /**
   * Starts the engine and waits for the first login.
   *
   * @throws IllegalStateException when the first login fails (wrong credentials, broker down)
   * @throws StartFailure when the HTTP address cannot be listened on, the broker does not accept a
   *     connection within the call timeout, or the data directory or the journal cannot be used
   */
  public static LiveEngine start(Settings settings, Config config) throws Exception {
    StartChecks.listenAddress(settings.httpHost(), settings.httpPort(), "--http-host", "--http-port");
    StartChecks.reachable(settings.brokerUrl(), "--broker-url", settings.callTimeout());
    DataDirLock lock = Engine.lockDataDir(config, settings.dataDir());
    HttpAccess api = HttpAccess.load(config, settings.dataDir(), System.getenv(), settings.httpHost(), "--http-host", lock);
    ActorSystem<SpawnProtocol.Command> system = Engine.startSystem(config, lock);
    try {
      return wire(system, lock, settings, api, system.settings().config());
    } catch (Exception | Error e) {
      Engine.stop(system, lock);
      throw e;
    }
  }

  private static LiveEngine wire(ActorSystem<SpawnProtocol.Command> system, DataDirLock lock, Settings settings, HttpAccess api,
      Config config)
      throws Exception {
    AccountId account = AccountId.of(settings.credentials().ucc());
    Clock clock = Clock.systemUTC();
    NeoBroker broker = new NeoBroker(system, new NeoBroker.Settings(settings.brokerUrl(), settings.callTimeout(), clock));
    PrometheusMeterRegistry registry = EngineMetrics.newRegistry(system);
    String marketDataUrl = settings.marketDataUrl() != null ? settings.marketDataUrl()
        : settings.brokerUrl().replaceFirst("^http", "ws") + "/realtime";
    String orderFeedUrl = marketDataUrl.replaceFirst("/realtime$", "/orderfeed");
    EightyTwentyStrategy.Parameters parameters = Engine.strategyParameters(config.getConfig("ordo.strategy"));
    Function<InstrumentId, Strategy> strategies = id -> {
      ScripMaster master = broker.scripMaster();
      Instrument instrument = master == null ? null : master.byId(id).orElse(null);
      if (instrument == null) throw new IllegalArgumentException(id + " is not in the broker's scrip master");
      return new EightyTwentyStrategy(parameters.withTickSize(instrument.tickSize()));
    };
    SymbolTrader.init(system, new SymbolTrader.Dependencies(strategies, clock));
    Position.init(system, clock);
    dev.ordo.engine.expert.Expert.init(system, any -> clock, clock);
    // The live account's limits: ordo.accounts.<ucc>.risk when set (the other keys of ordo.accounts are the replay's)
    String riskKey = "ordo.accounts." + com.typesafe.config.ConfigUtil.quoteString(account.value()) + ".risk";
    dev.ordo.engine.risk.RiskLimits limits = config.hasPath(riskKey)
        ? AccountsConfig.riskLimits(config.getConfig(riskKey), "ordo.accounts." + account.value() + ".risk")
        : dev.ordo.engine.risk.RiskLimits.NONE;
    dev.ordo.engine.risk.AccountRisk.Settings risk = new dev.ordo.engine.risk.AccountRisk.Settings(limits, clock, VenueZones.INDIA);
    dev.ordo.engine.risk.AccountRisk.init(system, id -> risk);

    Set<InstrumentId> traded = new java.util.concurrent.ConcurrentSkipListSet<>();
    OrderUpdateRouter router = new OrderUpdateRouter(system, config.getDuration("ordo.replay-phase-timeout"), true);
    TradingService.Live live = new TradingService.Live(new NeoMarketDataStream(system, marketDataUrl, broker::scripMaster),
        settings.streamSettings(), Duration.ofMinutes(5), VenueZones::zoneOf, router, () -> traded,
        new Reconciler.Settings(settings.reconcileEvery(), settings.callTimeout().multipliedBy(3)), clock, settings.seed(),
        settings.orderFeed() ? new NeoOrderFeed(system, orderFeedUrl) : null);
    TradingService.Settings serviceSettings = TradingService.Settings.fromConfig(config.getConfig("ordo.live-trading-service"))
        .withGatewayListener(new BrokerCallMetrics(registry));
    ActorRef<ServiceManager.Command> services = Engine.spawn(system, ServiceManager.create(serviceSettings,
        config.getDuration("ordo.live-trading-service.drain-timeout"), java.time.Clock.systemUTC()), "service-manager");
    Duration ask = Duration.ofSeconds(30);
    Config day = config.getConfig("ordo.trading-day");
    // Kotak Neo's cash segment: NSE's calendar and zone
    TradingService.Day tradingDay = new TradingService.Day(VenueZones.INDIA,
        dev.ordo.engine.calendar.TradingCalendar.standard().tradingDays(java.util.List.of("NSE")), clock, true, () -> traded, router,
        java.time.LocalTime.parse(day.getString("pre-open-login")), java.time.LocalTime.parse(day.getString("market-open")),
        java.time.LocalTime.parse(day.getString("eod-cleanup")), day.getDuration("task-timeout"),
        () -> EngineQueries.expertIdsOf(system, account, day.getDuration("task-timeout")));
    // A service started again (POST /accounts/{account}/service/start) subscribes and connects its new streams.
    ServiceManager.Lifecycle streams = new ServiceManager.Lifecycle() {
      @Override
      public java.util.concurrent.CompletionStage<Done> started(TradingService.Parts restarted) {
        restarted.marketData().tell(new MarketDataConnection.Subscribe(Set.copyOf(traded)));
        restarted.marketData().tell(MarketDataConnection.Connect.INSTANCE);
        if (restarted.orderFeed() != null) restarted.orderFeed().tell(MarketDataConnection.Connect.INSTANCE);
        return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public java.util.concurrent.CompletionStage<Done> stopping() {
        return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
      }
    };
    ServiceManager.ServiceSpec spec = new ServiceManager.ServiceSpec(account, new MeteredBroker(broker, registry, account),
        settings.credentials().toCredentials(), live, tradingDay, streams, dev.ordo.engine.risk.AccountRisk.of(system, account));
    ActorRef<TradingService.Command> service = AskPattern.<ServiceManager.Command, ActorRef<TradingService.Command>>ask(services,
        replyTo -> new ServiceManager.StartService(spec, "engine", replyTo), ask,
        system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    TradingService.Parts parts = AskPattern.<TradingService.Command, TradingService.Parts>ask(service, TradingService.GetParts::new, ask,
        system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);

    // The first login (single-flight, like every later one) loads the scrip master.
    AuthSession.TokenReply first = AskPattern.<AuthSession.Command, AuthSession.TokenReply>ask(parts.authSession(), AuthSession.GetToken::new,
        Duration.ofSeconds(60), system.scheduler()).toCompletableFuture().get(70, TimeUnit.SECONDS);
    if (first instanceof AuthSession.Unavailable unavailable) throw new IllegalStateException("first login failed: " + unavailable.reason());
    ScripMaster master = broker.scripMaster();
    for (Instrument instrument : master.instruments())
      if (settings.symbols().isEmpty() || settings.symbols().contains(instrument.id().toString())) traded.add(instrument.id());
    Set<String> unknown = new TreeSet<>(settings.symbols());
    traded.forEach(id -> unknown.remove(id.toString()));
    if (!unknown.isEmpty()) throw new IllegalArgumentException("not in the broker's scrip master: " + unknown);
    log.info("Trading {} instrument(s) of account {} through {}", traded.size(), account, broker);

    parts.marketData().tell(new MarketDataConnection.Subscribe(Set.copyOf(traded)));
    parts.marketData().tell(MarketDataConnection.Connect.INSTANCE);
    if (parts.orderFeed() != null) parts.orderFeed().tell(MarketDataConnection.Connect.INSTANCE);
    EngineQueries queries = new EngineQueries(system, services,
        Map.of(account, master.instruments().stream().filter(i -> traded.contains(i.id())).toList()),
        config.getDuration("ordo.http.ask-timeout"));
    HttpServer http = HttpServer.start(system, settings.httpHost(), settings.httpPort(), queries, api.tokens(), api.tls(),
        new EngineMetrics(registry, queries)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "disconnect-market-data", () ->
        queries.runningParts(account).thenApply(running -> {
          running.ifPresent(p -> {
            p.marketData().tell(MarketDataConnection.Disconnect.INSTANCE);
            if (p.orderFeed() != null) p.orderFeed().tell(MarketDataConnection.Disconnect.INSTANCE);
          });
          return Done.getInstance();
        }).exceptionally(failure -> Done.getInstance()));
    // Close the broker's HTTP connection pools before the system goes (else they report an unexpected shutdown).
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-broker-connections", () ->
        org.apache.pekko.http.javadsl.Http.get(system).shutdownAllConnectionPools().thenApply(x -> Done.getInstance()));
    return new LiveEngine(system, lock, account, queries, http, api.generatedToken(), parts, broker);
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  public AccountId account() {
    return account;
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

  public TradingService.Parts parts() {
    return parts;
  }

  public NeoBroker broker() {
    return broker;
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Runs one reconciliation now and answers its report. */
  public CompletionStage<Reconciler.Report> reconcile(String reason) {
    return AskPattern.ask(parts.reconciler(), replyTo -> new Reconciler.Reconcile(reason, replyTo), Duration.ofSeconds(120), system.scheduler());
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
