package dev.ordo.engine.broker;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Reconciles one account with its broker: at start, after every market-data reconnect, and every
 * {@code interval}. One run at a time (a request during a run starts one more run after it):
 *
 * <ol>
 *   <li>reads the broker's trade book, order book and positions (NORMAL priority, through the gateway);
 *   <li>delivers every fill of the trade book to the symbol trader and the position (each applies a
 *       trade id once), so fills that happened while disconnected are recovered and a position whose
 *       sell order completed is marked closed;
 *   <li>resolves the traders' UNKNOWN and working orders against the order book by the ClientOrderId
 *       in the order's tag: found, the order is known again (or closed if the broker ended it); an
 *       UNKNOWN order missing from two consecutive books was never placed;
 *   <li>compares each position with the broker's.
 * </ol>
 *
 * Every discrepancy is journaled as {@link DiscrepancyFound} and logged at WARN.
 */
public final class Reconciler extends EventSourcedBehavior<Reconciler.Command, Reconciler.Event, Reconciler.State> {

  /** Protocol; local (commands carry no broker types but runs are per JVM). */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Run a reconciliation now; {@code reason} is logged; {@code replyTo} (may be null) gets the report. */
  public record Reconcile(String reason, ActorRef<Report> replyTo) implements Command {}

  /** Asks for the counters. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  private record RunFinished(Report report, List<Discrepancy> discrepancies, Throwable failure) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /**
   * What one run did.
   *
   * @param fillsDelivered fills of the trade book delivered (already applied ones change nothing)
   * @param ordersResolved orders whose status changed through the run
   * @param failure        why the run could not complete (a broker read failed), else null
   */
  public record Report(String reason, int fillsDelivered, int ordersResolved, int discrepancies, Instant finishedAt, String failure)
      implements OrdoSerializable {}

  /** A difference between the engine and the broker. */
  public record Discrepancy(String kind, InstrumentId instrument, String detail) implements OrdoSerializable {}

  /** Journaled facts of a reconciler. */
  public sealed interface Event extends OrdoSerializable {}

  /** The engine and the broker disagreed about {@code discrepancy}. */
  public record DiscrepancyFound(AccountId account, Discrepancy discrepancy, Instant tsEvent) implements Event {}

  /**
   * Counters of the reconciler.
   *
   * @param discrepancies discrepancies journaled since the account's first run
   */
  public record State(long discrepancies) implements OrdoSerializable {}

  /**
   * @param interval      time between periodic runs
   * @param callTimeout   how long one broker read may take
   */
  public record Settings(Duration interval, Duration callTimeout) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }
  }

  private final AccountId account;
  private final ActorRef<BrokerGateway.Command> gateway;
  private final OrderUpdateListener fills;
  private final Supplier<Set<InstrumentId>> instruments;
  private final Settings settings;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final ClusterSharding sharding;
  /** Consecutive books an UNKNOWN order was missing from; written by one run at a time. */
  private final Map<ClientOrderId, Integer> misses = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Reconcile> waiting = new ArrayList<>();
  private boolean running;
  private int consecutiveFailures;
  private Reconcile current;

  public static Behavior<Command> create(AccountId account, ActorRef<BrokerGateway.Command> gateway, OrderUpdateListener fills,
      Supplier<Set<InstrumentId>> instruments, Settings settings, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      context.getSelf().tell(new Reconcile("start", null));
      return new Reconciler(account, gateway, fills, instruments, settings, clock, context);
    }));
  }

  private Reconciler(AccountId account, ActorRef<BrokerGateway.Command> gateway, OrderUpdateListener fills,
      Supplier<Set<InstrumentId>> instruments, Settings settings, Clock clock, ActorContext<Command> context) {
    super(PersistenceId.of("Reconciler", account.value()), JournalFailures.BACKOFF);
    this.account = account;
    this.gateway = gateway;
    this.fills = fills;
    this.instruments = instruments;
    this.settings = settings;
    this.clock = clock;
    this.context = context;
    this.sharding = ClusterSharding.get(context.getSystem());
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Reconcile.class, this::onReconcile)
        .onCommand(Tick.class, (state, tick) -> onReconcile(state, new Reconcile("periodic", null)))
        .onCommand(RunFinished.class, this::onFinished)
        .onCommand(GetState.class, (state, request) -> {
          request.replyTo().tell(state);
          return Effect().none();
        })
        .build();
  }

  private Effect<Event, State> onReconcile(State state, Reconcile request) {
    if (running) {
      // Coalesce: one waiting run covers any number of triggers (order updates come in bursts).
      boolean anonymousWaiting = waiting.stream().anyMatch(w -> w.replyTo() == null);
      if (request.replyTo() != null || !anonymousWaiting) waiting.add(request);
      return Effect().none();
    }
    running = true;
    current = request;
    context.pipeToSelf(run(request.reason()), (result, failure) -> failure != null
        ? new RunFinished(null, List.of(), failure)
        : result);
    return Effect().none();
  }

  private Effect<Event, State> onFinished(State state, RunFinished finished) {
    running = false;
    Reconcile done = current;
    List<Event> events = new ArrayList<>();
    if (finished.failure() != null) {
      consecutiveFailures++;
      // One failed read is retried by the next run; only a streak is worth waking someone for.
      if (consecutiveFailures >= 3)
        context.getLog().warn("Reconciliation of {} ({}) failed {} times in a row: {}", account, done.reason(), consecutiveFailures,
            finished.failure().getMessage());
      else context.getLog().info("Reconciliation of {} ({}) failed, will run again: {}", account, done.reason(), finished.failure().getMessage());
    } else {
      consecutiveFailures = 0;
      Instant now = clock.instant();
      for (Discrepancy d : finished.discrepancies()) {
        context.getLog().warn("Reconciliation of {}: {} {}: {}", account, d.kind(), d.instrument(), d.detail());
        events.add(new DiscrepancyFound(account, d, now));
      }
      Report r = finished.report();
      if (r.ordersResolved() > 0 || !finished.discrepancies().isEmpty())
        context.getLog().info("Reconciliation of {} ({}): {} fills delivered, {} orders resolved, {} discrepancies", account, r.reason(),
            r.fillsDelivered(), r.ordersResolved(), r.discrepancies());
      else context.getLog().debug("Reconciliation of {} ({}): {} fills delivered, nothing to resolve", account, r.reason(), r.fillsDelivered());
    }
    Report report = finished.report() != null ? finished.report()
        : new Report(done.reason(), 0, 0, 0, clock.instant(), String.valueOf(finished.failure().getMessage()));
    Runnable after = () -> {
      if (done.replyTo() != null) done.replyTo().tell(report);
      if (!waiting.isEmpty()) context.getSelf().tell(waiting.remove(0));
    };
    if (events.isEmpty()) return Effect().none().thenRun(s -> after.run());
    return Effect().persist(events).thenRun(s -> after.run());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(DiscrepancyFound.class, (state, event) -> new State(state.discrepancies() + 1)).build();
  }

  // ------------------------------------------------------------------ one run, off the actor (it touches only the miss counts)

  private CompletionStage<RunFinished> run(String reason) {
    CompletableFuture<BrokerCall.Reply> trades = call(new BrokerCall.GetTrades());
    CompletableFuture<BrokerCall.Reply> book = call(new BrokerCall.GetOrderBook());
    CompletableFuture<BrokerCall.Reply> positions = call(new BrokerCall.GetPositions());
    return CompletableFuture.allOf(trades, book, positions).thenCompose(ignored -> {
      List<Fill> tradeBook = expect(trades.join(), BrokerCall.Trades.class).fills();
      List<OrderReport> orderBook = expect(book.join(), BrokerCall.OrderBook.class).orders();
      List<PositionReport> brokerPositions = expect(positions.join(), BrokerCall.Positions.class).positions();
      CompletionStage<Done> delivered = CompletableFuture.completedFuture(Done.getInstance());
      for (Fill fill : tradeBook) delivered = delivered.thenCompose(d -> fills.onFill(account, fill));
      return delivered.thenCompose(d -> resolveOrders(orderBook))
          .thenCompose(resolved -> comparePositions(brokerPositions).thenApply(discrepancies ->
              new RunFinished(new Report(reason, tradeBook.size(), resolved, discrepancies.size(), clock.instant(), null), discrepancies, null)));
    });
  }

  private CompletableFuture<BrokerCall.Reply> call(BrokerCall call) {
    return AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(gateway,
        replyTo -> new BrokerGateway.Execute(call, BrokerGateway.Priority.NORMAL, replyTo), settings.callTimeout(),
        context.getSystem().scheduler()).toCompletableFuture();
  }

  private static <T extends BrokerCall.Reply> T expect(BrokerCall.Reply reply, Class<T> type) {
    if (type.isInstance(reply)) return type.cast(reply);
    if (reply instanceof BrokerCall.Failed failed)
      throw new IllegalStateException(failed.call().getClass().getSimpleName() + " failed: " + failed.error());
    throw new IllegalStateException("unexpected answer " + reply);
  }

  /** Sends the broker's row (or "not found") of every UNKNOWN or working order to its trader; answers how many it sent. */
  private CompletionStage<Integer> resolveOrders(List<OrderReport> orderBook) {
    Map<ClientOrderId, OrderReport> byTag = new HashMap<>();
    for (OrderReport row : orderBook) byTag.put(row.clientOrderId(), row);
    List<CompletableFuture<Integer>> perInstrument = new ArrayList<>();
    for (InstrumentId instrument : instruments.get()) {
      var trader = sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument));
      perInstrument.add(trader.<SymbolTrader.State>ask(SymbolTrader.GetState::new, settings.callTimeout()).thenCompose(state -> {
        CompletionStage<Integer> sent = CompletableFuture.completedFuture(0);
        for (OrderRecord order : state.orders()) {
          if (order.status().isClosed()) continue;
          OrderReport row = byTag.get(order.clientOrderId());
          boolean unknown = order.status() == OrderStatus.UNKNOWN;
          if (row == null && !unknown) continue;
          if (row == null && !missedTwice(order.clientOrderId())) continue;
          if (row != null) forget(order.clientOrderId());
          boolean changes = unknown || row.status() == OrderStatus.CANCELED || row.status() == OrderStatus.REJECTED
              || row.status() == OrderStatus.EXPIRED;
          if (!changes) continue;
          sent = sent.thenCompose(n -> trader.<Done>ask(replyTo -> new SymbolTrader.ReconcileOrder(order.clientOrderId(), row, replyTo),
              settings.callTimeout()).thenApply(done -> n + 1));
        }
        return sent;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(perInstrument.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> perInstrument.stream().mapToInt(CompletableFuture::join).sum());
  }

  private boolean missedTwice(ClientOrderId id) {
    int missed = misses.merge(id, 1, Integer::sum);
    if (missed >= 2) {
      misses.remove(id);
      return true;
    }
    return false;
  }

  private void forget(ClientOrderId id) {
    misses.remove(id);
  }

  private CompletionStage<List<Discrepancy>> comparePositions(List<PositionReport> brokerPositions) {
    Map<InstrumentId, BigDecimal> broker = new TreeMap<>();
    for (PositionReport p : brokerPositions) broker.merge(p.instrumentId(), p.netQuantity(), BigDecimal::add);
    List<CompletableFuture<Discrepancy>> checks = new ArrayList<>();
    for (InstrumentId instrument : instruments.get()) {
      BigDecimal expected = broker.getOrDefault(instrument, BigDecimal.ZERO);
      checks.add(sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, instrument))
          .<Position.State>ask(Position.GetPosition::new, settings.callTimeout())
          .thenApply(position -> position.position().quantity().compareTo(expected) == 0 ? null
              : new Discrepancy("POSITION_MISMATCH", instrument, "engine " + position.position().quantity().toPlainString() + ", broker "
                  + expected.toPlainString()))
          .toCompletableFuture());
    }
    for (InstrumentId instrument : broker.keySet())
      if (!instruments.get().contains(instrument) && broker.get(instrument).signum() != 0)
        checks.add(CompletableFuture.completedFuture(new Discrepancy("UNTRADED_POSITION", instrument,
            "broker holds " + broker.get(instrument).toPlainString() + " of an instrument the engine does not trade")));
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> checks.stream().map(CompletableFuture::join).filter(d -> d != null).toList());
  }
}
