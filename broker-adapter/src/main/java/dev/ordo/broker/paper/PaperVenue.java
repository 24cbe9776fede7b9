package dev.ordo.broker.paper;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.venue.BarFillModel;
import dev.ordo.engine.venue.Product;
import dev.ordo.engine.venue.VenueBook;
import dev.ordo.engine.venue.VenueMarket;
import dev.ordo.engine.venue.VenueOrder;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongFunction;
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
 * The paper broker's venue for one account: a {@link VenueBook} (order book, trade book,
 * positions and cash) event-sourced so it survives a restart as a real broker's would. The command
 * handlers ask the book what happens and journal it; the event handlers apply the journaled data
 * through the book. Orders are intraday ({@link Product#MIS}). The book's rules: it refuses what a
 * broker refuses (tick and lot size, freeze quantity, cash; see {@link VenueBook}); orders are matched against replayed bars with the
 * {@link BarFillModel}, only against bars opening at or after their acceptance; after an
 * instrument's session has closed, a market order fills at once at the session's last close (as in
 * NSE's post-closing session, which trades at the closing price), stamped with the open time of
 * that last bar.
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

  /**
   * Matches {@code bars} (of different instruments, one replay step) in order, as a {@link MatchBar}
   * each; answered once with the number of fills when all are acknowledged.
   */
  public record MatchBars(List<Bar> bars, ActorRef<BrokerResult<Integer>> replyTo) implements Command {}

  /** The session of the instrument of {@code lastBar} closed with that bar. */
  public record CloseSession(Bar lastBar, ActorRef<Done> replyTo) implements Command {}

  /**
   * Sets the venue's market (last prices, closed sessions) to what it was before a restart: each
   * instrument's last bar the engine applied, and whether its session had closed. The market is not
   * journaled (it is the bars'); a resumed replay primes it before it goes on, so an order sent again
   * is decided as it would have been.
   */
  public record PrimeMarket(List<Bar> lastBars, java.util.Set<InstrumentId> sessionClosed, ActorRef<Done> replyTo) implements Command {}

  /**
   * The end of the trading day at {@code at}: every working {@link dev.ordo.engine.model.TimeInForce#DAY}
   * order EXPIRES ({@link OrderExpired} each, its reservation released), as NSE ends every DAY order still
   * working at the session's end; orders of another time in force keep working. Answered with the
   * ClientOrderIds of the orders expired, in acceptance order, once journaled.
   */
  public record ExpireDayOrders(Instant at, ActorRef<List<ClientOrderId>> replyTo) implements Command {}

  private record Published(List<Fill> fills, Throwable failure, ActorRef<?> replyTo, Object answer) implements Command {}

  /** Journaled facts of the venue. */
  public sealed interface Event extends OrdoSerializable {}

  public record AccountFunded(AccountId account, Map<String, BigDecimal> cash, Instant tsEvent) implements Event {}

  public record OrderAccepted(AccountId account, VenueOrder order, Instant tsEvent) implements Event {}

  public record OrderRejected(AccountId account, VenueOrder order, Instant tsEvent) implements Event {}

  public record OrderModified(AccountId account, VenueOrderId venueOrderId, Price trigger, Price limit, Instant tsEvent) implements Event {}

  public record OrderCanceled(AccountId account, VenueOrderId venueOrderId, Instant tsEvent) implements Event {}

  /** The venue ended the working DAY order {@code venueOrderId} at the end of its trading day. */
  public record OrderExpired(AccountId account, VenueOrderId venueOrderId, Instant tsEvent) implements Event {}

  /** One execution; {@code fill.tsEvent} is the open time of the bar it was matched against. */
  public record TradeExecuted(AccountId account, Fill fill, Instant tsEvent) implements Event {}

  /**
   * State of the venue: whether the account was funded, and its {@link VenueBook} kept flat, as
   * the snapshots of v0.1 hold it.
   *
   * @param cash      available cash by currency
   * @param positions by instrument id text for {@link Product#MIS} (the only product of v0.1), by
   *                  {@code <instrument id>@<product>} for the others
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

    static State of(boolean funded, VenueBook book) {
      Map<String, PositionReport> positions = new TreeMap<>();
      book.positions().forEach((key, position) -> positions.put(key.product() == Product.MIS ? key.instrumentId().toString()
          : key.instrumentId() + "@" + key.product(), position));
      return new State(funded, book.openOrders(), book.closedOrders(), book.trades(), book.cash(), Map.copyOf(positions),
          book.orderSequence(), book.tradeSequence());
    }

    /** The account's book. */
    public VenueBook book() {
      Map<VenueBook.PositionKey, PositionReport> byKey = new HashMap<>();
      positions.forEach((key, position) -> {
        int at = key.lastIndexOf('@');
        byKey.put(at < 0 ? new VenueBook.PositionKey(InstrumentId.parse(key), Product.MIS)
            : new VenueBook.PositionKey(InstrumentId.parse(key.substring(0, at)), Product.valueOf(key.substring(at + 1))), position);
      });
      return new VenueBook(openOrders, closedOrders, trades, cash, byKey, orderSequence, tradeSequence);
    }

    State with(VenueBook book) {
      return of(funded, book);
    }
  }

  /** Names the n-th trade of the account. */
  private static final LongFunction<TradeId> TRADE_IDS = n -> TradeId.of("T" + n);

  private final AccountId account;
  private final Clock clock;
  private final Function<List<Fill>, CompletionStage<Done>> publisher;
  private final ActorContext<Command> context;
  private final SecureRandom random = new SecureRandom();
  /** Tokens issued since this venue started (not journaled: secrets). */
  private final Map<String, SessionToken> tokens = new HashMap<>();
  /** Open time of the last bar matched, per instrument, since this venue started. */
  private final Map<InstrumentId, OffsetDateTime> lastMatched = new HashMap<>();
  /** Instruments, last prices and closed sessions (not journaled: the replay tells them again). */
  private VenueMarket market;
  /** The state {@link #book} was last built from, and that book: most commands (a bar matched without a fill) leave the state as it was. */
  private State bookedState;
  private VenueBook book;

  /**
   * @param instruments known instruments with their tick and lot size (orders for others are rejected)
   * @param rules       the venue's freeze quantity and market protection
   * @param publisher   delivers fills to the engine; its stage completes when they are journaled
   */
  public static Behavior<Command> create(AccountId account, Map<InstrumentId, Instrument> instruments, VenueRules rules, Clock clock,
      Function<List<Fill>, CompletionStage<Done>> publisher) {
    return Behaviors.setup(context -> new PaperVenue(context, account, instruments, rules, clock, publisher));
  }

  private PaperVenue(ActorContext<Command> context, AccountId account, Map<InstrumentId, Instrument> instruments, VenueRules rules, Clock clock,
      Function<List<Fill>, CompletionStage<Done>> publisher) {
    super(PersistenceId.of("PaperVenue", account.value()), dev.ordo.engine.JournalFailures.BACKOFF);
    this.context = context;
    this.account = account;
    this.market = VenueMarket.listing(instruments, rules);
    this.clock = clock;
    this.publisher = publisher;
  }

  @Override
  public State emptyState() {
    return initialState();
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
        .onCommand(MatchBar.class, (state, match) -> onMatchBars(state, List.of(match.bar()), match.replyTo()))
        .onCommand(MatchBars.class, (state, match) -> onMatchBars(state, match.bars(), match.replyTo()))
        .onCommand(CloseSession.class, this::onCloseSession)
        .onCommand(PrimeMarket.class, (state, prime) -> {
          for (Bar bar : prime.lastBars()) {
            market = market.barMatched(bar);
            if (prime.sessionClosed().contains(bar.instrumentId())) market = market.sessionClosed(bar);
          }
          prime.replyTo().tell(Done.getInstance());
          return Effect().none();
        })
        .onCommand(ExpireDayOrders.class, this::onExpireDayOrders)
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
    Instant now = clock.instant();
    VenueBook book = book(state);
    Optional<VenueOrder> placed = book.order(place.request().clientOrderId());
    if (placed.isPresent()) {
      // Sent again by an engine that restarted before it had the answer: the same answer, no second order.
      VenueOrder known = placed.get();
      context.getLog().info("Order {} placed again: answered with order {} ({})", known.clientOrderId(), known.venueOrderId(), known.status());
      return reply(place.replyTo(), known.status() == OrderStatus.REJECTED ? rejected(known.rejectReason()) : BrokerResult.ok(known.venueOrderId()));
    }
    VenueOrderId id = VenueOrderId.of(Long.toString(1_000_000_000L + book.orderSequence() + 1));
    VenueBook.Placement placement = book.place(id, place.request(), now, market, TRADE_IDS);
    if (!placement.accepted()) {
      String reason = placement.order().rejectReason();
      return Effect().persist(new OrderRejected(account, placement.order(), now)).thenRun(s -> place.replyTo().tell(rejected(reason)));
    }
    if (placement.fill().isPresent()) {
      Fill fill = placement.fill().get();
      return Effect().persist(List.of(new OrderAccepted(account, placement.order(), now), new TradeExecuted(account, fill, now)))
          .thenRun(s -> publish(List.of(fill), place.replyTo(), BrokerResult.ok(id)));
    }
    return Effect().persist(new OrderAccepted(account, placement.order(), now)).thenRun(s -> place.replyTo().tell(BrokerResult.ok(id)));
  }

  private Effect<Event, State> onModify(State state, Modify modify) {
    if (invalid(modify.token())) return reply(modify.replyTo(), expired());
    Optional<String> refusal = book(state).modifyRefusal(modify.order(), modify.trigger(), modify.limit(), null, market);
    if (refusal.isPresent()) return reply(modify.replyTo(), rejected(refusal.get()));
    return Effect().persist(new OrderModified(account, modify.order(), modify.trigger(), modify.limit(), clock.instant()))
        .thenRun(s -> modify.replyTo().tell(BrokerResult.ok(modify.order())));
  }

  private Effect<Event, State> onCancel(State state, Cancel cancel) {
    if (invalid(cancel.token())) return reply(cancel.replyTo(), expired());
    Optional<VenueOrder> known = book(state).order(cancel.order());
    if (known.isPresent() && known.get().status() == OrderStatus.CANCELED)
      return reply(cancel.replyTo(), BrokerResult.ok(cancel.order())); // canceled before a restart cut the answer: canceled again
    Optional<String> refusal = book(state).cancelRefusal(cancel.order());
    if (refusal.isPresent()) return reply(cancel.replyTo(), rejected(refusal.get()));
    return Effect().persist(new OrderCanceled(account, cancel.order(), clock.instant()))
        .thenRun(s -> cancel.replyTo().tell(BrokerResult.ok(cancel.order())));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Effect<Event, State> onQuery(State state, Query query) {
    if (invalid(query.token())) return reply(query.replyTo(), expired());
    query.replyTo().tell(BrokerResult.ok(query.query().apply(state)));
    return Effect().none();
  }

  private Effect<Event, State> onMatchBars(State state, List<Bar> bars, ActorRef<BrokerResult<Integer>> replyTo) {
    VenueBook matching = book(state);
    List<Fill> again = new java.util.ArrayList<>();
    List<Fill> fills = new java.util.ArrayList<>();
    for (Bar bar : bars) {
      InstrumentId instrument = bar.instrumentId();
      OffsetDateTime previous = lastMatched.get(instrument);
      if (previous != null && !bar.tsOpen().isAfter(previous)) {
        // Matched before: deliver its fills again (applied once downstream by trade id).
        state.trades().stream().filter(f -> f.instrumentId().equals(instrument) && f.tsEvent().isEqual(bar.tsOpen())).forEach(again::add);
        continue;
      }
      lastMatched.put(instrument, bar.tsOpen());
      market = market.barMatched(bar);
      List<Fill> matched = matching.match(bar, TRADE_IDS);
      if (matched.isEmpty()) continue;
      matching = matching.withFills(matched); // the next bar's trades are numbered after these
      fills.addAll(matched);
    }
    BrokerResult<Integer> answer = BrokerResult.ok(again.size() + fills.size());
    if (fills.isEmpty()) {
      publish(again, replyTo, answer);
      return Effect().none();
    }
    Instant now = clock.instant();
    List<Event> events = fills.stream().<Event>map(fill -> new TradeExecuted(account, fill, now)).toList();
    List<Fill> delivered = new java.util.ArrayList<>(again);
    delivered.addAll(fills);
    return Effect().persist(events).thenRun(s -> publish(delivered, replyTo, answer));
  }

  private Effect<Event, State> onCloseSession(State state, CloseSession close) {
    market = market.sessionClosed(close.lastBar());
    close.replyTo().tell(Done.getInstance());
    return Effect().none();
  }

  private Effect<Event, State> onExpireDayOrders(State state, ExpireDayOrders expire) {
    List<VenueOrder> ending = book(state).dayOrdersToExpire();
    List<ClientOrderId> expired = ending.stream().map(VenueOrder::clientOrderId).toList();
    if (ending.isEmpty()) return Effect().none().thenRun(s -> expire.replyTo().tell(expired));
    context.getLog().info("End of the trading day at {}: {} working DAY order(s) expired: {}", expire.at(), expired.size(), expired);
    List<Event> events = ending.stream().<Event>map(o -> new OrderExpired(account, o.venueOrderId(), expire.at())).toList();
    return Effect().persist(events).thenRun(s -> expire.replyTo().tell(expired));
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

  /** The book of {@code state}, built again only when the state changed (the flat state is what is journaled and snapshotted). */
  private VenueBook book(State state) {
    if (state != bookedState) {
      book = state.book();
      bookedState = state;
    }
    return book;
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
    return newEventHandlerBuilder().forAnyState().onAnyEvent(PaperVenue::applyEvent);
  }

  /** The venue of an account before it was funded: what {@link #applyEvent} folds from. */
  public static State initialState() {
    return State.of(false, VenueBook.empty());
  }

  /**
   * The venue's event handler: {@code state} after {@code event}, through the {@link VenueBook}, as
   * recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not the paper venue's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof AccountFunded e) return State.of(true, state.book().withDeposit(e.cash()));
    if (event instanceof OrderAccepted e) return state.with(state.book().withAccepted(e.order()));
    if (event instanceof OrderRejected e) return state.with(state.book().withRejected(e.order()));
    if (event instanceof OrderModified e) return state.with(state.book().withModified(e.venueOrderId(), e.trigger(), e.limit(), null));
    if (event instanceof OrderCanceled e) return state.with(state.book().withCanceled(e.venueOrderId()));
    if (event instanceof TradeExecuted e) return state.with(state.book().withFill(e.fill()));
    if (event instanceof OrderExpired e) return state.with(state.book().withExpired(e.venueOrderId()));
    throw new IllegalArgumentException("not the paper venue's event: " + event);
  }
}
