package dev.ordo.broker.paper;

import dev.ordo.engine.venue.BarFillModel;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The paper broker's venue for one account: order book, trade book, positions and cash,
 * event-sourced so they survive a restart as a real broker's would. Orders are matched against
 * replayed bars with the {@link BarFillModel}; an order is only matched against a bar that opens
 * at or after its acceptance. After an instrument's session has closed, a market order fills at
 * once at the session's last close (as in NSE's post-closing session, which trades at the
 * closing price), stamped with the open time of that last bar.
 *
 * <p>Fills are published through {@code publisher}; a match answers only once the publisher has
 * acknowledged every fill. Session tokens live only in memory: after a restart clients log in again.
 */
public final class PaperVenue extends EventSourcedBehavior<PaperVenue.Command, PaperVenue.Event, PaperVenue.State> {

  /** Protocol of the venue; local to its JVM. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Funds the account once (a no-op when already funded). */
  public record Open(Map<String, BigDecimal> cash, ActorRef<Done> replyTo) implements Command {}

  public record Login(ActorRef<BrokerResult<SessionToken>> replyTo) implements Command {}

  public record Place(SessionToken token, OrderRequest request, ActorRef<BrokerResult<VenueOrderId>> replyTo) implements Command {}

  public record Modify(SessionToken token, VenueOrderId order, Price trigger, Price limit, ActorRef<BrokerResult<VenueOrderId>> replyTo)
      implements Command {}

  public record Cancel(SessionToken token, VenueOrderId order, ActorRef<BrokerResult<VenueOrderId>> replyTo) implements Command {}

  /** Runs {@code query} on the state after checking the token. */
  public record Query<T>(SessionToken token, Function<State, T> query, ActorRef<BrokerResult<T>> replyTo) implements Command {}

  /** Matches working orders of the bar's instrument against {@code bar}. Answered when fills are acknowledged. */
  public record MatchBar(Bar bar, ActorRef<BrokerResult<Integer>> replyTo) implements Command {}

  /** The session of the instrument of {@code lastBar} closed with that bar. */
  public record CloseSession(Bar lastBar, ActorRef<Done> replyTo) implements Command {}

  private record Published(List<Fill> fills, Throwable failure, ActorRef<?> replyTo, Object answer) implements Command {}

  /** Journaled facts of the venue. */
  public sealed interface Event extends OrdoSerializable {}

  public record AccountFunded(AccountId account, Map<String, BigDecimal> cash, Instant tsEvent) implements Event {}

  public record OrderAccepted(AccountId account, VenueOrder order, Instant tsEvent) implements Event {}

  public record OrderRejected(AccountId account, VenueOrder order, Instant tsEvent) implements Event {}

  public record OrderModified(AccountId account, VenueOrderId venueOrderId, Price trigger, Price limit, Instant tsEvent) implements Event {}

  public record OrderCanceled(AccountId account, VenueOrderId venueOrderId, Instant tsEvent) implements Event {}

  /** One execution; {@code fill.tsEvent} is the open time of the bar it was matched against. */
  public record TradeExecuted(AccountId account, Fill fill, Instant tsEvent) implements Event {}

  /**
   * State of the venue.
   *
   * @param cash      available cash by currency
   * @param positions by instrument id text
   */
  public record State(
      boolean funded,
      List<VenueOrder> openOrders,
      List<VenueOrder> closedOrders,
      List<Fill> trades,
      Map<String, BigDecimal> cash,
      Map<String, PositionReport> positions,
      long orderSequence,
      long tradeSequence)
      implements OrdoSerializable {

    /** The order with {@code id}, open or closed, or empty. */
    public Optional<VenueOrder> order(VenueOrderId id) {
      for (VenueOrder o : openOrders) if (o.venueOrderId().equals(id)) return Optional.of(o);
      for (VenueOrder o : closedOrders) if (o.venueOrderId().equals(id)) return Optional.of(o);
      return Optional.empty();
    }

    /** The order book: open orders, then closed ones. */
    public List<OrderReport> orderBook() {
      List<OrderReport> book = new ArrayList<>();
      closedOrders.forEach(o -> book.add(o.toReport()));
      openOrders.forEach(o -> book.add(o.toReport()));
      return book;
    }

    /** Cash held by working buy orders, by currency. */
    public Map<String, BigDecimal> reserved() {
      Map<String, BigDecimal> reserved = new TreeMap<>();
      for (VenueOrder o : openOrders) reserved.merge(o.currency(), o.reservedCash(), BigDecimal::add);
      return reserved;
    }
  }

  private final AccountId account;
  private final Map<InstrumentId, Instrument> instruments;
  private final Clock clock;
  private final Function<List<Fill>, CompletionStage<Done>> publisher;
  private final ActorContext<Command> context;
  private final SecureRandom random = new SecureRandom();
  /** Tokens issued since this venue started (not journaled: secrets). */
  private final Map<String, SessionToken> tokens = new HashMap<>();
  /** Open time of the last bar matched, per instrument (from trades on recovery, then from bars). */
  private final Map<InstrumentId, OffsetDateTime> lastMatched = new HashMap<>();
  /** Last bar of instruments whose session is closed. */
  private final Map<InstrumentId, Bar> closedSessions = new HashMap<>();
  /** Last price seen per instrument, for reserving cash of market buys. */
  private final Map<InstrumentId, Price> lastPrice = new HashMap<>();

  /**
   * @param instruments known instruments (orders for others are rejected)
   * @param publisher   delivers fills to the engine; its stage completes when they are journaled
   */
  public static Behavior<Command> create(AccountId account, Map<InstrumentId, Instrument> instruments, Clock clock,
      Function<List<Fill>, CompletionStage<Done>> publisher) {
    return Behaviors.setup(context -> new PaperVenue(context, account, instruments, clock, publisher));
  }

  private PaperVenue(ActorContext<Command> context, AccountId account, Map<InstrumentId, Instrument> instruments, Clock clock,
      Function<List<Fill>, CompletionStage<Done>> publisher) {
    super(PersistenceId.of("PaperVenue", account.value()), dev.ordo.engine.JournalFailures.BACKOFF);
    this.context = context;
    this.account = account;
    this.instruments = Map.copyOf(instruments);
    this.clock = clock;
    this.publisher = publisher;
  }

  @Override
  public State emptyState() {
    return new State(false, List.of(), List.of(), List.of(), Map.of(), Map.of(), 0, 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Open.class, this::onOpen)
        .onCommand(Login.class, this::onLogin)
        .onCommand(Place.class, this::onPlace)
        .onCommand(Modify.class, this::onModify)
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(Query.class, this::onQuery)
        .onCommand(MatchBar.class, this::onMatchBar)
        .onCommand(CloseSession.class, this::onCloseSession)
        .onCommand(Published.class, this::onPublished)
        .build();
  }

  private Effect<Event, State> onOpen(State state, Open open) {
    if (state.funded()) return Effect().none().thenRun(s -> open.replyTo().tell(Done.getInstance()));
    return Effect().persist(new AccountFunded(account, Map.copyOf(open.cash()), clock.instant()))
        .thenRun(s -> open.replyTo().tell(Done.getInstance()));
  }

  private Effect<Event, State> onLogin(State state, Login login) {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    SessionToken token = new SessionToken(HexFormat.of().formatHex(bytes), "paper-" + account, clock.instant());
    tokens.put(token.value(), token);
    login.replyTo().tell(BrokerResult.ok(token));
    return Effect().none();
  }

  private boolean invalid(SessionToken token) {
    return token == null || !tokens.containsKey(token.value());
  }

  private static <T> BrokerResult<T> expired() {
    return BrokerResult.error(new BrokerError.AuthExpired("900901 Invalid Credentials"));
  }

  private static <T> BrokerResult<T> rejected(String reason) {
    return BrokerResult.error(new BrokerError.Rejected(reason));
  }

  private Effect<Event, State> onPlace(State state, Place place) {
    if (invalid(place.token())) return reply(place.replyTo(), expired());
    OrderRequest request = place.request();
    Instant now = clock.instant();
    VenueOrderId id = VenueOrderId.of(Long.toString(1_000_000_000L + state.orderSequence() + 1));
    Instrument instrument = instruments.get(request.instrumentId());
    String currency = instrument == null ? "?" : instrument.currency();
    String problem = validate(request, instrument);
    BigDecimal reserve = BigDecimal.ZERO;
    if (problem == null && request.side() == OrderSide.BUY) {
      Price reference = request.type() == OrderType.MARKET || request.type() == OrderType.STOP_MARKET && request.trigger() == null
          ? lastPrice.get(request.instrumentId())
          : request.limit() != null ? request.limit() : request.trigger();
      if (reference == null) problem = "no price known yet for " + request.instrumentId();
      else {
        reserve = reference.value().multiply(request.quantity().value());
        BigDecimal available = state.cash().getOrDefault(currency, BigDecimal.ZERO);
        if (reserve.compareTo(available) > 0)
          problem = "insufficient funds: order needs " + reserve.toPlainString() + " " + currency + ", available " + available.toPlainString();
      }
    }
    VenueOrder order = new VenueOrder(id, request.clientOrderId(), request.instrumentId(), request.side(), request.type(), request.quantity(),
        Quantity.ZERO, null, request.trigger(), request.limit(), problem == null ? OrderStatus.ACCEPTED : OrderStatus.REJECTED, problem, now,
        problem == null ? reserve : BigDecimal.ZERO, currency);
    if (problem != null) {
      String reason = problem;
      return Effect().persist(new OrderRejected(account, order, now)).thenRun(s -> place.replyTo().tell(rejected(reason)));
    }
    Bar closedWith = closedSessions.get(request.instrumentId());
    if (closedWith != null && request.type() == OrderType.MARKET) {
      // After the close a market order trades at the closing price.
      List<Event> events = new ArrayList<>();
      events.add(new OrderAccepted(account, order, now));
      Fill fill = fill(state.tradeSequence() + 1, order, closedWith.close(), closedWith.tsOpen());
      events.add(new TradeExecuted(account, fill, now));
      return Effect().persist(events).thenRun(s -> publish(List.of(fill), place.replyTo(), BrokerResult.ok(id)));
    }
    return Effect().persist(new OrderAccepted(account, order, now)).thenRun(s -> place.replyTo().tell(BrokerResult.ok(id)));
  }

  private static String validate(OrderRequest request, Instrument instrument) {
    if (instrument == null) return "unknown instrument " + request.instrumentId();
    if (!request.quantity().isPositive()) return "quantity must be positive, got " + request.quantity();
    if (request.quantity().value().remainder(instrument.lotSize()).signum() != 0)
      return "quantity " + request.quantity() + " is not a multiple of the lot size " + instrument.lotSize().toPlainString();
    boolean needsTrigger = request.type() == OrderType.STOP_MARKET || request.type() == OrderType.STOP_LIMIT;
    boolean needsLimit = request.type() == OrderType.LIMIT || request.type() == OrderType.STOP_LIMIT;
    if (needsTrigger && (request.trigger() == null || request.trigger().value().signum() <= 0))
      return request.type() + " order needs a positive trigger price";
    if (needsLimit && (request.limit() == null || request.limit().value().signum() <= 0))
      return request.type() + " order needs a positive limit price";
    return null;
  }

  private Effect<Event, State> onModify(State state, Modify modify) {
    if (invalid(modify.token())) return reply(modify.replyTo(), expired());
    Optional<VenueOrder> order = state.order(modify.order());
    if (order.isEmpty()) return reply(modify.replyTo(), rejected("unknown order " + modify.order()));
    if (!order.get().isOpen()) return reply(modify.replyTo(), rejected("order " + modify.order() + " is not open: " + order.get().status()));
    if (modify.trigger() != null && modify.trigger().value().signum() <= 0 || modify.limit() != null && modify.limit().value().signum() <= 0)
      return reply(modify.replyTo(), rejected("prices must be positive"));
    return Effect().persist(new OrderModified(account, modify.order(), modify.trigger(), modify.limit(), clock.instant()))
        .thenRun(s -> modify.replyTo().tell(BrokerResult.ok(modify.order())));
  }

  private Effect<Event, State> onCancel(State state, Cancel cancel) {
    if (invalid(cancel.token())) return reply(cancel.replyTo(), expired());
    Optional<VenueOrder> order = state.order(cancel.order());
    if (order.isEmpty()) return reply(cancel.replyTo(), rejected("unknown order " + cancel.order()));
    if (!order.get().isOpen()) return reply(cancel.replyTo(), rejected("order " + cancel.order() + " is not open: " + order.get().status()));
    return Effect().persist(new OrderCanceled(account, cancel.order(), clock.instant()))
        .thenRun(s -> cancel.replyTo().tell(BrokerResult.ok(cancel.order())));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Effect<Event, State> onQuery(State state, Query query) {
    if (invalid(query.token())) return reply(query.replyTo(), expired());
    query.replyTo().tell(BrokerResult.ok(query.query().apply(state)));
    return Effect().none();
  }

  private Effect<Event, State> onMatchBar(State state, MatchBar match) {
    Bar bar = match.bar();
    InstrumentId instrument = bar.instrumentId();
    OffsetDateTime previous = lastMatched.get(instrument);
    if (previous != null && !bar.tsOpen().isAfter(previous)) {
      // Matched before a restart: deliver its fills again (applied once downstream by trade id).
      List<Fill> again = state.trades().stream()
          .filter(f -> f.instrumentId().equals(instrument) && f.tsEvent().isEqual(bar.tsOpen())).toList();
      publish(again, match.replyTo(), BrokerResult.ok(again.size()));
      return Effect().none();
    }
    lastMatched.put(instrument, bar.tsOpen());
    closedSessions.remove(instrument);
    lastPrice.put(instrument, bar.close());
    List<Event> events = new ArrayList<>();
    List<Fill> fills = new ArrayList<>();
    long tradeSequence = state.tradeSequence();
    Instant now = clock.instant();
    for (VenueOrder order : state.openOrders()) {
      if (!order.instrumentId().equals(instrument) || order.acceptedAt().isAfter(bar.tsOpen().toInstant())) continue;
      Optional<Price> price = BarFillModel.match(order.type(), order.side(), order.trigger(), order.limit(), bar);
      if (price.isEmpty()) continue;
      Fill fill = fill(++tradeSequence, order, price.get(), bar.tsOpen());
      fills.add(fill);
      events.add(new TradeExecuted(account, fill, now));
    }
    if (events.isEmpty()) {
      match.replyTo().tell(BrokerResult.ok(0));
      return Effect().none();
    }
    return Effect().persist(events).thenRun(s -> publish(fills, match.replyTo(), BrokerResult.ok(fills.size())));
  }

  private Effect<Event, State> onCloseSession(State state, CloseSession close) {
    closedSessions.put(close.lastBar().instrumentId(), close.lastBar());
    lastPrice.put(close.lastBar().instrumentId(), close.lastBar().close());
    close.replyTo().tell(Done.getInstance());
    return Effect().none();
  }

  private Fill fill(long tradeSequence, VenueOrder order, Price price, OffsetDateTime at) {
    Quantity quantity = order.quantity().minus(order.filledQuantity());
    return new Fill(TradeId.of("T" + tradeSequence), order.clientOrderId(), order.venueOrderId(), order.instrumentId(), order.side(),
        quantity, price, at);
  }

  /** Publishes {@code fills}, then sends {@code answer} (or a failure) to {@code replyTo}. */
  private void publish(List<Fill> fills, ActorRef<?> replyTo, Object answer) {
    if (fills.isEmpty()) {
      tell(replyTo, answer);
      return;
    }
    CompletionStage<Done> delivered;
    try {
      delivered = publisher.apply(fills);
    } catch (RuntimeException e) {
      delivered = CompletableFuture.failedFuture(e);
    }
    context.pipeToSelf(delivered, (done, failure) -> new Published(fills, failure, replyTo, answer));
  }

  private Effect<Event, State> onPublished(State state, Published published) {
    if (published.failure() != null) {
      context.getLog().error("Fills {} not acknowledged by the engine: {}", published.fills().stream().map(Fill::tradeId).toList(),
          published.failure().toString());
      tell(published.replyTo(), BrokerResult.error(new BrokerError.Unavailable("fills not acknowledged: " + published.failure())));
    } else {
      tell(published.replyTo(), published.answer());
    }
    return Effect().none();
  }

  @SuppressWarnings("unchecked")
  private static void tell(ActorRef<?> replyTo, Object message) {
    ((ActorRef<Object>) replyTo).tell(message);
  }

  private <T> Effect<Event, State> reply(ActorRef<BrokerResult<T>> replyTo, BrokerResult<T> result) {
    replyTo.tell(result);
    return Effect().none();
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((State state, Event event) -> apply(state, event));
  }

  private State apply(State state, Event event) {
    if (event instanceof AccountFunded e)
      return new State(true, state.openOrders(), state.closedOrders(), state.trades(), Map.copyOf(e.cash()), state.positions(),
          state.orderSequence(), state.tradeSequence());
    if (event instanceof OrderAccepted e) {
      List<VenueOrder> open = new ArrayList<>(state.openOrders());
      open.add(e.order());
      Map<String, BigDecimal> cash = adjust(state.cash(), e.order().currency(), e.order().reservedCash().negate());
      return new State(state.funded(), List.copyOf(open), state.closedOrders(), state.trades(), cash, state.positions(),
          state.orderSequence() + 1, state.tradeSequence());
    }
    if (event instanceof OrderRejected e) {
      List<VenueOrder> closed = new ArrayList<>(state.closedOrders());
      closed.add(e.order());
      return new State(state.funded(), state.openOrders(), List.copyOf(closed), state.trades(), state.cash(), state.positions(),
          state.orderSequence() + 1, state.tradeSequence());
    }
    if (event instanceof OrderModified e) {
      return replaceOpen(state, e.venueOrderId(), o -> o.withPrices(e.trigger(), e.limit()), state.cash());
    }
    if (event instanceof OrderCanceled e) {
      VenueOrder order = state.order(e.venueOrderId()).orElseThrow();
      Map<String, BigDecimal> cash = adjust(state.cash(), order.currency(), order.reservedCash());
      return replaceOpen(state, e.venueOrderId(), o -> o.withStatus(OrderStatus.CANCELED), cash);
    }
    if (event instanceof TradeExecuted e) return applyTrade(state, e.fill());
    return state;
  }

  private State applyTrade(State state, Fill fill) {
    VenueOrder order = state.order(fill.venueOrderId()).orElseThrow();
    BigDecimal notional = fill.lastPx().value().multiply(fill.lastQty().value());
    VenueOrder updated = order.filled(fill.lastQty(), fill.lastPx());
    Map<String, BigDecimal> cash = state.cash();
    if (fill.side() == OrderSide.BUY) {
      // Release what this order held (pro rata when partially filled), then pay.
      BigDecimal release = updated.status() == OrderStatus.FILLED ? order.reservedCash()
          : order.reservedCash().multiply(fill.lastQty().value()).divide(order.quantity().value(), 8, java.math.RoundingMode.HALF_EVEN);
      cash = adjust(cash, order.currency(), release.subtract(notional));
      if (updated.status() != OrderStatus.FILLED) updated = withReserved(updated, order.reservedCash().subtract(release));
    } else {
      cash = adjust(cash, order.currency(), notional);
    }
    State next = replaceOpen(state, order.venueOrderId(), o -> null, cash);
    List<VenueOrder> open = new ArrayList<>(next.openOrders());
    List<VenueOrder> closed = new ArrayList<>(next.closedOrders());
    if (updated.isOpen()) open.add(updated);
    else closed.add(updated);
    List<Fill> trades = new ArrayList<>(state.trades());
    trades.add(fill);
    Map<String, PositionReport> positions = new TreeMap<>(state.positions());
    String key = fill.instrumentId().toString();
    PositionReport p = positions.getOrDefault(key,
        new PositionReport(fill.instrumentId(), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO));
    BigDecimal q = fill.lastQty().value();
    positions.put(key, fill.side() == OrderSide.BUY
        ? new PositionReport(p.instrumentId(), p.buyQuantity().add(q), p.sellQuantity(), p.buyAmount().add(notional), p.sellAmount(),
            p.netQuantity().add(q))
        : new PositionReport(p.instrumentId(), p.buyQuantity(), p.sellQuantity().add(q), p.buyAmount(), p.sellAmount().add(notional),
            p.netQuantity().subtract(q)));
    return new State(state.funded(), List.copyOf(open), List.copyOf(closed), List.copyOf(trades), cash, Map.copyOf(positions),
        state.orderSequence(), state.tradeSequence() + 1);
  }

  private static VenueOrder withReserved(VenueOrder o, BigDecimal reserved) {
    return new VenueOrder(o.venueOrderId(), o.clientOrderId(), o.instrumentId(), o.side(), o.type(), o.quantity(), o.filledQuantity(),
        o.averagePrice(), o.trigger(), o.limit(), o.status(), o.rejectReason(), o.acceptedAt(), reserved, o.currency());
  }

  /** Replaces (or, when {@code change} gives null, removes) an open order; a closed result moves to the closed list. */
  private static State replaceOpen(State state, VenueOrderId id, Function<VenueOrder, VenueOrder> change, Map<String, BigDecimal> cash) {
    List<VenueOrder> open = new ArrayList<>(state.openOrders().size());
    List<VenueOrder> closed = state.closedOrders();
    for (VenueOrder o : state.openOrders()) {
      if (!o.venueOrderId().equals(id)) {
        open.add(o);
        continue;
      }
      VenueOrder changed = change.apply(o);
      if (changed == null) continue;
      if (changed.isOpen()) open.add(changed);
      else {
        List<VenueOrder> more = new ArrayList<>(closed);
        more.add(changed);
        closed = List.copyOf(more);
      }
    }
    return new State(state.funded(), List.copyOf(open), closed, state.trades(), cash, state.positions(), state.orderSequence(),
        state.tradeSequence());
  }

  private static Map<String, BigDecimal> adjust(Map<String, BigDecimal> cash, String currency, BigDecimal delta) {
    if (delta.signum() == 0) return cash;
    Map<String, BigDecimal> next = new TreeMap<>(cash);
    next.merge(currency, delta, BigDecimal::add);
    return Map.copyOf(next);
  }

  /** Cash limits of {@code state}. */
  public static AccountLimits limits(State state) {
    return new AccountLimits(state.cash(), state.reserved());
  }
}
