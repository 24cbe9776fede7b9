package dev.ordo.app;

import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.PositionSide;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import dev.ordo.engine.model.RoundTrip;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * their state from outside). Used by the HTTP API and the report.
 */
public final class EngineQueries {

  /** State of the engine: it answers only while it runs. */
  public enum State {
    RUNNING
  }

  /**
   * The engine's status.
   *
   * @param accounts    accounts with a running trading service
   * @param instruments instruments traded
   * @param replay      the replay's progress (null in live mode)
   * @param marketData  the replay's bar delivery, or live the market-data stream's connection
   * @param orderFeed   the order-update connection (null for the paper replay)
   */
  public record Status(
      State state,
      List<AccountId> accounts,
      List<InstrumentId> instruments,
      ReplayDriver.Progress replay,
      Feed marketData,
      Feed orderFeed,
      AuthSession.Status auth) {}

  /**
   * A market-data or order feed as the status shows it, the same shape for the replay and the live
   * streams.
   *
   * @param state           live, the stream connection's state; for the replay {@code CONNECTED} while the
   *                        replay feeds bars, else {@code DISCONNECTED}
   * @param subscriptions   the subscription set, sorted
   * @param eventsDelivered replayed market events handled by the traders (0 live)
   * @param lastEventTime   open time of the latest replayed bar closed (null live)
   * @param connects        stream connections opened (0 for the replay)
   * @param failures        stream attempts failed, drops and stale connections replaced (0 for the replay)
   * @param ticks           ticks received from the stream (0 for the replay)
   */
  public record Feed(AccountId account, MarketDataConnection.State state, List<InstrumentId> subscriptions, long eventsDelivered,
      OffsetDateTime lastEventTime, long connects, long failures, long ticks) {

    static Feed of(MarketDataConnection.Status stream) {
      return new Feed(stream.account(), stream.state(), stream.subscriptions(), 0, null, stream.connects(), stream.failures(), stream.ticks());
    }

    static Feed of(BarDelivery.Status replay) {
      return new Feed(replay.account(), replay.feedConnected() ? MarketDataConnection.State.CONNECTED : MarketDataConnection.State.DISCONNECTED,
          replay.subscriptions(), replay.eventsDelivered(), replay.lastEventTime(), 0, 0, 0);
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<ServiceManager.Command> services;
  private final Set<InstrumentId> instruments;
  private final Duration timeout;
  private volatile ActorRef<ReplayDriver.Command> replay;
  private volatile TradingService.Parts paperService;

  EngineQueries(ActorSystem<?> system, ActorRef<ServiceManager.Command> services, Set<InstrumentId> instruments, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.services = services;
    this.instruments = new TreeSet<>(instruments);
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
    for (InstrumentId id : instruments) if (id.toString().equals(text)) return Optional.of(id);
    List<InstrumentId> bySymbol = instruments.stream().filter(id -> id.symbol().equals(text)).toList();
    return bySymbol.size() == 1 ? Optional.of(bySymbol.get(0)) : Optional.empty();
  }

  public Set<InstrumentId> instruments() {
    return instruments;
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

  /**
   * A position as the API shows it.
   *
   * @param status      LONG, SHORT or FLAT
   * @param quantity    signed, instrument units
   * @param realizedPnl instrument currency, no fees
   */
  public record PositionView(AccountId account, InstrumentId instrument, PositionSide status, BigDecimal quantity, Price averagePrice,
      BigDecimal realizedPnl, OffsetDateTime openedAt, OffsetDateTime closedAt, long fills) {

    static PositionView of(Position.State p) {
      NetPosition n = p.position();
      return new PositionView(p.account(), p.instrument(), n.side(), n.quantity(), n.averagePrice(), n.realizedPnl(), n.openedAt(),
          n.closedAt(), p.fills());
    }
  }

  /** Positions that have had at least one fill, by instrument. */
  public CompletionStage<List<PositionView>> positions(AccountId account) {
    return forEachInstrument(id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0).map(PositionView::of).toList());
  }

  /** The position entities' own states (with the trade ids they applied), for instruments with fills. */
  public CompletionStage<List<Position.State>> positionStates(AccountId account) {
    return forEachInstrument(id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0).toList());
  }

  /** Working orders and the most recent closed ones of every trader, oldest first. */
  public CompletionStage<List<OrderRecord>> orders(AccountId account) {
    return states(account).thenApply(states -> states.values().stream().flatMap(s -> s.orders().stream())
        .sorted(Comparator.comparing(OrderRecord::submittedAt).thenComparing(o -> o.clientOrderId().value())).toList());
  }

  /** Closed round trips of every trader, by entry time then instrument. */
  public CompletionStage<List<RoundTrip>> trades(AccountId account) {
    return states(account).thenApply(states -> states.values().stream().flatMap(s -> s.roundTrips().stream())
        .sorted(Comparator.comparing((RoundTrip t) -> t.entryTime().toInstant()).thenComparing(RoundTrip::instrument)).toList());
  }

  private CompletionStage<Map<InstrumentId, SymbolTrader.State>> states(AccountId account) {
    return forEachInstrument(id -> symbol(account, id));
  }

  /** The engine's status. */
  public CompletionStage<Status> status() {
    ActorRef<ReplayDriver.Command> driver = replay;
    TradingService.Parts parts = paperService;
    CompletableFuture<ReplayDriver.Progress> progress = driver == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<ReplayDriver.Command, ReplayDriver.Progress>ask(driver, ReplayDriver.GetProgress::new, timeout, system.scheduler())
            .toCompletableFuture();
    CompletableFuture<Feed> marketData = parts == null ? CompletableFuture.completedFuture(null)
        : parts.barDelivery() != null ? deliveryStatus(parts.barDelivery()) : streamStatus(parts.marketData());
    CompletableFuture<AuthSession.Status> auth = parts == null ? CompletableFuture.completedFuture(null)
        : AskPattern.<AuthSession.Command, AuthSession.Status>ask(parts.authSession(), AuthSession.GetStatus::new, timeout, system.scheduler())
            .toCompletableFuture();
    CompletableFuture<Feed> orderFeed = parts == null || parts.orderFeed() == null ? CompletableFuture.completedFuture(null)
        : streamStatus(parts.orderFeed());
    CompletableFuture<Set<AccountId>> accounts = accounts().toCompletableFuture();
    return CompletableFuture.allOf(progress, marketData, orderFeed, auth, accounts).thenApply(ignored -> new Status(State.RUNNING,
        new ArrayList<>(accounts.join()), List.copyOf(instruments), progress.join(), marketData.join(), orderFeed.join(), auth.join()));
  }

  private CompletableFuture<Feed> streamStatus(ActorRef<MarketDataConnection.Command> connection) {
    return AskPattern.<MarketDataConnection.Command, MarketDataConnection.Status>ask(connection, MarketDataConnection.GetStatus::new, timeout,
        system.scheduler()).thenApply(Feed::of).toCompletableFuture();
  }

  private CompletableFuture<Feed> deliveryStatus(ActorRef<BarDelivery.Command> delivery) {
    return AskPattern.<BarDelivery.Command, BarDelivery.Status>ask(delivery, BarDelivery.GetStatus::new, timeout, system.scheduler())
        .thenApply(Feed::of).toCompletableFuture();
  }

  private <T> CompletionStage<Map<InstrumentId, T>> forEachInstrument(Function<InstrumentId, CompletionStage<T>> ask) {
    Map<InstrumentId, CompletableFuture<T>> asks = new LinkedHashMap<>();
    for (InstrumentId id : instruments) asks.put(id, ask.apply(id).toCompletableFuture());
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<InstrumentId, T> result = new LinkedHashMap<>();
      asks.forEach((id, f) -> result.put(id, f.join()));
      return result;
    });
  }
}
