package dev.ordo.engine.trading;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.GatewayLink;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
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
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.Decision;
import dev.ordo.engine.strategy.OrderAction;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.strategy.StrategyState;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * strategy's working orders by {@link ClientOrderId}, and keeps its closed round trips.
 * Sharded by {@code account:instrument} and event-sourced, so every decision is in the journal.
 *
 * <p>Rules it enforces: an order intent ({@link OrderSubmitted}, with its ClientOrderId) is
 * journaled before the order is sent; an order's ids change only when the broker's reply for
 * that exact ClientOrderId is handled; a fill is applied once per {@link TradeId}; a bar (and a
 * session end) is applied once, so a replay resumed after a stop never applies a bar twice. The
 * answer to a market-data command ({@link OpenBar}, {@link CloseBar}, {@link EndSession}) is sent
 * once the broker has answered every order request it caused, which is what makes a replay
 * deterministic at any speed.
 */
public final class SymbolTrader
    extends EventSourcedBehaviorWithEnforcedReplies<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "SymbolTrader");

  private static final int CLOSED_ORDERS_KEPT = 20;

  /**
   * What a symbol trader needs from its surroundings.
   *
   * @param strategies the strategy of each instrument (pure; its parameters must stay the same for a journal)
   * @param clock      the engine clock (the replay clock in a replay); stamps {@code tsEvent}
   */
  public record Dependencies(Function<InstrumentId, Strategy> strategies, Clock clock) {}

  /** Registers the entity type with Cluster Sharding. */
  public static void init(ActorSystem<?> system, Dependencies dependencies) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> create(entityContext.getEntityId(), dependencies)));
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
    return Behaviors.setup(context -> new SymbolTrader(context, account, instrument, dependencies));
  }

  // ---------------------------------------------------------------- commands

  /** Protocol of the symbol trader. */
  public sealed interface Command extends OrdoSerializable {}

  /** Bar opening at {@code tsOpen}: session roll-over and time-based exits. Answered when the broker has answered. */
  public record OpenBar(OffsetDateTime tsOpen, ActorRef<Done> replyTo) implements Command {}

  /** Bar {@code bar} is complete. Answered when the broker has answered the orders it caused. */
  public record CloseBar(Bar bar, ActorRef<Done> replyTo) implements Command {}

  /** The session of local date {@code session} is over (after its last bar). */
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
  public record ReconcileOrder(ClientOrderId clientOrderId, dev.ordo.engine.port.OrderReport report, ActorRef<Done> replyTo)
      implements Command {}

  /** Asks how far the market data has been applied. */
  public record GetProgress(ActorRef<Progress> replyTo) implements Command {}

  /** Answer to {@link GetProgress}: the last bar applied and the last session ended, null when none. */
  public record Progress(InstrumentId instrument, OffsetDateTime lastBarApplied, LocalDate lastSessionEnded) implements OrdoSerializable {}

  private record BrokerReplied(BrokerCall.Reply reply) implements Command {}

  /** The receptionist's listing of the account's broker gateway (local: never serialized). */
  private record GatewayListed(org.apache.pekko.actor.typed.receptionist.Receptionist.Listing listing)
      implements Command, org.apache.pekko.actor.NoSerializationVerificationNeeded {}

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

  /** A bar opened and changed the strategy's state (new session, session exit). */
  public record BarOpened(AccountId account, InstrumentId instrument, OffsetDateTime tsOpen, Instant tsEvent) implements Event {}

  /** A complete bar was applied to the strategy. */
  public record BarApplied(AccountId account, InstrumentId instrument, Bar bar, Instant tsEvent) implements Event {}

  /** A session ended. */
  public record SessionEnded(AccountId account, InstrumentId instrument, LocalDate session, Instant tsEvent) implements Event {}

  /** An order intent, journaled before the order is sent. */
  public record OrderSubmitted(
      AccountId account,
      InstrumentId instrument,
      ClientOrderId clientOrderId,
      OrderRole role,
      OrderSide side,
      OrderType type,
      Quantity quantity,
      Price trigger,
      Price limit,
      String exitReason,
      Instant tsEvent)
      implements Event {}

  /**
   * A held order (an exit waiting for the cancellation of the stop it replaces) is released: the
   * cancellation was confirmed, so the order is sent now.
   */
  public record OrderReleased(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  /** The broker accepted the order with {@code clientOrderId} and gave it {@code venueOrderId}. */
  public record OrderAccepted(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, VenueOrderId venueOrderId, Instant tsEvent)
      implements Event {}

  /** The order was refused (by the broker, or not sent because no token could be had). */
  public record OrderRejected(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements Event {}

  /** The outcome of sending the order is unknown (timeout); only reconciliation resolves it. */
  public record OrderStatusUnknown(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements Event {}

  /** A new trigger was requested for the order (a stop raised). */
  public record OrderModifyRequested(
      AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Price trigger, String exitReason, Instant tsEvent)
      implements Event {}

  /** The broker confirmed the requested modification. */
  public record OrderModified(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  /** The broker refused the modification; the order keeps its previous trigger. */
  public record OrderModifyRefused(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements Event {}

  /** A cancellation was requested. */
  public record OrderCancelRequested(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  /** The broker confirmed the cancellation. */
  public record OrderCanceled(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, Instant tsEvent) implements Event {}

  /** The broker refused the cancellation (for instance because the order had filled). */
  public record OrderCancelRefused(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements Event {}

  /** Reconciliation found the order at the broker with {@code status}; an UNKNOWN order is known again. */
  public record OrderReconciled(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, VenueOrderId venueOrderId,
      OrderStatus status, Instant tsEvent) implements Event {}

  /** Reconciliation did not find an UNKNOWN order at the broker: it was never placed. */
  public record OrderLost(AccountId account, InstrumentId instrument, ClientOrderId clientOrderId, String reason, Instant tsEvent)
      implements Event {}

  /** A fill of one of the trader's orders. */
  public record OrderFilled(AccountId account, InstrumentId instrument, Fill fill, OrderRole role, Instant tsEvent) implements Event {}

  // ---------------------------------------------------------------- state

  /** An entry not yet closed: quantity held, average entry price, time of the first entry fill. */
  public record OpenTrade(Quantity quantity, Price averagePrice, OffsetDateTime entryTime) implements OrdoSerializable {}

  /**
   * State of a symbol trader.
   *
   * @param strategy         the strategy's own state
   * @param orders           working orders and the last few closed ones, oldest first
   * @param orderSequence    number of orders submitted so far (source of ClientOrderIds)
   * @param lastBarApplied   open time of the last complete bar applied, null before the first
   * @param lastSessionEnded the last session ended, null before the first
   * @param openTrade        the open entry, null when flat
   * @param roundTrips       closed trades, oldest first
   * @param appliedTradeIds  trade ids already applied
   */
  public record State(
      InstrumentId instrument,
      StrategyState strategy,
      List<OrderRecord> orders,
      long orderSequence,
      OffsetDateTime lastBarApplied,
      LocalDate lastSessionEnded,
      OpenTrade openTrade,
      List<RoundTrip> roundTrips,
      Set<TradeId> appliedTradeIds)
      implements OrdoSerializable {

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

    /** True while a request to the broker awaits its answer. */
    public boolean hasRequestsInFlight() {
      for (OrderRecord o : orders) if (o.isInFlight()) return true;
      return false;
    }

    State withStrategy(StrategyState next) {
      return new State(instrument, next, orders, orderSequence, lastBarApplied, lastSessionEnded, openTrade, roundTrips, appliedTradeIds);
    }

    State withOrder(OrderRecord updated) {
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
      return new State(instrument, strategy, List.copyOf(next), orderSequence, lastBarApplied, lastSessionEnded, openTrade, roundTrips,
          appliedTradeIds);
    }
  }

  // ---------------------------------------------------------------- behavior

  private final ActorContext<Command> context;
  private final AccountId account;
  private final InstrumentId instrument;
  private final Strategy strategy;
  private final Dependencies dependencies;
  private final ActorRef<BrokerCall.Reply> brokerReplies;
  private final GatewayLink gateway;
  /** Answers owed to market-data commands, sent once no broker request is in flight. Not journaled: a restart drops them with their senders' asks. */
  private final List<ActorRef<Done>> awaitingBroker = new ArrayList<>();

  private SymbolTrader(ActorContext<Command> context, AccountId account, InstrumentId instrument, Dependencies dependencies) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId(account, instrument)), JournalFailures.BACKOFF);
    this.context = context;
    this.account = account;
    this.instrument = instrument;
    this.strategy = Objects.requireNonNull(dependencies.strategies().apply(instrument), "no strategy for " + instrument);
    this.dependencies = dependencies;
    this.brokerReplies = context.messageAdapter(BrokerCall.Reply.class, BrokerReplied::new);
    this.gateway = GatewayLink.subscribe(context, account, GatewayListed::new);
  }

  @Override
  public State emptyState() {
    return new State(instrument, strategy.initialState(), List.of(), 0, null, null, null, List.of(), Set.of());
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
        .onCommand(OpenBar.class, this::onOpenBar)
        .onCommand(CloseBar.class, this::onCloseBar)
        .onCommand(EndSession.class, this::onEndSession)
        .onCommand(ApplyFill.class, this::onApplyFill)
        .onCommand(BrokerReplied.class, this::onBrokerReplied)
        .onCommand(GatewayListed.class, (state, listed) -> {
          gateway.onListing(listed.listing());
          return Effect().noReply();
        })
        .onCommand(ResolveInterruptedRequests.class, this::onResolveInterrupted)
        .onCommand(ReconcileOrder.class, this::onReconcileOrder)
        .onCommand(GetState.class, (state, command) -> Effect().reply(command.replyTo(), state))
        .onCommand(GetProgress.class, (state, command) ->
            Effect().reply(command.replyTo(), new Progress(instrument, state.lastBarApplied(), state.lastSessionEnded())))
        .build();
  }

  private ReplyEffect<Event, State> onOpenBar(State state, OpenBar command) {
    if (state.lastBarApplied() != null && !command.tsOpen().isAfter(state.lastBarApplied()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    Decision decision = strategy.onBarOpen(state.strategy(), command.tsOpen());
    if (decision.actions().isEmpty() && decision.state().equals(state.strategy()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = dependencies.clock().instant();
    return decide(state, new BarOpened(account, instrument, command.tsOpen(), now), decision, now, command.replyTo());
  }

  private ReplyEffect<Event, State> onCloseBar(State state, CloseBar command) {
    Bar bar = command.bar();
    if (!bar.instrumentId().equals(instrument)) {
      context.getLog().error("Bar of {} sent to the trader of {}; ignored", bar.instrumentId(), instrument);
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    if (state.lastBarApplied() != null && !bar.tsOpen().isAfter(state.lastBarApplied()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = dependencies.clock().instant();
    return decide(state, new BarApplied(account, instrument, bar, now), strategy.onBar(state.strategy(), bar), now, command.replyTo());
  }

  private ReplyEffect<Event, State> onEndSession(State state, EndSession command) {
    if (state.lastSessionEnded() != null && !command.session().isAfter(state.lastSessionEnded()))
      return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = dependencies.clock().instant();
    return decide(state, new SessionEnded(account, instrument, command.session(), now),
        strategy.onSessionEnd(state.strategy(), command.session()), now, command.replyTo());
  }

  /** Journals the market-data event and the order requests of the decision, sends them, and answers once the broker has. */
  private ReplyEffect<Event, State> decide(State state, Event marketEvent, Decision decision, Instant now, ActorRef<Done> replyTo) {
    List<Event> events = new ArrayList<>();
    events.add(marketEvent);
    events.addAll(orderEvents(state, decision, now));
    awaitingBroker.add(replyTo);
    return Effect().persist(events).thenRun(next -> {
      dispatch(next, events);
      answerIfIdle(next);
    }).thenNoReply();
  }

  private List<Event> orderEvents(State state, Decision decision, Instant now) {
    List<Event> events = new ArrayList<>();
    long sequence = state.orderSequence();
    for (OrderAction action : decision.actions()) {
      if (action instanceof OrderAction.Place place) {
        sequence++;
        ClientOrderId id = ClientOrderId.of(instrument.symbol() + "-" + sequence);
        events.add(new OrderSubmitted(account, instrument, id, place.role(), place.side(), place.type(), place.quantity(), place.trigger(),
            place.limit(), place.reason(), now));
      } else if (action instanceof OrderAction.ModifyTrigger modify) {
        OrderRecord order = state.working(modify.role());
        if (order == null) context.getLog().warn("{}: strategy moved the {} stop but no such order is working", instrument, modify.role());
        else events.add(new OrderModifyRequested(account, instrument, order.clientOrderId(), modify.trigger(), modify.reason(), now));
      } else if (action instanceof OrderAction.Cancel cancel) {
        OrderRecord order = state.working(cancel.role());
        if (order != null) events.add(new OrderCancelRequested(account, instrument, order.clientOrderId(), now));
      }
    }
    return events;
  }

  /** Sends the broker requests journaled by {@code events}; requests on orders without a venue id wait for it. */
  private void dispatch(State state, List<Event> events) {
    for (Event event : events) {
      if (event instanceof OrderSubmitted || event instanceof OrderReleased) {
        OrderRecord order = state.order(clientOrderIdOf(event));
        if (order != null && order.status() == OrderStatus.SUBMITTED) {
          OrderRequest request = new OrderRequest(order.clientOrderId(), instrument, order.side(), order.type(), order.quantity(), order.trigger(),
              order.limit(), TimeInForce.DAY);
          send(new BrokerCall.PlaceOrder(request));
        }
      } else if (event instanceof OrderModifyRequested || event instanceof OrderCancelRequested || event instanceof OrderAccepted
          || event instanceof OrderReconciled) {
        OrderRecord order = state.order(clientOrderIdOf(event));
        if (order != null) sendDeferred(order);
      }
    }
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

  private void answerIfIdle(State state) {
    if (state.hasRequestsInFlight() || awaitingBroker.isEmpty()) return;
    for (ActorRef<Done> replyTo : awaitingBroker) replyTo.tell(Done.getInstance());
    awaitingBroker.clear();
  }

  private ReplyEffect<Event, State> onApplyFill(State state, ApplyFill command) {
    Fill fill = command.fill();
    if (state.appliedTradeIds().contains(fill.tradeId())) return Effect().reply(command.replyTo(), Done.getInstance());
    OrderRecord order = state.order(fill.clientOrderId());
    if (order == null) {
      context.getLog().warn("{}: fill {} of unknown order {} not applied by the trader", instrument, fill.tradeId(), fill.clientOrderId());
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    Instant now = dependencies.clock().instant();
    Event filled = new OrderFilled(account, instrument, fill, order.role(), now);
    List<Event> events = new ArrayList<>();
    events.add(filled);
    events.addAll(heldOrderOutcome(state, apply(state, filled), filled, now));
    return Effect().persist(events)
        .thenRun(next -> {
          dispatch(next, events);
          answerIfIdle(next);
        })
        .thenReply(command.replyTo(), next -> Done.getInstance());
  }

  private ReplyEffect<Event, State> onBrokerReplied(State state, BrokerReplied replied) {
    Instant now = dependencies.clock().instant();
    BrokerCall.Reply reply = replied.reply();
    Event event = null;
    if (reply instanceof BrokerCall.Placed placed) {
      event = new OrderAccepted(account, instrument, placed.clientOrderId(), placed.venueOrderId(), now);
    } else if (reply instanceof BrokerCall.Modified modified) {
      event = new OrderModified(account, instrument, modified.clientOrderId(), now);
    } else if (reply instanceof BrokerCall.Canceled canceled) {
      event = new OrderCanceled(account, instrument, canceled.clientOrderId(), now);
    } else if (reply instanceof BrokerCall.Failed failed) {
      event = failureEvent(failed, now);
    }
    if (event == null || state.order(clientOrderIdOf(event)) == null) {
      context.getLog().warn("{}: unexpected broker reply {}", instrument, reply);
      return Effect().noReply();
    }
    List<Event> events = new ArrayList<>();
    events.add(event);
    events.addAll(heldOrderOutcome(state, apply(state, event), event, now));
    return Effect().persist(events).thenRun(next -> {
      dispatch(next, events);
      answerIfIdle(next);
    }).thenNoReply();
  }

  /**
   * Held exit orders wait for the stop they replace to end: released when the stop's cancellation
   * is confirmed or the stop turns out never to have existed (rejected, lost); not sent when the
   * stop filled or its cancellation was refused (it may have filled: a second sell would open a
   * short). {@code next} is the state after {@code event}.
   */
  private List<Event> heldOrderOutcome(State before, State next, Event event, Instant now) {
    OrderRecord stopBefore = before.order(clientOrderIdOf(event));
    OrderRecord stop = next.order(clientOrderIdOf(event));
    if (stopBefore == null || stop == null || stop.role() != OrderRole.STOP_LOSS || stopBefore.status().isClosed() && !(event instanceof OrderCancelRefused))
      return List.of();
    boolean refused = event instanceof OrderCancelRefused && stopBefore.cancelPending();
    boolean ended = stop.status().isClosed();
    if (!refused && !ended) return List.of();
    boolean release = !refused && stop.status() != OrderStatus.FILLED && stop.filled().isZero();
    List<Event> outcome = new ArrayList<>();
    for (OrderRecord held : next.orders()) {
      if (held.status() != OrderStatus.INITIALIZED) continue;
      if (release) {
        outcome.add(new OrderReleased(account, instrument, held.clientOrderId(), now));
      } else {
        String why = refused ? "could not be canceled (" + ((OrderCancelRefused) event).reason() + ")" : "filled";
        context.getLog().warn("{}: exit {} not sent: the stop {} {}", instrument, held.clientOrderId(), stop.clientOrderId(), why);
        outcome.add(new OrderRejected(account, instrument, held.clientOrderId(), "not sent: the stop " + why + " and may have closed the position",
            now));
      }
    }
    return outcome;
  }

  private Event failureEvent(BrokerCall.Failed failed, Instant now) {
    BrokerError error = failed.error();
    String reason = error.getClass().getSimpleName() + ": " + error.detail();
    if (failed.call() instanceof BrokerCall.PlaceOrder place) {
      ClientOrderId id = place.request().clientOrderId();
      context.getLog().warn("{}: order {} not placed: {}", instrument, id, reason);
      return error instanceof BrokerError.Timeout
          ? new OrderStatusUnknown(account, instrument, id, reason, now)
          : new OrderRejected(account, instrument, id, reason, now);
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

  /** After a crash, requests that were at the broker have an unknown outcome. */
  private ReplyEffect<Event, State> onResolveInterrupted(State state, ResolveInterruptedRequests command) {
    Instant now = dependencies.clock().instant();
    List<Event> events = new ArrayList<>();
    for (OrderRecord order : state.orders()) {
      if (order.status() == OrderStatus.SUBMITTED)
        events.add(new OrderStatusUnknown(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
      else if (order.status() == OrderStatus.INITIALIZED)
        events.add(new OrderRejected(account, instrument, order.clientOrderId(),
            "not sent: the engine stopped while the order waited for the stop's cancellation", now));
      else if (order.awaitingReply() && order.cancelPending())
        events.add(new OrderCancelRefused(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
      else if (order.awaitingReply())
        events.add(new OrderModifyRefused(account, instrument, order.clientOrderId(), "engine stopped before the broker answered", now));
    }
    if (events.isEmpty()) return Effect().noReply();
    context.getLog().warn("{}: {} broker request(s) interrupted by a restart; marked for reconciliation", instrument, events.size());
    return Effect().persist(events).thenNoReply();
  }

  private ReplyEffect<Event, State> onReconcileOrder(State state, ReconcileOrder command) {
    OrderRecord order = state.order(command.clientOrderId());
    if (order == null) return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = dependencies.clock().instant();
    dev.ordo.engine.port.OrderReport report = command.report();
    if (report == null) {
      if (order.status() != OrderStatus.UNKNOWN) return Effect().reply(command.replyTo(), Done.getInstance());
      context.getLog().warn("{}: order {} of unknown outcome is not at the broker; it was never placed", instrument, order.clientOrderId());
      Event lost = new OrderLost(account, instrument, order.clientOrderId(), "not in the broker's order book", now);
      List<Event> events = new ArrayList<>();
      events.add(lost);
      events.addAll(heldOrderOutcome(state, apply(state, lost), lost, now));
      return Effect().persist(events).thenRun(next -> {
        dispatch(next, events);
        answerIfIdle(next);
      }).thenReply(command.replyTo(), next -> Done.getInstance());
    }
    OrderStatus broker = report.status();
    boolean resolvesUnknown = order.status() == OrderStatus.UNKNOWN;
    boolean brokerEndedIt = !order.status().isClosed() && (broker == OrderStatus.CANCELED || broker == OrderStatus.REJECTED
        || broker == OrderStatus.EXPIRED);
    if (!resolvesUnknown && !brokerEndedIt) return Effect().reply(command.replyTo(), Done.getInstance());
    if (brokerEndedIt && !resolvesUnknown)
      context.getLog().warn("{}: the broker ended order {} ({}) without telling us; reconciled", instrument, order.clientOrderId(), broker);
    Event reconciled = new OrderReconciled(account, instrument, order.clientOrderId(), report.venueOrderId(), broker, now);
    List<Event> events = new ArrayList<>();
    events.add(reconciled);
    events.addAll(heldOrderOutcome(state, apply(state, reconciled), reconciled, now));
    return Effect().persist(events).thenRun(next -> {
      dispatch(next, events);
      answerIfIdle(next);
    }).thenReply(command.replyTo(), next -> Done.getInstance());
  }

  private static ClientOrderId clientOrderIdOf(Event event) {
    if (event instanceof OrderSubmitted e) return e.clientOrderId();
    if (event instanceof OrderAccepted e) return e.clientOrderId();
    if (event instanceof OrderRejected e) return e.clientOrderId();
    if (event instanceof OrderStatusUnknown e) return e.clientOrderId();
    if (event instanceof OrderModifyRequested e) return e.clientOrderId();
    if (event instanceof OrderModified e) return e.clientOrderId();
    if (event instanceof OrderModifyRefused e) return e.clientOrderId();
    if (event instanceof OrderCancelRequested e) return e.clientOrderId();
    if (event instanceof OrderCanceled e) return e.clientOrderId();
    if (event instanceof OrderCancelRefused e) return e.clientOrderId();
    if (event instanceof OrderFilled e) return e.fill().clientOrderId();
    if (event instanceof OrderReconciled e) return e.clientOrderId();
    if (event instanceof OrderReleased e) return e.clientOrderId();
    if (event instanceof OrderLost e) return e.clientOrderId();
    return null;
  }

  // ---------------------------------------------------------------- event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((State state, Event event) -> apply(state, event));
  }

  private State apply(State state, Event event) {
    if (event instanceof BarOpened e) {
      return state.withStrategy(strategy.onBarOpen(state.strategy(), e.tsOpen()).state());
    }
    if (event instanceof BarApplied e) {
      State next = state.withStrategy(strategy.onBar(state.strategy(), e.bar()).state());
      return new State(instrument, next.strategy(), next.orders(), next.orderSequence(), e.bar().tsOpen(), next.lastSessionEnded(),
          next.openTrade(), next.roundTrips(), next.appliedTradeIds());
    }
    if (event instanceof SessionEnded e) {
      State next = state.withStrategy(strategy.onSessionEnd(state.strategy(), e.session()).state());
      return new State(instrument, next.strategy(), next.orders(), next.orderSequence(), next.lastBarApplied(), e.session(),
          next.openTrade(), next.roundTrips(), next.appliedTradeIds());
    }
    if (event instanceof OrderSubmitted e) {
      boolean held = e.role() == OrderRole.EXIT && state.orders().stream()
          .anyMatch(o -> o.role() == OrderRole.STOP_LOSS && o.cancelPending() && !o.status().isClosed());
      OrderRecord order = new OrderRecord(e.clientOrderId(), instrument, e.role(), e.side(), e.type(), e.quantity(), Quantity.ZERO,
          e.trigger(), e.limit(), e.exitReason(), held ? OrderStatus.INITIALIZED : OrderStatus.SUBMITTED, null, null, null, false, false, null,
          e.tsEvent(), e.tsEvent());
      State next = state.withOrder(order);
      return new State(instrument, next.strategy(), next.orders(), state.orderSequence() + 1, next.lastBarApplied(),
          next.lastSessionEnded(), next.openTrade(), next.roundTrips(), next.appliedTradeIds());
    }
    OrderRecord order = state.order(clientOrderIdOf(event));
    if (order == null) return state;
    if (event instanceof OrderAccepted e) return state.withOrder(order.accepted(e.venueOrderId(), e.tsEvent()));
    if (event instanceof OrderReleased e) return state.withOrder(order.withStatus(OrderStatus.SUBMITTED, e.tsEvent()));
    if (event instanceof OrderRejected e)
      return state.withOrder(order.rejected(e.reason(), e.tsEvent()))
          .withStrategy(strategy.onOrderClosed(state.strategy(), order.role(), OrderStatus.REJECTED).state());
    if (event instanceof OrderStatusUnknown e) return state.withOrder(order.unknown(e.reason(), e.tsEvent()));
    if (event instanceof OrderModifyRequested e) return state.withOrder(order.modifyRequested(e.trigger(), e.exitReason(), e.tsEvent()));
    if (event instanceof OrderModified e) return state.withOrder(order.modifyConfirmed(e.tsEvent()));
    if (event instanceof OrderModifyRefused e) return state.withOrder(order.modifyFailed(e.reason(), e.tsEvent()));
    if (event instanceof OrderCancelRequested e) return state.withOrder(order.cancelRequested(e.tsEvent()));
    if (event instanceof OrderCancelRefused e) return state.withOrder(order.cancelFailed(e.reason(), e.tsEvent()));
    if (event instanceof OrderCanceled e) {
      if (order.status().isClosed()) return state;
      return state.withOrder(order.closed(OrderStatus.CANCELED, e.tsEvent()))
          .withStrategy(strategy.onOrderClosed(state.strategy(), order.role(), OrderStatus.CANCELED).state());
    }
    if (event instanceof OrderFilled e) return applyFill(state, order, e);
    if (event instanceof OrderLost e)
      return state.withOrder(order.rejected(e.reason(), e.tsEvent()))
          .withStrategy(strategy.onOrderClosed(state.strategy(), order.role(), OrderStatus.REJECTED).state());
    if (event instanceof OrderReconciled e) {
      OrderRecord known = order.accepted(e.venueOrderId(), e.tsEvent());
      if (e.status() == OrderStatus.CANCELED || e.status() == OrderStatus.REJECTED || e.status() == OrderStatus.EXPIRED)
        return state.withOrder(known.closed(e.status(), e.tsEvent()))
            .withStrategy(strategy.onOrderClosed(state.strategy(), order.role(), e.status()).state());
      return state.withOrder(known);
    }
    return state;
  }

  private State applyFill(State state, OrderRecord order, OrderFilled event) {
    Fill fill = event.fill();
    State next = state.withOrder(order.filled(fill.lastQty(), event.tsEvent()))
        .withStrategy(strategy.onFill(state.strategy(), order.role(), fill.lastQty(), fill.lastPx()).state());
    Set<TradeId> applied = new HashSet<>(state.appliedTradeIds());
    applied.add(fill.tradeId());
    OpenTrade open = state.openTrade();
    List<RoundTrip> roundTrips = state.roundTrips();
    if (fill.side() == OrderSide.BUY) {
      if (open == null) {
        open = new OpenTrade(fill.lastQty(), fill.lastPx(), fill.tsEvent());
      } else {
        Quantity total = open.quantity().plus(fill.lastQty());
        BigDecimal cost = open.averagePrice().value().multiply(open.quantity().value()).add(fill.lastPx().value().multiply(fill.lastQty().value()));
        open = new OpenTrade(total, Price.of(cost.divide(total.value(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros()), open.entryTime());
      }
    } else if (open != null) {
      Quantity closedQuantity = fill.lastQty().compareTo(open.quantity()) > 0 ? open.quantity() : fill.lastQty();
      List<RoundTrip> more = new ArrayList<>(roundTrips);
      more.add(RoundTrip.of(instrument, OrderSide.BUY, closedQuantity, open.entryTime(), open.averagePrice(), fill.tsEvent(), fill.lastPx(),
          order.exitReason()));
      roundTrips = List.copyOf(more);
      Quantity left = open.quantity().minus(closedQuantity);
      open = left.isZero() ? null : new OpenTrade(left, open.averagePrice(), open.entryTime());
    }
    return new State(instrument, next.strategy(), next.orders(), next.orderSequence(), next.lastBarApplied(), next.lastSessionEnded(), open,
        roundTrips, Set.copyOf(applied));
  }
}
