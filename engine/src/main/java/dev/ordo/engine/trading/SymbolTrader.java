package dev.ordo.engine.trading;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.LogMdc;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.GatewayLink;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.AppliedTradeIds;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.Decision;
import dev.ordo.engine.strategy.OrderAction;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.strategy.StrategyState;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Trades one instrument for one account: runs its {@link Strategy} on the bars, owns the
 * strategy's working orders by {@link ClientOrderId}, and keeps its position (the fold of its fills,
 * {@link NetPosition}) and closed round trips. Sharded by {@code account:SYMBOL.VENUE} and
 * event-sourced, so every decision is in the journal with what produced it: a market event carries
 * the bar and the strategy's state after it, followed by the order intents it caused.
 *
 * <p>Rules it enforces: an order intent ({@link OrderSubmitted}, with its ClientOrderId) is journaled
 * before the order is sent; an order's ids change only when the broker's reply for that exact
 * ClientOrderId is handled; a fill is applied once per {@link TradeId}; a bar (and a session end) is
 * applied once, so a replay resumed after a stop never applies a bar twice; an exit waits for the
 * end of the stop it replaces, so a position is never sold twice. The answer to a market-data
 * command ({@link OpenBar}, {@link CloseBar}, {@link EndSession}) is sent once the broker has
 * answered every order request it caused (who is owed it is journaled with the market event), which
 * makes a replay deterministic at any speed. A replayed bar that decides no order is applied but
 * journaled only with the trader's next write (the replay delivers it again after a crash); live
 * bars are journaled at once.
 *
 * <p>Broker calls go to the account's {@link BrokerGateway}, found through the receptionist
 * ({@link GatewayLink}), at CRITICAL priority.
 */
public final class SymbolTrader
    extends EventSourcedBehaviorWithEnforcedReplies<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "SymbolTrader");

  private static final int CLOSED_ORDERS_KEPT = 20;

  /**
   * Closed round trips a trader's state keeps, the latest ones: its state (and snapshot) stays bounded over years of trading;
   * every one of them is in its journal ({@link #roundTripsOf}).
   */
  public static final int ROUND_TRIPS_KEPT = 20;

  /**
   * What a symbol trader needs from its surroundings, per account (accounts replay side by side, each
   * on its own clock and strategy parameters).
   *
   * @param strategies the strategy of an account's instrument (pure; its parameters must stay the same for a journal), when it is
   *                   known: a cluster node that has not yet heard its account's instruments (their tick sizes come from the broker's
   *                   scrip master, loaded where the account's service runs) completes it later; the trader keeps its messages
   *                   until then, and stops (failed) when it completes exceptionally (an instrument the account does not trade)
   * @param clocks     the engine clock of an account (its replay clock in a replay); stamps {@code tsEvent}
   * @param resendsInterrupted whether an account's broker answers a placement whose ClientOrderId it already has with that
   *                   order, and a cancel of a canceled order with "canceled" (the paper venue): a placement or cancel a restart
   *                   interrupted is then sent again; otherwise (a networked broker) the placement becomes UNKNOWN for the
   *                   reconciler and the cancel is taken as refused
   */
  public record Dependencies(java.util.function.BiFunction<AccountId, InstrumentId, java.util.concurrent.CompletionStage<Strategy>> strategies,
      Function<AccountId, Clock> clocks, java.util.function.Predicate<AccountId> resendsInterrupted) {

    /** The same strategy per instrument and one clock for every account; interrupted requests are not sent again. */
    public Dependencies(Function<InstrumentId, Strategy> strategies, Clock clock) {
      this((account, instrument) -> java.util.concurrent.CompletableFuture.completedFuture(strategies.apply(instrument)), account -> clock,
          account -> false);
    }

    /**
     * Strategies known at once: {@code strategies} answers or throws (for an instrument the account does not trade).
     *
     * @see Dependencies
     */
    public static Dependencies of(java.util.function.BiFunction<AccountId, InstrumentId, Strategy> strategies, Function<AccountId, Clock> clocks,
        java.util.function.Predicate<AccountId> resendsInterrupted) {
      return new Dependencies((account, instrument) -> {
        try {
          return java.util.concurrent.CompletableFuture.completedFuture(strategies.apply(account, instrument));
        } catch (RuntimeException e) {
          return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
      }, clocks, resendsInterrupted);
    }
  }

  /** Registers the entity type with Cluster Sharding. */
  public static void init(ActorSystem<?> system, Dependencies dependencies) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> LogMdc.ofEntity(Command.class, ENTITY_TYPE_KEY.name(),
        entityContext.getEntityId(), EntityIds.account(entityContext.getEntityId()), EntityIds.instrument(entityContext.getEntityId()),
        SymbolTrader::orderOf, create(entityContext.getEntityId(), dependencies))));
  }

  /** The order {@code command} is about (a fill, a broker's answer, a reconciled order), else null: its lines carry its ClientOrderId. */
  static ClientOrderId orderOf(Command command) {
    if (command instanceof ApplyFill f) return f.fill().clientOrderId();
    if (command instanceof ReconcileOrder r) return r.clientOrderId();
    if (command instanceof BrokerReplied r) return BrokerCall.clientOrderIdOf(r.reply());
    return null;
  }

  /** The sharding entity id {@code account:SYMBOL.VENUE}. */
  public static String entityId(AccountId account, InstrumentId instrument) {
    return EntityIds.of(account, instrument);
  }

  /**
   * Creates the behavior for entity id {@code account:SYMBOL.VENUE}.
   *
   * @throws IllegalArgumentException when the entity id is not of that form
   */
  public static Behavior<Command> create(String entityId, Dependencies dependencies) {
    AccountId account = EntityIds.account(entityId);
    InstrumentId instrument = EntityIds.instrument(entityId);
    return Behaviors.setup(context -> {
      java.util.concurrent.CompletableFuture<Strategy> strategy = dependencies.strategies().apply(account, instrument).toCompletableFuture();
      if (strategy.isDone()) return new SymbolTrader(context, account, instrument, strategy.join(), dependencies);
      // a cluster node that has not heard the account's instruments yet: keep every message until the strategy is known
      context.pipeToSelf(strategy, StrategyKnown::new);
      return Behaviors.withStash(STASH_WHILE_STRATEGY_UNKNOWN, stash -> Behaviors.receive(Command.class)
          .onMessage(StrategyKnown.class, known -> {
            if (known.failure() != null)
              throw new IllegalStateException("no strategy for " + instrument + " of account " + account + ": " + known.failure().getMessage(),
                  known.failure());
            return stash.unstashAll(new SymbolTrader(context, account, instrument, known.strategy(), dependencies));
          })
          .onAnyMessage(message -> {
            if (stash.isFull())
              context.getLog().warn("Trader {} keeps {} messages while its strategy is unknown; dropping {}", entityId, stash.size(), message);
            else stash.stash(message);
            return Behaviors.same();
          })
          .build());
    });
  }

  /** Messages a trader keeps while its strategy is not known yet (a cluster node's first moments). */
  private static final int STASH_WHILE_STRATEGY_UNKNOWN = 10_000;

  /** The strategy of a trader whose node did not know it at the trader's start (a failure: none for its instrument). */
  private record StrategyKnown(Strategy strategy, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  // ---------------------------------------------------------------- commands

  /** Protocol of the symbol trader. */
  public sealed interface Command extends OrdoSerializable {}

  /**
   * Bar opening at {@code tsOpen}: session roll-over and time-based exits. Answered when the broker has answered.
   *
   * @param replayed true when the sender re-delivers, after a restart, every bar after the trader's last journaled one (the
   *                 replay): an open that decides no order is then journaled only with the trader's next write (live bars:
   *                 false, every open that changes the strategy is journaled at once)
   */
  public record OpenBar(OffsetDateTime tsOpen, ActorRef<Done> replyTo, boolean replayed) implements Command {
    /** A live bar's open ({@code replayed} false). */
    public OpenBar(OffsetDateTime tsOpen, ActorRef<Done> replyTo) {
      this(tsOpen, replyTo, false);
    }
  }

  /**
   * Bar {@code bar} is complete. Answered when the broker has answered the orders it caused.
   *
   * @param replayed true when the sender re-delivers, after a restart, every bar after the trader's last journaled one (the
   *                 replay): a bar that decides no order is then journaled only with the trader's next write (live bars:
   *                 false, every bar is journaled at once)
   */
  public record CloseBar(Bar bar, ActorRef<Done> replyTo, boolean replayed) implements Command {
    /** A live bar ({@code replayed} false). */
    public CloseBar(Bar bar, ActorRef<Done> replyTo) {
      this(bar, replyTo, false);
    }
  }

  /** The session of local date {@code session} is over (after its last bar). Answered when the broker has answered. */
  public record EndSession(LocalDate session, ActorRef<Done> replyTo) implements Command {}

  /** A fill reported by the broker; answered when journaled (or when already applied). */
  public record ApplyFill(Fill fill, ActorRef<Done> replyTo) implements Command {}

  /** Asks for the trader's state. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  /**
   * The broker's order book row of one of this trader's orders (found by its ClientOrderId tag), or
   * {@code report == null} when reconciliation did not find the order at the broker. Answered when
   * journaled.
   */
  public record ReconcileOrder(ClientOrderId clientOrderId, OrderReport report, ActorRef<Done> replyTo) implements Command {}

  /** Asks how far the market data has been applied. */
  public record GetProgress(ActorRef<Progress> replyTo) implements Command {}

  /**
   * The end-of-day cleanup: removes the records of failed orders (REJECTED: refused by the broker, or
   * found never placed) that {@link FailedOrderRetention} no longer keeps at {@code now}; answered with
   * the ClientOrderIds removed. Working and filled orders are never touched.
   *
   * @param yesterdaysKeptUntil time of day in the venue's zone until which yesterday's failures are kept (NSE: 09:15)
   */
  public record RemoveFailedOrders(Instant now, java.time.LocalTime yesterdaysKeptUntil, ActorRef<FailedOrdersRemoval> replyTo)
      implements Command {}

  /** Asks for the last price the trader's strategy saw (null before its first bar). */
  public record GetLastPrice(ActorRef<LastPrice> replyTo) implements Command {}

  /** The last price of {@code instrument} the trader saw (instrument currency), null when none. */
  public record LastPrice(InstrumentId instrument, dev.ordo.engine.model.Price price) implements OrdoSerializable {}

  /** Answer to {@link RemoveFailedOrders}: the ClientOrderIds whose records were removed, oldest first. */
  public record FailedOrdersRemoval(InstrumentId instrument, List<ClientOrderId> removed) implements OrdoSerializable {}

  /** Answer to {@link GetProgress}: the last bar applied and the last session ended, null when none. */
  public record Progress(InstrumentId instrument, OffsetDateTime lastBarApplied, LocalDate lastSessionEnded) implements OrdoSerializable {}

  private record BrokerReplied(BrokerCall.Reply reply) implements Command {}

  /** The receptionist's listing of the account's broker gateway (local: never serialized). */
  private record GatewayListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  private enum ResolveInterruptedRequests implements Command {
    INSTANCE
  }

  // ---------------------------------------------------------------- events

  /** Journaled facts of a symbol trader. Each carries its account, instrument and {@code tsEvent}. */
  public sealed interface Event extends OrdoSerializable {
    AccountId account();

    InstrumentId instrument();

    Instant tsEvent();
  }

  /**
   * An event after which the strategy's state is {@link #strategy()}: the fact and the decision it
   * led to are journaled together. Journals of v0.1 carry no strategy state (null); it is then
   * derived again with the same pure strategy on recovery.
   */
  public sealed interface StrategyEvent extends Event {
    StrategyState strategy();

    /** This event with the strategy's state after it. */
    StrategyEvent withStrategy(StrategyState strategy);
  }

  /**
   * A market event. {@code replyTo} is who asked and is answered once the broker has answered the
   * requests this event caused; null when the answer was given at once.
   */
  public sealed interface MarketEvent extends StrategyEvent {
    ActorRef<Done> replyTo();

    MarketEvent withReplyTo(ActorRef<Done> replyTo);
  }

  /** An event about one of the trader's orders. */
  public sealed interface OrderEvent extends Event {
    ClientOrderId clientOrderId();
  }

  /** A bar opened and changed the strategy's state (new session, session exit). */
  public record BarOpened(AccountId account, InstrumentId instrument, OffsetDateTime tsOpen, StrategyState strategy, ActorRef<Done> replyTo,
      Instant tsEvent) implements MarketEvent {
    @Override
    public BarOpened withStrategy(StrategyState next) {
      return new BarOpened(account, instrument, tsOpen, next, replyTo, tsEvent);
    }

    @Override
    public BarOpened withReplyTo(ActorRef<Done> next) {
      return new BarOpened(account, instrument, tsOpen, strategy, next, tsEvent);
    }
  }

  /** A complete bar was applied to the strategy. */
  public record BarApplied(AccountId account, InstrumentId instrument, Bar bar, StrategyState strategy, ActorRef<Done> replyTo, Instant tsEvent)
      implements MarketEvent {
    @Override
    public BarApplied withStrategy(StrategyState next) {
      return new BarApplied(account, instrument, bar, next, replyTo, tsEvent);
    }

    @Override
    public BarApplied withReplyTo(ActorRef<Done> next) {
      return new BarApplied(account, instrument, bar, strategy, next, tsEvent);
    }
  }

  /** A session ended. */
  public record SessionEnded(AccountId account, InstrumentId instrument, LocalDate session, StrategyState strategy, ActorRef<Done> replyTo,
      Instant tsEvent) implements MarketEvent {
    @Override
    public SessionEnded withStrategy(StrategyState next) {
      return new SessionEnded(account, instrument, session, next, replyTo, tsEvent);
    }

    @Override
    public SessionEnded withReplyTo(ActorRef<Done> next) {
      return new SessionEnded(account, instrument, session, strategy, next, tsEvent);
    }
  }

  /**
   * An order intent, journaled before the order is sent. {@code status} is SUBMITTED (sent at once)
   * or INITIALIZED (an exit held until the stop it replaces has ended); null in journals of v0.1.
   *
   * @param exitReason the reason recorded if this order closes the position; null for entries
   */
  public record OrderSubmitted(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, OrderRole role, OrderSide side,
      OrderType type, Quantity quantity, Price trigger, Price limit, ExitReason exitReason, OrderStatus status, Instant tsEvent)
      implements OrderEvent {}

  /** A held exit is released: the cancellation of the stop it replaces was confirmed, so it is sent now. */
  public record OrderReleased(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements OrderEvent {}

  /** The broker accepted the order with {@code clientOrderId} and gave it {@code venueOrderId}. */
  public record OrderAccepted(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, VenueOrderId venueOrderId, Instant tsEvent)
      implements OrderEvent {}

  /** The order was refused (by the broker, or not sent because no token could be had, or held and then dropped). */
  public record OrderRejected(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, StrategyState strategy,
      Instant tsEvent) implements OrderEvent, StrategyEvent {
    @Override
    public OrderRejected withStrategy(StrategyState next) {
      return new OrderRejected(account, instrument, clientOrderId, reason, next, tsEvent);
    }
  }

  /** The outcome of sending the order is unknown (timeout); only reconciliation resolves it. */
  public record OrderStatusUnknown(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements OrderEvent {}

  /** A new trigger was requested for the order (a stop raised); {@code exitReason} replaces the order's once confirmed. */
  public record OrderModifyRequested(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Price trigger,
      ExitReason exitReason, Instant tsEvent) implements OrderEvent {}

  /** The broker confirmed the requested modification. */
  public record OrderModified(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements OrderEvent {}

  /** The broker refused the modification; the order keeps its previous trigger. */
  public record OrderModifyRefused(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements OrderEvent {}

  /** A cancellation was requested. */
  public record OrderCancelRequested(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent)
      implements OrderEvent {}

  /** The broker confirmed the cancellation. */
  public record OrderCanceled(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, StrategyState strategy, Instant tsEvent)
      implements OrderEvent, StrategyEvent {
    @Override
    public OrderCanceled withStrategy(StrategyState next) {
      return new OrderCanceled(account, instrument, clientOrderId, next, tsEvent);
    }
  }

  /** The broker refused the cancellation (for instance because the order had filled). */
  public record OrderCancelRefused(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements OrderEvent {}

  /** Reconciliation found the order at the broker with {@code status}; an UNKNOWN order is known again. */
  public record OrderReconciled(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, VenueOrderId venueOrderId,
      OrderStatus status, StrategyState strategy, Instant tsEvent) implements OrderEvent, StrategyEvent {
    @Override
    public OrderReconciled withStrategy(StrategyState next) {
      return new OrderReconciled(account, instrument, clientOrderId, venueOrderId, status, next, tsEvent);
    }
  }

  /** Reconciliation did not find an UNKNOWN order at the broker: it was never placed. */
  public record OrderLost(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, StrategyState strategy,
      Instant tsEvent) implements OrderEvent, StrategyEvent {
    @Override
    public OrderLost withStrategy(StrategyState next) {
      return new OrderLost(account, instrument, clientOrderId, reason, next, tsEvent);
    }
  }

  /** The records of failed orders the end-of-day cleanup removed ({@link RemoveFailedOrders}). */
  public record FailedOrdersRemoved(AccountId account, InstrumentId instrument, List<ClientOrderId> clientOrderIds, Instant tsEvent)
      implements Event {}

  /** A fill of one of the trader's orders. */
  public record OrderFilled(AccountId account, InstrumentId instrument, Fill fill, OrderRole role, StrategyState strategy, Instant tsEvent)
      implements OrderEvent, StrategyEvent {
    @Override
    public ClientOrderId clientOrderId() {
      return fill.clientOrderId();
    }

    @Override
    public OrderFilled withStrategy(StrategyState next) {
      return new OrderFilled(account, instrument, fill, role, next, tsEvent);
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * State of a symbol trader. Its methods apply one event each.
   *
   * @param strategy         the strategy's own state
   * @param orders           working orders and the last few closed ones, oldest first
   * @param orderSequence    number of orders submitted so far (source of ClientOrderIds)
   * @param lastBarApplied   open time of the last complete bar applied, null before the first
   * @param lastBarOpened    open time of the last bar opened ({@link BarOpened}) or applied, null before the first (and in
   *                         snapshots written before it existed): a resumed replay does not open it again
   * @param lastSessionEnded the last session ended, null before the first
   * @param position         the position of the trader's fills (quantity in instrument units)
   * @param roundTrips       the last {@value #ROUND_TRIPS_KEPT} closed trades, oldest first (every one: {@link #roundTripsOf} the journal)
   * @param appliedTradeIds  the trade ids of the fills applied in the last {@link AppliedTradeIds#RETENTION} of fill time
   * @param pendingReplies   askers of market-data commands owed an answer once no broker request is in flight
   */
  public record State(
      InstrumentId instrument,
      StrategyState strategy,
      List<OrderRecord> orders,
      long orderSequence,
      OffsetDateTime lastBarApplied,
      OffsetDateTime lastBarOpened,
      LocalDate lastSessionEnded,
      NetPosition position,
      List<RoundTrip> roundTrips,
      AppliedTradeIds appliedTradeIds,
      List<ActorRef<Done>> pendingReplies)
      implements OrdoSerializable {

    public State {
      orders = orders == null ? List.of() : List.copyOf(orders);
      position = position == null ? NetPosition.FLAT : position;
      roundTrips = roundTrips == null ? List.of() : List.copyOf(roundTrips);
      appliedTradeIds = appliedTradeIds == null ? AppliedTradeIds.NONE : appliedTradeIds;
      pendingReplies = pendingReplies == null ? List.of() : List.copyOf(pendingReplies);
    }

    static State empty(InstrumentId instrument, StrategyState strategy) {
      return new State(instrument, strategy, List.of(), 0, null, null, null, NetPosition.FLAT, List.of(), AppliedTradeIds.NONE, List.of());
    }

    /** The working order playing {@code role}, or null. */
    public OrderRecord working(OrderRole role) {
      for (OrderRecord o : orders) if (o.role() == role && o.isWorking()) return o;
      return null;
    }

    /** The order with {@code id}, or null. */
    public OrderRecord order(ClientOrderId id) {
      for (OrderRecord o : orders) if (o.clientOrderId().equals(id)) return o;
      return null;
    }

    /** True while a request to the broker awaits its answer, or an exit is held back. */
    public boolean hasRequestsInFlight() {
      for (OrderRecord o : orders) if (o.isInFlight()) return true;
      return false;
    }

    /** True when an exit must wait: a stop is being canceled and has not ended yet. */
    boolean exitMustWait() {
      for (OrderRecord o : orders) if (o.role() == OrderRole.STOP_LOSS && o.cancelPending() && !o.status().isClosed()) return true;
      return false;
    }

    State barOpened(BarOpened e, StrategyState next) {
      return new State(instrument, next, orders, orderSequence, lastBarApplied, e.tsOpen(), lastSessionEnded, position, roundTrips, appliedTradeIds,
          owing(e.replyTo()));
    }

    State barApplied(BarApplied e, StrategyState next) {
      return new State(instrument, next, orders, orderSequence, e.bar().tsOpen(), e.bar().tsOpen(), lastSessionEnded, position, roundTrips, appliedTradeIds,
          owing(e.replyTo()));
    }

    State sessionEnded(SessionEnded e, StrategyState next) {
      return new State(instrument, next, orders, orderSequence, lastBarApplied, lastBarOpened, e.session(), position, roundTrips, appliedTradeIds,
          owing(e.replyTo()));
    }

    State orderSubmitted(OrderSubmitted e, OrderStatus status) {
      OrderRecord order = new OrderRecord(e.clientOrderId(), instrument, e.role(), e.side(), e.type(), e.quantity(), Quantity.ZERO, e.trigger(),
          e.limit(), e.exitReason(), status, null, null, null, false, false, null, e.tsEvent(), e.tsEvent());
      State next = withOrder(order);
      return new State(instrument, strategy, next.orders, orderSequence + 1, lastBarApplied, lastBarOpened, lastSessionEnded, position, roundTrips,
          appliedTradeIds, next.pendingReplies);
    }

    State orderFilled(OrderFilled e, StrategyState next) {
      Fill fill = e.fill();
      OrderRecord order = order(fill.clientOrderId());
      State updated = order == null ? this : withOrder(order.filled(fill.lastQty(), e.tsEvent()));
      RoundTrip closed = position.closedBy(fill, order == null ? null : order.exitReason());
      List<RoundTrip> trips = roundTrips;
      if (closed != null) {
        trips = new ArrayList<>(roundTrips);
        trips.add(closed);
        if (trips.size() > ROUND_TRIPS_KEPT) trips = trips.subList(trips.size() - ROUND_TRIPS_KEPT, trips.size());
      }
      return new State(instrument, next, updated.orders, orderSequence, lastBarApplied, lastBarOpened, lastSessionEnded, position.apply(fill), trips,
          appliedTradeIds.with(fill),
          updated.pendingReplies);
    }

    /** The order of {@code event} changed by {@code change}; the strategy becomes {@code next}. No order: no change. */
    State orderChanged(OrderEvent event, Function<OrderRecord, OrderRecord> change, StrategyState next) {
      OrderRecord order = order(event.clientOrderId());
      if (order == null) return this;
      return withOrder(change.apply(order)).withStrategy(next);
    }

    State orderChanged(OrderEvent event, Function<OrderRecord, OrderRecord> change) {
      return orderChanged(event, change, strategy);
    }

    private State withStrategy(StrategyState next) {
      return new State(instrument, next, orders, orderSequence, lastBarApplied, lastBarOpened, lastSessionEnded, position, roundTrips, appliedTradeIds,
          pendingReplies);
    }

    private List<ActorRef<Done>> owing(ActorRef<Done> replyTo) {
      if (replyTo == null) return pendingReplies;
      List<ActorRef<Done>> owed = new ArrayList<>(pendingReplies);
      owed.add(replyTo);
      return owed;
    }

    /** Replaces (or adds) {@code updated} and keeps the last {@value #CLOSED_ORDERS_KEPT} closed orders. */
    private State withOrder(OrderRecord updated) {
      List<OrderRecord> next = new ArrayList<>(orders.size() + 1);
      boolean replaced = false;
      for (OrderRecord o : orders) {
        if (o.clientOrderId().equals(updated.clientOrderId())) {
          next.add(updated);
          replaced = true;
        } else {
          next.add(o);
        }
      }
      if (!replaced) next.add(updated);
      long closed = next.stream().filter(o -> o.status().isClosed()).count();
      if (closed > CLOSED_ORDERS_KEPT) {
        long drop = closed - CLOSED_ORDERS_KEPT;
        List<OrderRecord> pruned = new ArrayList<>(next.size());
        for (OrderRecord o : next) {
          if (drop > 0 && o.status().isClosed()) drop--;
          else pruned.add(o);
        }
        next = pruned;
      }
      return new State(instrument, strategy, next, orderSequence, lastBarApplied, lastBarOpened, lastSessionEnded, position, roundTrips, appliedTradeIds,
          pendingReplies);
    }

    /** Without the records of {@code ids} (removed by the end-of-day cleanup). */
    State withoutOrders(List<ClientOrderId> ids) {
      Set<ClientOrderId> gone = Set.copyOf(ids);
      List<OrderRecord> kept = orders.stream().filter(o -> !gone.contains(o.clientOrderId())).toList();
      return new State(instrument, strategy, kept, orderSequence, lastBarApplied, lastBarOpened, lastSessionEnded, position, roundTrips,
          appliedTradeIds, pendingReplies);
    }

    /** After a broker's answer: once nothing is in flight, the market-data askers are owed nothing more (they are answered). */
    State settled() {
      if (pendingReplies.isEmpty() || hasRequestsInFlight()) return this;
      return new State(instrument, strategy, orders, orderSequence, lastBarApplied, lastBarOpened, lastSessionEnded, position, roundTrips, appliedTradeIds,
          List.of());
    }
  }

  // ---------------------------------------------------------------- behavior

  private final ActorContext<Command> context;
  private final AccountId account;
  private final InstrumentId instrument;
  private final Strategy strategy;
  private final Clock clock;
  private final boolean resendsInterrupted;
  private final ActorRef<BrokerCall.Reply> brokerReplies;
  private final GatewayLink gateway;
  private EventHandler<State, Event> eventHandler;
  /**
   * Replayed market events applied but not journaled yet (they decided no order), oldest first: at
   * most the last {@link BarApplied} and a {@link BarOpened} after it. They are written first in the
   * trader's next write; lost with the process, they are re-delivered by the replay.
   */
  private final List<MarketEvent> unjournaled = new ArrayList<>();
  /** The journaled state with {@link #unjournaled} applied (by the event handler); null when there are none. */
  private State unjournaledState;

  private SymbolTrader(ActorContext<Command> context, AccountId account, InstrumentId instrument, Strategy strategy, Dependencies dependencies) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId(account, instrument)), JournalFailures.BACKOFF);
    this.context = context;
    this.account = account;
    this.instrument = instrument;
    this.strategy = Objects.requireNonNull(strategy, "no strategy for " + instrument);
    this.clock = Objects.requireNonNull(dependencies.clocks().apply(account), "no clock for account " + account);
    this.resendsInterrupted = dependencies.resendsInterrupted().test(account);
    this.brokerReplies = context.messageAdapter(BrokerCall.Reply.class, BrokerReplied::new);
    this.gateway = GatewayLink.subscribe(context, account, GatewayListed::new);
  }

  @Override
  public State emptyState() {
    return initialState(instrument, strategy);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.hasRequestsInFlight()) context.getSelf().tell(ResolveInterruptedRequests.INSTANCE);
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(OpenBar.class, (state, command) -> onOpenBar(current(state), command))
        .onCommand(CloseBar.class, (state, command) -> onCloseBar(current(state), command))
        .onCommand(EndSession.class, (state, command) -> onEndSession(current(state), command))
        .onCommand(ApplyFill.class, (state, command) -> onApplyFill(current(state), command))
        .onCommand(BrokerReplied.class, (state, command) -> onBrokerReplied(current(state), command))
        .onCommand(ReconcileOrder.class, (state, command) -> onReconcileOrder(current(state), command))
        .onCommand(RemoveFailedOrders.class, (state, command) -> onRemoveFailedOrders(current(state), command))
        .onCommand(GetLastPrice.class, (state, command) -> Effect().reply(command.replyTo(),
            new LastPrice(instrument, strategy.lastPrice(current(state).strategy()).orElse(null))))
        .onCommand(ResolveInterruptedRequests.class, (state, command) -> onResolveInterrupted(current(state), command))
        .onCommand(GatewayListed.class, (state, listed) -> {
          gateway.onListing(listed.listing());
          return Effect().noReply();
        })
        .onCommand(GetState.class, (state, command) -> Effect().reply(command.replyTo(), current(state)))
        .onCommand(GetProgress.class, (state, command) -> Effect().reply(command.replyTo(),
            new Progress(instrument, current(state).lastBarApplied(), current(state).lastSessionEnded())))
        .build();
  }

  /** The state the trader acts on: the journaled {@code state} with the unjournaled market events applied. */
  private State current(State state) {
    return unjournaled.isEmpty() ? state : unjournaledState;
  }

  /**
   * Keeps {@code event} (a replayed market event that decided no order, with nothing owed) unjournaled;
   * {@code after} is the state after it. An earlier unjournaled event whose every effect {@code event}
   * overrides is dropped: a bar overrides the bar and open before it, an open the open before it.
   */
  private void holdUnjournaled(MarketEvent event, State after) {
    if (event instanceof BarApplied) unjournaled.clear();
    else unjournaled.removeIf(held -> held instanceof BarOpened);
    unjournaled.add(event);
    unjournaledState = after;
  }

  /** {@code events} preceded by the unjournaled market events, which are then journaled with them. */
  private List<Event> withUnjournaled(List<Event> events) {
    if (unjournaled.isEmpty()) return events;
    List<Event> all = new ArrayList<>(unjournaled.size() + events.size());
    all.addAll(unjournaled);
    all.addAll(events);
    unjournaled.clear();
    unjournaledState = null;
    return all;
  }

  // ---------------------------------------------------------------- market data

  private ReplyEffect<Event, State> onOpenBar(State state, OpenBar command) {
    if (state.lastBarApplied() != null && !command.tsOpen().isAfter(state.lastBarApplied()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    if (state.lastBarOpened() != null && !command.tsOpen().isAfter(state.lastBarOpened()))
      return Effect().reply(command.replyTo(), Done.getInstance()); // journaled before a fill, re-delivered by a resumed replay
    BarOpened opened = new BarOpened(account, instrument, command.tsOpen(), null, null, clock.instant());
    Decision decision = decide(state, opened);
    // A live open that changes nothing is not journaled; a replayed one is kept with the next write, so a resume never opens a bar twice.
    if (!command.replayed() && decision.actions().isEmpty() && decision.state().equals(state.strategy()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    return onMarketEvent(state, opened, decision, command.replyTo(), command.replayed());
  }

  private ReplyEffect<Event, State> onCloseBar(State state, CloseBar command) {
    Bar bar = command.bar();
    if (!bar.instrumentId().equals(instrument)) {
      context.getLog().error("Bar of {} sent to the trader of {}; ignored", bar.instrumentId(), instrument);
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    if (state.lastBarApplied() != null && !bar.tsOpen().isAfter(state.lastBarApplied()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    BarApplied applied = new BarApplied(account, instrument, bar, null, null, clock.instant());
    return onMarketEvent(state, applied, decide(state, applied), command.replyTo(), command.replayed());
  }

  private ReplyEffect<Event, State> onEndSession(State state, EndSession command) {
    if (state.lastSessionEnded() != null && !command.session().isAfter(state.lastSessionEnded()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    SessionEnded ended = new SessionEnded(account, instrument, command.session(), null, null, clock.instant());
    return onMarketEvent(state, ended, decide(state, ended), command.replyTo(), false);
  }

  /**
   * Journals the market event with the strategy's new state and the order requests of its decision,
   * sends them, and answers {@code replyTo} at once when nothing is in flight, else once the broker
   * has answered (the market event then names {@code replyTo}). A {@code replayed} event that decides
   * no order and leaves nothing owed is applied but not journaled yet: it is written with the trader's
   * next write (a decision, a fill, a broker answer, the session's end), and re-delivered by the
   * replay if the process stops before that.
   */
  private ReplyEffect<Event, State> onMarketEvent(State state, MarketEvent event, Decision decision, ActorRef<Done> replyTo,
      boolean replayed) {
    List<Event> events = new ArrayList<>();
    events.add(event.withStrategy(decision.state()));
    State afterEvent = fold(state, events);
    List<Event> orders = orderEvents(afterEvent, decision.actions());
    events.addAll(orders);
    // Most bars decide nothing: the state after the market event is then the state after the write.
    State after = orders.isEmpty() ? afterEvent : fold(afterEvent, orders);
    boolean owed = after.hasRequestsInFlight() && !replyTo.equals(context.getSystem().ignoreRef());
    if (replayed && orders.isEmpty() && !owed) {
      holdUnjournaled((MarketEvent) events.get(0), after);
      return Effect().reply(replyTo, Done.getInstance());
    }
    if (!owed) return persistAndSend(state, events, replyTo);
    events.set(0, ((MarketEvent) events.get(0)).withReplyTo(replyTo));
    return persistAndSend(state, events, null);
  }

  // ---------------------------------------------------------------- fills and broker answers

  private ReplyEffect<Event, State> onApplyFill(State state, ApplyFill command) {
    Fill fill = command.fill();
    if (state.appliedTradeIds().applied(fill)) {
      if (state.appliedTradeIds().tooOld(fill))
        context.getLog().warn("{}: fill {} executed at {}, over {} before the latest fill applied: taken as applied", instrument, fill.tradeId(),
            fill.tsEvent(), AppliedTradeIds.RETENTION);
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    OrderRecord order = state.order(fill.clientOrderId());
    if (order == null || !fill.instrumentId().equals(instrument)) {
      context.getLog().warn("{}: fill {} of unknown order {} ({}) not applied by the trader", instrument, fill.tradeId(), fill.clientOrderId(),
          fill.instrumentId());
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    OrderFilled filled = new OrderFilled(account, instrument, fill, order.role(), null, clock.instant());
    return persistAndSend(state, withConsequences(state, filled), command.replyTo());
  }

  private ReplyEffect<Event, State> onBrokerReplied(State state, BrokerReplied replied) {
    OrderEvent event = eventOf(replied.reply(), clock.instant());
    if (event == null || state.order(event.clientOrderId()) == null) {
      context.getLog().warn("{}: unexpected broker reply {}", instrument, replied.reply());
      return Effect().noReply();
    }
    OrderRecord order = state.order(event.clientOrderId());
    if ((event instanceof OrderStatusUnknown || event instanceof OrderRejected) && order.status() != OrderStatus.SUBMITTED) {
      // The placement's answer came after the broker had shown the order (a fill, the order feed, reconciliation): the order was
      // placed, and its status is what the broker showed; a late timeout or refusal of the call changes nothing.
      context.getLog().info("{}: order {} is {} at the broker; the late failure of its placement is ignored: {}", instrument,
          order.clientOrderId(), order.status(), replied.reply());
      return Effect().noReply();
    }
    return persistAndSend(state, withConsequences(state, event), null);
  }

  /** The event a broker's answer to one of this trader's calls stands for. */
  private OrderEvent eventOf(BrokerCall.Reply reply, Instant now) {
    if (reply instanceof BrokerCall.Placed placed) return new OrderAccepted(account, instrument, placed.clientOrderId(), placed.venueOrderId(), now);
    if (reply instanceof BrokerCall.Modified modified) return new OrderModified(account, instrument, modified.clientOrderId(), now);
    if (reply instanceof BrokerCall.Canceled canceled) return new OrderCanceled(account, instrument, canceled.clientOrderId(), null, now);
    if (!(reply instanceof BrokerCall.Failed failed)) return null;
    BrokerError error = failed.error();
    String reason = error.getClass().getSimpleName() + ": " + error.detail();
    if (failed.call() instanceof BrokerCall.PlaceOrder place) {
      ClientOrderId id = place.request().clientOrderId();
      context.getLog().warn("{}: order {} not placed: {}", instrument, id, reason);
      return error instanceof BrokerError.Timeout
          ? new OrderStatusUnknown(account, instrument, id, reason, now)
          : new OrderRejected(account, instrument, id, reason, null, now);
    }
    if (failed.call() instanceof BrokerCall.ModifyOrder modify) {
      context.getLog().warn("{}: modification of {} refused: {}", instrument, modify.clientOrderId(), reason);
      return new OrderModifyRefused(account, instrument, modify.clientOrderId(), reason, now);
    }
    if (failed.call() instanceof BrokerCall.CancelOrder cancel) {
      context.getLog().info("{}: cancellation of {} refused: {}", instrument, cancel.clientOrderId(), reason);
      return new OrderCancelRefused(account, instrument, cancel.clientOrderId(), reason, now);
    }
    return null;
  }

  private ReplyEffect<Event, State> onRemoveFailedOrders(State state, RemoveFailedOrders command) {
    java.time.ZoneId zone = dev.ordo.engine.calendar.VenueZones.zoneOf(instrument);
    List<ClientOrderId> removed = state.orders().stream()
        .filter(o -> o.status() == OrderStatus.REJECTED
            && FailedOrderRetention.removable(o.submittedAt(), command.now(), zone, command.yesterdaysKeptUntil()))
        .map(OrderRecord::clientOrderId).toList();
    FailedOrdersRemoval answer = new FailedOrdersRemoval(instrument, removed);
    if (removed.isEmpty()) return Effect().reply(command.replyTo(), answer);
    return Effect().persist(withUnjournaled(List.of(new FailedOrdersRemoved(account, instrument, removed, clock.instant()))))
        .thenReply(command.replyTo(), next -> answer);
  }

  private ReplyEffect<Event, State> onReconcileOrder(State state, ReconcileOrder command) {
    OrderRecord order = state.order(command.clientOrderId());
    if (order == null) return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = clock.instant();
    OrderReport report = command.report();
    if (report == null) {
      if (order.status() != OrderStatus.UNKNOWN) return Effect().reply(command.replyTo(), Done.getInstance());
      context.getLog().warn("{}: order {} of unknown outcome is not at the broker; it was never placed", instrument, order.clientOrderId());
      OrderLost lost = new OrderLost(account, instrument, order.clientOrderId(), "not in the broker's order book", null, now);
      return persistAndSend(state, withConsequences(state, lost), command.replyTo());
    }
    OrderStatus broker = report.status();
    boolean resolvesUnknown = order.status() == OrderStatus.UNKNOWN;
    boolean brokerEndedIt = !order.status().isClosed() && endsWithoutFill(broker);
    if (!resolvesUnknown && !brokerEndedIt) return Effect().reply(command.replyTo(), Done.getInstance());
    if (brokerEndedIt && !resolvesUnknown)
      context.getLog().warn("{}: the broker ended order {} ({}) without telling us; reconciled", instrument, order.clientOrderId(), broker);
    OrderReconciled reconciled = new OrderReconciled(account, instrument, order.clientOrderId(), report.venueOrderId(), broker, null, now);
    return persistAndSend(state, withConsequences(state, reconciled), command.replyTo());
  }

  /**
   * After a crash, requests that were at the broker have an unknown outcome; their askers are gone
   * with the old incarnation. A placement becomes UNKNOWN (for reconciliation), a held exit is
   * dropped, a cancellation is treated as refused. A modification is sent again: its trigger is
   * absolute, so sending it twice changes nothing more than sending it once, and the broker's answer
   * settles it as usual (treating it as refused left the broker's stop below the one the strategy
   * had raised: a replay killed in that window exited at another price). With a broker that answers a
   * request it already has with its first answer ({@link Dependencies#resendsInterrupted}, the paper
   * venue), placements and cancellations are sent again too and a held exit waits for its stop's
   * cancellation as before: a kill between the journaling of an order and its arrival at the venue
   * left the entry unplaced, and a cancel the venue had done taken as refused.
   */
  private ReplyEffect<Event, State> onResolveInterrupted(State state, ResolveInterruptedRequests command) {
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    List<OrderRecord> resend = new ArrayList<>();
    if (resendsInterrupted) {
      List<OrderRecord> placements = new ArrayList<>();
      for (OrderRecord order : state.orders()) {
        if (order.status() == OrderStatus.SUBMITTED) placements.add(order);
        else if (order.awaitingReply() && order.venueOrderId() != null && (order.cancelPending() || order.pendingTrigger() != null))
          resend.add(order);
      }
      if (placements.isEmpty() && resend.isEmpty()) return Effect().noReply();
      context.getLog().info("{}: {} placement(s) and {} modification(s) or cancellation(s) interrupted by a restart sent again", instrument,
          placements.size(), resend.size());
      return Effect().none().thenRun(next -> {
        placements.forEach(this::sendPlacement);
        resend.forEach(this::sendDeferred);
      }).thenNoReply();
    }
    for (OrderRecord order : state.orders()) {
      if (order.status() == OrderStatus.SUBMITTED)
        events.add(new OrderStatusUnknown(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
      else if (order.status() == OrderStatus.INITIALIZED)
        events.add(decided(fold(state, events), new OrderRejected(account, instrument, order.clientOrderId(),
            "not sent: the engine stopped while the order waited for the stop's cancellation", null, now)));
      else if (order.awaitingReply() && order.cancelPending())
        events.add(new OrderCancelRefused(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
      else if (order.awaitingReply() && order.pendingTrigger() != null && order.venueOrderId() != null)
        resend.add(order);
      else if (order.awaitingReply())
        events.add(new OrderModifyRefused(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
    }
    if (events.isEmpty() && resend.isEmpty()) return Effect().noReply();
    if (!events.isEmpty())
      context.getLog().warn("{}: {} broker request(s) interrupted by a restart; marked for reconciliation", instrument, events.size());
    if (!resend.isEmpty())
      context.getLog().info("{}: {} modification(s) interrupted by a restart sent again", instrument, resend.size());
    if (events.isEmpty()) return Effect().none().thenRun(next -> resend.forEach(this::sendDeferred)).thenNoReply();
    return Effect().persist(withUnjournaled(events)).thenRun(next -> resend.forEach(this::sendDeferred)).thenNoReply();
  }

  // ---------------------------------------------------------------- deciding

  /**
   * {@code event} with the strategy's state after it, followed by what it causes: the release or drop
   * of a held exit when it ended a stop, and the orders of the strategy's decision. When {@code event}
   * is a broker's answer (it settles the step once nothing is in flight), the new orders of the
   * decision are journaled just before it, in the same write: a step whose answer leads to a new order
   * (a refused stop replaced by a sale) is answered only once that order is answered too.
   */
  private List<Event> withConsequences(State state, OrderEvent event) {
    List<Event> events = new ArrayList<>();
    Decision decision = event instanceof StrategyEvent e ? decide(state, e) : Decision.stay(state.strategy());
    events.add(event instanceof StrategyEvent e ? e.withStrategy(decision.state()) : event);
    events.addAll(heldExitOutcome(state, fold(state, events), event));
    List<Event> orders = orderEvents(fold(state, events), decision.actions());
    if (event instanceof OrderFilled) {
      events.addAll(orders);
      return events;
    }
    List<Event> ordersFirst = new ArrayList<>(orders);
    ordersFirst.addAll(events);
    return ordersFirst;
  }

  private StrategyEvent decided(State state, StrategyEvent event) {
    return event.withStrategy(decide(state, event).state());
  }

  /**
   * What the strategy decides on {@code event} (its {@code strategy} field is ignored): the one
   * place where events meet the strategy, used to decide and to recover journals of v0.1.
   */
  private Decision decide(State state, StrategyEvent event) {
    return decide(strategy, state, event);
  }

  private static Decision decide(Strategy strategy, State state, StrategyEvent event) {
    StrategyState current = state.strategy();
    if (event instanceof BarOpened e) return strategy.onBarOpen(current, e.tsOpen());
    if (event instanceof BarApplied e) return strategy.onBar(current, e.bar());
    if (event instanceof SessionEnded e) return strategy.onSessionEnd(current, e.session());
    if (event instanceof OrderFilled e) return strategy.onFill(current, e.role(), e.fill().lastQty(), e.fill().lastPx());
    OrderRecord order = state.order(((OrderEvent) event).clientOrderId());
    if (order == null || order.status().isClosed()) return Decision.stay(current);
    if (event instanceof OrderCanceled) return strategy.onOrderClosed(current, order.role(), OrderStatus.CANCELED);
    if (event instanceof OrderRejected || event instanceof OrderLost) return strategy.onOrderClosed(current, order.role(), OrderStatus.REJECTED);
    if (event instanceof OrderReconciled e && endsWithoutFill(e.status())) return strategy.onOrderClosed(current, order.role(), e.status());
    return Decision.stay(current);
  }

  private static boolean endsWithoutFill(OrderStatus status) {
    return status == OrderStatus.CANCELED || status == OrderStatus.REJECTED || status == OrderStatus.EXPIRED;
  }

  /** The order events of the strategy's {@code actions}, numbered after {@code state}'s orders. */
  private List<Event> orderEvents(State state, List<OrderAction> actions) {
    List<Event> events = new ArrayList<>();
    Instant now = clock.instant();
    long sequence = state.orderSequence();
    boolean exitWaits = state.exitMustWait();
    for (OrderAction action : actions) {
      if (action instanceof OrderAction.Place place) {
        sequence++;
        OrderStatus status = place.role() == OrderRole.EXIT && exitWaits ? OrderStatus.INITIALIZED : OrderStatus.SUBMITTED;
        events.add(new OrderSubmitted(account, instrument, OrderSources.strategyOrder(instrument, sequence), place.role(), place.side(),
            place.type(), place.quantity(), place.trigger(), place.limit(), place.reason(), status, now));
      } else if (action instanceof OrderAction.ModifyTrigger modify) {
        OrderRecord order = state.working(modify.role());
        if (order == null) context.getLog().warn("{}: strategy moved the {} stop but no such order is working", instrument, modify.role());
        else events.add(new OrderModifyRequested(account, instrument, order.clientOrderId(), modify.trigger(), modify.reason(), now));
      } else if (action instanceof OrderAction.Cancel cancel) {
        OrderRecord order = state.working(cancel.role());
        if (order != null) {
          events.add(new OrderCancelRequested(account, instrument, order.clientOrderId(), now));
          if (order.role() == OrderRole.STOP_LOSS) exitWaits = true;
        }
      }
    }
    return events;
  }

  /**
   * A held exit waits for the stop it replaces to end: it is released when the stop's cancellation
   * is confirmed or the stop turns out never to have existed (rejected, lost); it is dropped when the
   * stop filled or its cancellation was refused (the stop may have filled: a second sell would open a
   * short). {@code next} is the state after {@code event}.
   */
  private List<Event> heldExitOutcome(State before, State next, OrderEvent event) {
    OrderRecord stopBefore = before.order(event.clientOrderId());
    OrderRecord stop = next.order(event.clientOrderId());
    if (stopBefore == null || stop == null || stop.role() != OrderRole.STOP_LOSS) return List.of();
    boolean refused = event instanceof OrderCancelRefused && stopBefore.cancelPending();
    if (stopBefore.status().isClosed() && !refused) return List.of();
    boolean ended = stop.status().isClosed();
    if (!refused && !ended) return List.of();
    boolean release = !refused && stop.status() != OrderStatus.FILLED && stop.filled().isZero();
    Instant now = clock.instant();
    List<Event> outcome = new ArrayList<>();
    for (OrderRecord held : next.orders()) {
      if (held.status() != OrderStatus.INITIALIZED) continue;
      if (release) {
        outcome.add(new OrderReleased(account, instrument, held.clientOrderId(), now));
      } else {
        String why = refused ? "could not be canceled (" + ((OrderCancelRefused) event).reason() + ")" : "filled";
        context.getLog().warn("{}: exit {} not sent: the stop {} {}", instrument, held.clientOrderId(), stop.clientOrderId(), why);
        outcome.add(decided(fold(next, outcome), new OrderRejected(account, instrument, held.clientOrderId(),
            "not sent: the stop " + why + " and may have closed the position", null, now)));
      }
    }
    return outcome;
  }

  /** {@code state} after {@code events}, through the event handler. */
  private State fold(State state, List<Event> events) {
    State next = state;
    for (Event event : events) next = eventHandler().apply(next, event);
    return next;
  }

  // ---------------------------------------------------------------- persisting and sending

  /**
   * Persists {@code events}, sends the broker requests they journal, answers the market-data askers
   * owed an answer once nothing is in flight any more, and answers {@code replyTo} (none when null).
   */
  private ReplyEffect<Event, State> persistAndSend(State state, List<Event> events, ActorRef<Done> replyTo) {
    List<ActorRef<Done>> owed = state.pendingReplies();
    var effect = Effect().persist(withUnjournaled(events)).thenRun(next -> {
      dispatch(next, events);
      if (!owed.isEmpty() && next.pendingReplies().isEmpty()) owed.forEach(asker -> asker.tell(Done.getInstance()));
    });
    return replyTo == null ? effect.thenNoReply() : effect.thenReply(replyTo, next -> Done.getInstance());
  }

  /** Sends the broker requests journaled by {@code events}; requests on orders without a venue id wait for it. */
  private void dispatch(State state, List<Event> events) {
    for (Event event : events) {
      if (!(event instanceof OrderEvent orderEvent)) continue;
      OrderRecord order = state.order(orderEvent.clientOrderId());
      if (order == null) continue;
      if (event instanceof OrderSubmitted || event instanceof OrderReleased) {
        if (order.status() == OrderStatus.SUBMITTED) sendPlacement(order);
      } else if (event instanceof OrderModifyRequested || event instanceof OrderCancelRequested || event instanceof OrderAccepted
          || event instanceof OrderReconciled) {
        sendDeferred(order);
      }
    }
  }

  /** Places {@code order} at the broker (a day order, tagged with its ClientOrderId). */
  private void sendPlacement(OrderRecord order) {
    send(new BrokerCall.PlaceOrder(new OrderRequest(order.clientOrderId(), instrument, order.side(), order.type(), order.quantity(),
        order.trigger(), order.limit(), TimeInForce.DAY)));
  }

  private void sendDeferred(OrderRecord order) {
    if (!order.awaitingReply() || order.venueOrderId() == null) return;
    if (order.cancelPending()) send(new BrokerCall.CancelOrder(order.clientOrderId(), order.venueOrderId()));
    else if (order.pendingTrigger() != null)
      send(new BrokerCall.ModifyOrder(order.clientOrderId(), order.venueOrderId(), order.pendingTrigger(), null));
  }

  private void send(BrokerCall call) {
    gateway.send(new BrokerGateway.Execute(call, BrokerGateway.Priority.CRITICAL, brokerReplies));
  }

  // ---------------------------------------------------------------- event handler

  /**
   * Each event applied to the state. Events that answer a broker request settle the state: once
   * nothing is in flight, the market-data askers it owed are answered (by the command handler).
   */
  @Override
  public EventHandler<State, Event> eventHandler() {
    if (eventHandler == null) eventHandler = buildEventHandler();
    return eventHandler;
  }

  private EventHandler<State, Event> buildEventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> applyEvent(strategy, state, event));
  }

  /**
   * The state of a new trader of {@code instrument} running {@code strategy}, before any event: what
   * {@link #applyEvent} folds from.
   */
  public static State initialState(InstrumentId instrument, Strategy strategy) {
    return State.empty(instrument, strategy.initialState());
  }

  /**
   * Every round trip a trader's journal closed, oldest first: its events ({@code events}, in sequence order, from the first)
   * folded by the trader's own event handler, each trade taken as its fill closes it (the state keeps only the last
   * {@value #ROUND_TRIPS_KEPT}).
   *
   * @param strategy the trader's strategy (folds only journals whose events carry no strategy state)
   */
  public static List<RoundTrip> roundTripsOf(InstrumentId instrument, Strategy strategy, Iterable<Event> events) {
    List<RoundTrip> trips = new ArrayList<>();
    State state = initialState(instrument, strategy);
    for (Event event : events) {
      List<RoundTrip> before = state.roundTrips();
      state = applyEvent(strategy, state, event);
      List<RoundTrip> after = state.roundTrips();
      if (!after.isEmpty() && (before.isEmpty() || after.get(after.size() - 1) != before.get(before.size() - 1)))
        trips.add(after.get(after.size() - 1));
    }
    return trips;
  }

  /**
   * The trader's event handler: {@code state} after {@code event}. The engine recovers with it and
   * the audit folds the journal with it, so both rebuild the same state. {@code strategy} is the
   * instrument's strategy; it is run only for events journaled without the strategy's state
   * (journals of v0.1), all later events carry it.
   *
   * @throws IllegalArgumentException for an event that is not a symbol trader's
   */
  public static State applyEvent(Strategy strategy, State state, Event event) {
    if (event instanceof BarOpened e) return state.barOpened(e, strategyAfter(strategy, state, e));
    if (event instanceof BarApplied e) return state.barApplied(e, strategyAfter(strategy, state, e));
    if (event instanceof SessionEnded e) return state.sessionEnded(e, strategyAfter(strategy, state, e));
    if (event instanceof OrderSubmitted e) return state.orderSubmitted(e, e.status() != null ? e.status()
        : e.role() == OrderRole.EXIT && state.exitMustWait() ? OrderStatus.INITIALIZED : OrderStatus.SUBMITTED);
    if (event instanceof OrderReleased e) return state.orderChanged(e, o -> o.withStatus(OrderStatus.SUBMITTED, e.tsEvent()));
    if (event instanceof OrderAccepted e) return state.orderChanged(e, o -> o.accepted(e.venueOrderId(), e.tsEvent())).settled();
    if (event instanceof OrderRejected e)
      return state.orderChanged(e, o -> o.rejected(e.reason(), e.tsEvent()), strategyAfter(strategy, state, e)).settled();
    if (event instanceof OrderStatusUnknown e) return state.orderChanged(e, o -> o.unknown(e.reason(), e.tsEvent())).settled();
    if (event instanceof OrderModifyRequested e)
      return state.orderChanged(e, o -> o.modifyRequested(e.trigger(), e.exitReason(), e.tsEvent()));
    if (event instanceof OrderModified e) return state.orderChanged(e, o -> o.modifyConfirmed(e.tsEvent())).settled();
    if (event instanceof OrderModifyRefused e) return state.orderChanged(e, o -> o.modifyFailed(e.reason(), e.tsEvent())).settled();
    if (event instanceof OrderCancelRequested e) return state.orderChanged(e, o -> o.cancelRequested(e.tsEvent()));
    if (event instanceof OrderCancelRefused e) return state.orderChanged(e, o -> o.cancelFailed(e.reason(), e.tsEvent())).settled();
    if (event instanceof OrderCanceled e)
      return state.orderChanged(e, o -> o.status().isClosed() ? o : o.closed(OrderStatus.CANCELED, e.tsEvent()), strategyAfter(strategy, state, e))
          .settled();
    if (event instanceof OrderLost e)
      return state.orderChanged(e, o -> o.rejected(e.reason(), e.tsEvent()), strategyAfter(strategy, state, e)).settled();
    if (event instanceof OrderReconciled e) return state.orderChanged(e, o -> endsWithoutFill(e.status())
        ? o.accepted(e.venueOrderId(), e.tsEvent()).closed(e.status(), e.tsEvent())
        : o.accepted(e.venueOrderId(), e.tsEvent()), strategyAfter(strategy, state, e)).settled();
    if (event instanceof OrderFilled e) return state.orderFilled(e, strategyAfter(strategy, state, e));
    if (event instanceof FailedOrdersRemoved e) return state.withoutOrders(e.clientOrderIds());
    throw new IllegalArgumentException("not a symbol trader's event: " + event);
  }

  /** The strategy's state after {@code event}: the journaled one, or for a journal of v0.1 the same pure strategy's answer. */
  private static StrategyState strategyAfter(Strategy strategy, State state, StrategyEvent event) {
    return event.strategy() != null ? event.strategy() : decide(strategy, state, event).state();
  }
}
