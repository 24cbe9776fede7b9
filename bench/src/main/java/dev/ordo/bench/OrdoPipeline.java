package dev.ordo.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.paper.PaperBroker;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.marketdata.BarBuilder;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.risk.RiskLimits;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.trading.OrderUpdateRouter;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.venue.VenueRules;
import dev.ordo.persistence.JournalSchema;
import dev.ordo.persistence.JournalSettings;
import dev.ordo.persistence.JournalWrites;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Ordo's live path, as the engine wires it for one account: ticks to the account's {@link BarBuilder}, which drives
 * the sharded, journaled {@link SymbolTrader}s (the 80-20 strategy, tick size per instrument); their orders go through
 * the account's {@link BrokerGateway} (token from its {@link AuthSession}, each placement checked by its
 * {@link AccountRisk}) to the {@link PaperBroker}, whose fills the {@link OrderUpdateRouter} delivers to the risk
 * actor, the trader and the {@link Position}; everything journaled to H2 in a fresh data directory. The bench plays
 * the exchange: it moves the account's clock to each window's open, and has the paper venue match the window's bars.
 */
final class OrdoPipeline implements Pipeline {

  static final AccountId ACCOUNT = AccountId.of("paper");
  static final ZoneId IST = ZoneId.of("Asia/Kolkata");
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** Traders started at once before the run (outside the timings). */
  static final int STARTING_BATCH = 100;
  /** How long a window may take before the run is given up as stalled. */
  static final Duration STALL = Duration.ofSeconds(60);

  /** The pipeline stopped making progress (the log says why: e.g. journal writes refused). */
  static final class Stalled extends IllegalStateException {
    Stalled(String message) {
      super(message);
    }
  }

  private final PipelineInput input;
  private final Latency latency;
  private final ActorSystem<SpawnProtocol.Command> system;
  private final ReplayClock clock;
  private final PaperBroker broker;
  private final ActorRef<BrokerGateway.Command> gateway;
  private final ActorRef<BarBuilder.Command> bars;
  private final ClusterSharding sharding;
  private final AtomicLong journaled = new AtomicLong();
  private final AtomicLong placed = new AtomicLong();
  /** Each instrument's last bar fed (closed by the next window it trades in). */
  private final Map<InstrumentId, Bar> lastFed = new HashMap<>();

  OrdoPipeline(PipelineInput input, Path dataDir, Latency latency) throws Exception {
    this.input = input;
    this.latency = latency;
    Config config = JournalSettings.withJournal(ConfigFactory.load(), dataDir);
    system = ActorSystem.create(SpawnProtocol.create(), "bench-pipeline", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    JournalSchema.createIfMissing(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    JournalWrites.get(system).listen((events, took, committed) -> journaled.addAndGet(events));
    sharding = ClusterSharding.get(system);
    clock = new ReplayClock(input.windows().get(0).open());

    Map<InstrumentId, Instrument> instruments = new HashMap<>();
    Map<InstrumentId, Strategy> strategies = new HashMap<>();
    EightyTwentyStrategy.Parameters parameters = dev.ordo.app.Engine.strategyParameters(config.getConfig("ordo.strategy"));
    for (Instrument instrument : input.instruments()) {
      instruments.put(instrument.id(), instrument);
      strategies.put(instrument.id(), new EightyTwentyStrategy(parameters.withTickSize(instrument.tickSize())));
    }
    SymbolTrader.init(system, SymbolTrader.Dependencies.of((account, id) -> strategies.get(id), account -> clock, account -> true));
    Position.init(system, clock);
    AccountRisk.init(system, account -> new AccountRisk.Settings(RiskLimits.NONE, clock, IST));
    broker = PaperBroker.start(system, ACCOUNT, instruments, paperCash(config), venueRules(config), clock, TIMEOUT).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    broker.subscribeOrderUpdates(new OrderUpdateRouter(system, TIMEOUT, true));
    TradingService.Settings service = TradingService.Settings.fromConfig(config.getConfig("ordo.trading-service"));
    Broker timed = new TimedBroker(broker, () -> {
      placed.incrementAndGet();
      latency.orderPlaced();
    });
    ActorRef<AuthSession.Command> auth = spawn(AuthSession.create(ACCOUNT, timed, Credentials.none(), service.auth()), "auth");
    gateway = spawn(BrokerGateway.create(ACCOUNT, timed, auth, service.gateway(), AccountRisk.of(system, ACCOUNT)), "gateway");
    bars = spawn(BarBuilder.create(ACCOUNT, input.windows().get(0).bars().get(0).interval(), id -> IST),
        "bar-builder");
    // every trader started (recovered, empty) before the clock runs, STARTING_BATCH at a time: 2,000 recoveries at once
    // time out against the H2 journal on 2 cores, and the journal's circuit breaker then fails every recovery for a while
    List<Instrument> all = input.instruments();
    for (int from = 0; from < all.size(); from += STARTING_BATCH) {
      List<CompletableFuture<?>> started = new ArrayList<>();
      for (Instrument instrument : all.subList(from, Math.min(all.size(), from + STARTING_BATCH)))
        started.add(progress(instrument.id()).toCompletableFuture());
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }
  }

  /** The paper account's starting cash, {@code ordo.paper-cash} (as the engine reads it; its reader is package-private). */
  static Map<String, BigDecimal> paperCash(Config config) {
    Map<String, BigDecimal> cash = new java.util.TreeMap<>();
    config.getConfig("ordo.paper-cash").entrySet().forEach(e -> cash.put(e.getKey(), new BigDecimal(e.getValue().unwrapped().toString())));
    return cash;
  }

  /** The paper venue's limits, {@code ordo.venue} (as the engine reads them; its reader is package-private). */
  static VenueRules venueRules(Config config) {
    Config venue = config.getConfig("ordo.venue");
    return new VenueRules(dev.ordo.engine.model.Quantity.of(venue.getString("freeze-quantity")), new BigDecimal(venue.getString("market-protection")));
  }

  private <T> ActorRef<T> spawn(org.apache.pekko.actor.typed.Behavior<T> behavior, String name) throws Exception {
    return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system, replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
        Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private CompletionStage<SymbolTrader.Progress> progress(InstrumentId id) {
    return sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(ACCOUNT, id))
        .ask(SymbolTrader.GetProgress::new, TIMEOUT);
  }

  @Override
  public void feed(PipelineInput.Window window) {
    clock.advanceTo(window.open());
    for (TradeTick tick : window.ticks()) bars.tell(new BarBuilder.OnTick(tick));
  }

  @Override
  public void awaitProcessed(PipelineInput.Window window) throws Exception {
    List<Bar> closed = new ArrayList<>();
    for (Bar bar : window.bars()) {
      Bar before = lastFed.put(bar.instrumentId(), bar);
      if (before != null) closed.add(before);
    }
    long deadline = System.nanoTime() + STALL.toNanos();
    while (!closed.isEmpty()) {
      if (System.nanoTime() > deadline)
        throw new Stalled(closed.size() + " of " + window.bars().size() + " traders had not applied their bar before " + window.open() + " after "
            + STALL.toSeconds() + " s");
      List<CompletableFuture<SymbolTrader.Progress>> asks = new ArrayList<>();
      for (Bar bar : closed) asks.add(progress(bar.instrumentId()).toCompletableFuture());
      List<Bar> waiting = new ArrayList<>();
      for (int i = 0; i < closed.size(); i++) {
        OffsetDateTime applied = asks.get(i).get(120, TimeUnit.SECONDS).lastBarApplied();
        if (applied == null || applied.isBefore(closed.get(i).tsOpen())) waiting.add(closed.get(i));
      }
      closed = waiting;
      if (!closed.isEmpty()) Thread.sleep(1);
    }
    awaitGatewayIdle();
  }

  private void awaitGatewayIdle() throws Exception {
    while (true) {
      BrokerGateway.Status status = AskPattern.<BrokerGateway.Command, BrokerGateway.Status>ask(gateway, BrokerGateway.GetStatus::new, TIMEOUT,
          system.scheduler()).toCompletableFuture().get(120, TimeUnit.SECONDS);
      if (status.idle()) return;
      Thread.sleep(1);
    }
  }

  @Override
  public void exchange(PipelineInput.Window window) throws Exception {
    broker.matchBars(window.bars()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    List<CompletableFuture<?>> closing = new ArrayList<>();
    for (Bar last : window.sessionEnds()) closing.add(broker.closeSession(last).toCompletableFuture());
    CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    awaitGatewayIdle();
  }

  @Override
  public long journaled() {
    return journaled.get();
  }

  @Override
  public long ordersPlaced() {
    return placed.get();
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The paper broker, telling {@code onPlace} of each placement as the gateway calls it. */
  private record TimedBroker(PaperBroker broker, Runnable onPlace) implements Broker {
    @Override
    public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
      return broker.login(credentials);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
      onPlace.run();
      return broker.placeOrder(token, request);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
      return broker.modifyOrder(token, order, trigger, limit);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
      return broker.cancelOrder(token, order);
    }

    @Override
    public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
      return broker.orderBook(token);
    }

    @Override
    public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
      return broker.trades(token);
    }

    @Override
    public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
      return broker.positions(token);
    }

    @Override
    public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
      return broker.limits(token);
    }

    @Override
    public void subscribeOrderUpdates(OrderUpdateListener listener) {
      broker.subscribeOrderUpdates(listener);
    }
  }
}
