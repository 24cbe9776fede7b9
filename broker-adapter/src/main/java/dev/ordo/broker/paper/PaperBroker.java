package dev.ordo.broker.paper;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The embedded paper broker of one account: the {@link Broker} port over a {@link PaperVenue}
 * actor, plus the exchange side the replay drives ({@link #matchBar}, {@link #closeSession}).
 * Calls never throw; an unanswered call completes with {@link BrokerError.Timeout}.
 */
public final class PaperBroker implements Broker, dev.ordo.engine.port.SimulatedExchange {

  private final AccountId account;
  private final ActorSystem<?> system;
  private final ActorRef<PaperVenue.Command> venue;
  private final Duration timeout;
  private final Clock clock;
  /** The daily bars it serves, set once before the broker is used ({@link #serveDailyBars}); null: none. */
  private volatile dev.ordo.broker.data.DailyBarHistory dailyHistory;
  private final List<OrderUpdateListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong fillsPublished = new AtomicLong();
  private final AtomicLong tradesClosed = new AtomicLong();
  /** Net position per instrument and trade ids seen, as delivered to listeners (for {@link #tradesClosed()}). */
  private final Map<dev.ordo.engine.model.InstrumentId, BigDecimal> deliveredNet = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<dev.ordo.engine.model.TradeId> deliveredTrades = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private PaperBroker(AccountId account, ActorSystem<?> system, Map<InstrumentId, Instrument> instruments, VenueRules rules, Clock clock,
      Duration timeout) {
    this.account = account;
    this.system = system;
    this.timeout = timeout;
    this.clock = clock;
    this.venue = system.systemActorOf(PaperVenue.create(account, instruments, rules, clock, this::publish), "paper-venue-" + account,
        Props.empty());
  }

  /**
   * Starts the paper broker of {@code account} under the default {@link VenueRules}, as
   * {@link #start(ActorSystem, AccountId, Map, Map, VenueRules, Clock, Duration)}.
   */
  public static CompletionStage<PaperBroker> start(ActorSystem<?> system, AccountId account, Map<InstrumentId, Instrument> instruments,
      Map<String, BigDecimal> cash, Clock clock, Duration timeout) {
    return start(system, account, instruments, cash, VenueRules.defaults(), clock, timeout);
  }

  /**
   * Starts the paper broker of {@code account}, funding it with {@code cash} (by currency) the
   * first time; a journal that already holds the account keeps its cash.
   *
   * @param instruments the instruments it accepts orders for
   * @param rules       its freeze quantity and market protection
   * @param timeout     how long a call may take before it answers {@link BrokerError.Timeout}
   */
  public static CompletionStage<PaperBroker> start(ActorSystem<?> system, AccountId account, Map<InstrumentId, Instrument> instruments,
      Map<String, BigDecimal> cash, VenueRules rules, Clock clock, Duration timeout) {
    PaperBroker broker = new PaperBroker(account, system, instruments, rules, clock, timeout);
    return AskPattern.<PaperVenue.Command, Done>ask(broker.venue, replyTo -> new PaperVenue.Open(cash, replyTo), timeout, system.scheduler())
        .thenApply(done -> broker);
  }

  public AccountId account() {
    return account;
  }

  /** Number of fills pushed to listeners since start (a fill delivered twice counts twice). */
  public long fillsPublished() {
    return fillsPublished.get();
  }

  /** Number of distinct fills since start that reduced or closed a position (exits), for progress reports. */
  public long tradesClosed() {
    return tradesClosed.get();
  }

  private void countDelivered(Fill fill) {
    fillsPublished.incrementAndGet();
    if (!deliveredTrades.add(fill.tradeId())) return;
    BigDecimal signed = fill.side() == dev.ordo.engine.model.OrderSide.BUY ? fill.lastQty().value() : fill.lastQty().value().negate();
    BigDecimal before = deliveredNet.getOrDefault(fill.instrumentId(), BigDecimal.ZERO);
    deliveredNet.put(fill.instrumentId(), before.add(signed));
    if (before.signum() != 0 && before.signum() != signed.signum()) tradesClosed.incrementAndGet();
  }

  private CompletionStage<Done> publish(List<Fill> fills) {
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (Fill fill : fills) {
      for (OrderUpdateListener listener : listeners) chain = chain.thenCompose(done -> listener.onFill(account, fill));
      chain = chain.thenApply(done -> {
        countDelivered(fill);
        return done;
      });
    }
    return chain;
  }

  private <T> CompletionStage<BrokerResult<T>> ask(Function<ActorRef<BrokerResult<T>>, PaperVenue.Command> message) {
    return AskPattern.ask(venue, message::apply, timeout, system.scheduler())
        .exceptionally(failure -> BrokerResult.error(new BrokerError.Timeout("paper venue did not answer in " + timeout)));
  }

  @Override
  public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
    return ask(PaperVenue.Login::new);
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
    return ask(replyTo -> new PaperVenue.Place(token, request, replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
    return ask(replyTo -> new PaperVenue.Modify(token, order, trigger, limit, replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
    return ask(replyTo -> new PaperVenue.Cancel(token, order, replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
    return ask(replyTo -> new PaperVenue.Query<>(token, state -> state.book().orderBook(), replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
    return ask(replyTo -> new PaperVenue.Query<>(token, PaperVenue.State::trades, replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
    return ask(replyTo -> new PaperVenue.Query<>(token, state -> state.book().positionReports(), replyTo));
  }

  @Override
  public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
    return ask(replyTo -> new PaperVenue.Query<>(token, state -> state.book().limits(), replyTo));
  }

  /**
   * Serves {@code history}'s daily bars to {@link #dailyBars} (the scanner's input in a replay); call it
   * before the broker is handed to a service.
   *
   * @return this broker
   */
  public PaperBroker serveDailyBars(dev.ordo.broker.data.DailyBarHistory history) {
    this.dailyHistory = java.util.Objects.requireNonNull(history, "history");
    return this;
  }

  /**
   * The daily bars of {@link #serveDailyBars}'s history: only days before both {@code before} and the
   * venue clock's day (in the bars' offset), so a replay never sees its own day or a later one.
   * Answers {@link BrokerError.Rejected} without a history or for an instrument it has no bars of, and
   * what the venue answers an invalid token.
   */
  @Override
  public CompletionStage<BrokerResult<List<Bar>>> dailyBars(SessionToken token, InstrumentId instrument, java.time.LocalDate before,
      int count) {
    dev.ordo.broker.data.DailyBarHistory history = dailyHistory;
    if (history == null)
      return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.Rejected("the paper broker of " + account
          + " serves no daily bars: give the account a daily-data folder")));
    return this.<Boolean>ask(replyTo -> new PaperVenue.Query<>(token, state -> Boolean.TRUE, replyTo)).thenApply(valid -> {
      if (valid instanceof BrokerResult.Err<Boolean> err) return BrokerResult.error(err.error());
      if (!history.instruments().containsKey(instrument))
        return BrokerResult.error(new BrokerError.Rejected("no daily bars of " + instrument + " in " + history.folder()));
      List<Bar> bars = history.before(instrument, before, count);
      if (bars.isEmpty()) return BrokerResult.ok(bars);
      java.time.LocalDate today = clock.instant().atOffset(bars.get(bars.size() - 1).tsOpen().getOffset()).toLocalDate();
      if (!today.isBefore(before)) return BrokerResult.ok(bars);
      return BrokerResult.ok(history.before(instrument, today, count));
    });
  }

  @Override
  public void subscribeOrderUpdates(OrderUpdateListener listener) {
    listeners.add(listener);
  }

  /**
   * Exchange side: matches the working orders of the bar's instrument against the complete
   * {@code bar}. Completes with the number of fills once the listeners acknowledged them; fails
   * when they did not.
   */
  public CompletionStage<Integer> matchBar(Bar bar) {
    return AskPattern.<PaperVenue.Command, BrokerResult<Integer>>ask(venue, replyTo -> new PaperVenue.MatchBar(bar, replyTo),
            timeout.multipliedBy(2), system.scheduler())
        .thenApply(result -> {
          if (result instanceof BrokerResult.Ok<Integer> ok) return ok.value();
          throw new IllegalStateException("matching " + bar.instrumentId() + " " + bar.tsOpen() + " failed: "
              + ((BrokerResult.Err<Integer>) result).error().detail());
        });
  }

  /**
   * Exchange side: matches {@code bars} (one replay step, one bar per instrument) in one message to
   * the venue. Completes with the number of fills once the listeners acknowledged them; fails when
   * they did not.
   */
  @Override
  public CompletionStage<Integer> matchBars(List<Bar> bars) {
    return AskPattern.<PaperVenue.Command, BrokerResult<Integer>>ask(venue, replyTo -> new PaperVenue.MatchBars(bars, replyTo),
            timeout.multipliedBy(2), system.scheduler())
        .thenApply(result -> {
          if (result instanceof BrokerResult.Ok<Integer> ok) return ok.value();
          throw new IllegalStateException("matching " + bars.size() + " bars at " + (bars.isEmpty() ? "-" : bars.get(0).tsOpen()) + " failed: "
              + ((BrokerResult.Err<Integer>) result).error().detail());
        });
  }

  /**
   * Primes the venue's market after a restart with each instrument's last bar the engine applied
   * ({@link PaperVenue.PrimeMarket}), before the resumed replay sends anything.
   */
  public CompletionStage<Done> primeMarket(List<Bar> lastBars, java.util.Set<InstrumentId> sessionClosed) {
    return AskPattern.ask(venue, replyTo -> new PaperVenue.PrimeMarket(List.copyOf(lastBars), java.util.Set.copyOf(sessionClosed), replyTo),
        timeout, system.scheduler());
  }

  /**
   * Exchange side, paper only: the end of the trading day at {@code at} ({@link PaperVenue.ExpireDayOrders}):
   * every working DAY order expires, as a real broker expires them at the session's end (a live
   * broker does it itself, so this is not on the {@link Broker} port). Completes with the
   * ClientOrderIds of the orders expired once journaled; fails when the venue does not answer in time.
   */
  public CompletionStage<List<dev.ordo.engine.model.ClientOrderId>> expireDayOrders(java.time.Instant at) {
    return AskPattern.ask(venue, replyTo -> new PaperVenue.ExpireDayOrders(at, replyTo), timeout, system.scheduler());
  }

  /** Exchange side: the session of the instrument of {@code lastBar} closed with that bar. */
  public CompletionStage<Done> closeSession(Bar lastBar) {
    return AskPattern.ask(venue, replyTo -> new PaperVenue.CloseSession(lastBar, replyTo), timeout, system.scheduler());
  }
}
