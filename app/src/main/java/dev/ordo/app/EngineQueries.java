package dev.ordo.app;

import dev.ordo.app.api.PositionView;
import dev.ordo.app.api.StatusView;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Read-only questions to the running engine, answered by asking its actors (never by reading
 * their state from outside). Used by the HTTP API and the report. Domain answers ({@link RoundTrip},
 * {@link OrderRecord}, entity states) for the engine's own checks; the API's shapes
 * ({@code dev.ordo.app.api}) where a caller shows them.
 */
public final class EngineQueries {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<ServiceManager.Command> services;
  private final Map<InstrumentId, Instrument> instruments;
  private final Duration timeout;
  private volatile ActorRef<ReplayDriver.Command> replay;
  private volatile TradingService.Parts paperService;

  EngineQueries(ActorSystem<?> system, ActorRef<ServiceManager.Command> services, Collection<Instrument> instruments, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.services = services;
    this.instruments = new TreeMap<>();
    for (Instrument instrument : instruments) this.instruments.put(instrument.id(), instrument);
    this.timeout = timeout;
  }

  void attachReplay(ActorRef<ReplayDriver.Command> driver, TradingService.Parts parts) {
    this.replay = driver;
    this.paperService = parts;
  }

  /** Accounts with a running trading service. */
  public CompletionStage<Set<AccountId>> accounts() {
    return AskPattern.<ServiceManager.Command, Map<AccountId, ActorRef<TradingService.Command>>>ask(services, ServiceManager.GetServices::new,
        timeout, system.scheduler()).thenApply(map -> new TreeSet<>(map.keySet()));
  }

  /** The instrument named {@code text}: {@code SYMBOL.VENUE}, or a full trading symbol traded on one venue only. */
  public Optional<InstrumentId> instrument(String text) {
    for (InstrumentId id : instruments.keySet()) if (id.toString().equals(text)) return Optional.of(id);
    List<InstrumentId> bySymbol = instruments.keySet().stream().filter(id -> id.symbol().equals(text)).toList();
    return bySymbol.size() == 1 ? Optional.of(bySymbol.get(0)) : Optional.empty();
  }

  /** The traded instruments, sorted. */
  public Set<InstrumentId> instruments() {
    return instruments.keySet();
  }

  /** The currency {@code instrument} is quoted in ({@code INR}, {@code USDT}). */
  public String currencyOf(InstrumentId instrument) {
    Instrument known = instruments.get(instrument);
    if (known == null) throw new IllegalArgumentException(instrument + " is not traded here");
    return known.currency();
  }

  /** State of the symbol trader of {@code account} and {@code instrument}. */
  public CompletionStage<SymbolTrader.State> symbol(AccountId account, InstrumentId instrument) {
    return sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument))
        .ask(SymbolTrader.GetState::new, timeout);
  }

  /** How far each instrument's trader has applied the market data. */
  public CompletionStage<Map<InstrumentId, SymbolTrader.Progress>> progress(AccountId account) {
    return forEachInstrument(id -> sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, id))
        .ask(SymbolTrader.GetProgress::new, timeout));
  }

  /** Positions that have had at least one fill, by instrument. */
  public CompletionStage<List<PositionView>> positions(AccountId account) {
    return forEachInstrument(id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0)
            .map(p -> PositionView.of(p.account(), p.instrument(), currencyOf(p.instrument()), p.position(), p.fills())).toList());
  }

  /** The position entities' own states (with the trade ids they applied), for instruments with fills. */
  public CompletionStage<List<Position.State>> positionStates(AccountId account) {
    return forEachInstrument(id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0).toList());
  }

  /** Working orders and the most recent closed ones of every trader, oldest first. */
  public CompletionStage<List<OrderRecord>> orders(AccountId account) {
    return symbolStates(account).thenApply(states -> states.values().stream().flatMap(s -> s.orders().stream())
        .sorted(Comparator.comparing(OrderRecord::submittedAt).thenComparing(o -> o.clientOrderId().value())).toList());
  }

  /** Closed round trips of every trader, by entry time then instrument. */
  public CompletionStage<List<RoundTrip>> trades(AccountId account) {
    return symbolStates(account).thenApply(states -> states.values().stream().flatMap(s -> s.roundTrips().stream())
        .sorted(Comparator.comparing((RoundTrip t) -> t.entryTime().toInstant()).thenComparing(RoundTrip::instrument)).toList());
  }

  /** Every symbol trader's state of {@code account}, by instrument. */
  public CompletionStage<Map<InstrumentId, SymbolTrader.State>> symbolStates(AccountId account) {
    return forEachInstrument(id -> symbol(account, id));
  }

  /** The engine's status. */
  public CompletionStage<StatusView> status() {
    ActorRef<ReplayDriver.Command> driver = replay;
    TradingService.Parts parts = paperService;
    CompletableFuture<ReplayDriver.Progress> progress = driver == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<ReplayDriver.Command, ReplayDriver.Progress>ask(driver, ReplayDriver.GetProgress::new, timeout, system.scheduler())
            .toCompletableFuture();
    ZoneId zone = VenueZones.commonZone(instruments.keySet());
    CompletableFuture<StatusView.Feed> marketData = parts == null ? CompletableFuture.completedFuture(null)
        : parts.barDelivery() != null ? deliveryStatus(parts.barDelivery(), zone) : streamStatus(parts.marketData());
    CompletableFuture<AuthSession.Status> auth = parts == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<AuthSession.Command, AuthSession.Status>ask(parts.authSession(), AuthSession.GetStatus::new, timeout, system.scheduler())
            .toCompletableFuture();
    CompletableFuture<StatusView.Feed> orderFeed = parts == null || parts.orderFeed() == null ? CompletableFuture.completedFuture(null)
        : streamStatus(parts.orderFeed());
    CompletableFuture<BrokerGateway.Status> gateway = parts == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<BrokerGateway.Command, BrokerGateway.Status>ask(parts.gateway(), BrokerGateway.GetStatus::new, timeout, system.scheduler())
            .toCompletableFuture();
    CompletableFuture<Reconciler.State> reconciler = parts == null || parts.reconciler() == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<Reconciler.Command, Reconciler.State>ask(parts.reconciler(), Reconciler.GetState::new, timeout, system.scheduler())
            .toCompletableFuture();
    CompletableFuture<Set<AccountId>> accounts = accounts().toCompletableFuture();
    return CompletableFuture.allOf(progress, marketData, orderFeed, auth, gateway, reconciler, accounts).thenApply(ignored -> new StatusView(
        StatusView.State.RUNNING, new ArrayList<>(accounts.join()), List.copyOf(instruments.keySet()), StatusView.Replay.of(progress.join(), zone),
        marketData.join(), orderFeed.join(), StatusView.Auth.of(auth.join(), zone), StatusView.Gateway.of(gateway.join()),
        reconciler.join() == null ? null : new StatusView.Reconciliation(parts.account(), reconciler.join().discrepancies())));
  }

  private CompletableFuture<StatusView.Feed> streamStatus(ActorRef<MarketDataConnection.Command> connection) {
    return AskPattern.<MarketDataConnection.Command, MarketDataConnection.Status>ask(connection, MarketDataConnection.GetStatus::new, timeout,
        system.scheduler()).thenApply(StatusView.Feed::of).toCompletableFuture();
  }

  private CompletableFuture<StatusView.Feed> deliveryStatus(ActorRef<BarDelivery.Command> delivery, ZoneId zone) {
    return AskPattern.<BarDelivery.Command, BarDelivery.Status>ask(delivery, BarDelivery.GetStatus::new, timeout, system.scheduler())
        .thenApply(status -> StatusView.Feed.of(status, zone)).toCompletableFuture();
  }

  private <T> CompletionStage<Map<InstrumentId, T>> forEachInstrument(Function<InstrumentId, CompletionStage<T>> ask) {
    Map<InstrumentId, CompletableFuture<T>> asks = new LinkedHashMap<>();
    for (InstrumentId id : instruments.keySet()) asks.put(id, ask.apply(id).toCompletableFuture());
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<InstrumentId, T> result = new LinkedHashMap<>();
      asks.forEach((id, f) -> result.put(id, f.join()));
      return result;
    });
  }
}
