package dev.ordo.engine.broker;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.expert.Expert;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
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
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Reconciles one account with its broker: at start, after every market-data reconnect, and every
 * {@code interval}. One run at a time (requests during a run start one more run after it, which answers them all):
 *
 * <ol>
 *   <li>reads the broker's trade book, order book and positions (NORMAL priority, through the gateway);
 *   <li>delivers every fill of the trade book to the symbol trader and the position (each applies a
 *       trade id once), so fills that happened while disconnected are recovered and a position whose
 *       sell order completed is marked closed;
 *   <li>resolves the traders' and the account's experts' UNKNOWN and working orders against the order
 *       book by the ClientOrderId in the order's tag: found, the order is known again (or closed if the
 *       broker ended it: canceled, rejected, expired); an order of unknown outcome (a trader's UNKNOWN, an
 *       expert's SUBMITTED) missing from two consecutive books was never placed;
 *   <li>compares each position with the broker's.
 * </ol>
 *
 * Every discrepancy is journaled as {@link DiscrepancyFound} and logged at WARN. A run that fails (a
 * broker read refused or unanswered, an entity not answering within {@code callTimeout}) is logged at
 * INFO, at WARN from the third failure in a row, and reported with its {@link Report#failure()}; the
 * next run starts over.
 *
 * <p>A run is a chain of phases. The futures of a phase only collect data (the three books; the fills
 * delivered, then the traders' and experts' states; the ReconcileOrder commands acknowledged, then the positions) and
 * come back as a message; the handler of that message decides and starts the next phase. The
 * reconciler's own state (the run in progress, the waiting requests, the orders missing from the last
 * book, the failure streak) changes only in its handlers.
 */
public final class Reconciler extends EventSourcedBehavior<Reconciler.Command, Reconciler.Event, Reconciler.State> {

  /** Protocol; local (commands carry no broker types but runs are per JVM). */
  public sealed interface Command {}

  /**
   * Run a reconciliation now; {@code reason} is logged; {@code replyTo} (may be null) gets the report.
   * Sent during a run, it joins the one run that starts after it (whose report names every waiting reason).
   */
  public record Reconcile(String reason, ActorRef<Report> replyTo) implements Command, OrdoSerializable {}

  /** Asks for the counters. */
  public record GetState(ActorRef<State> replyTo) implements Command, OrdoSerializable {}

  /** Asks for the runs since this reconciler started. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command, OrdoSerializable {}

  /**
   * The runs since the reconciler started (not journaled).
   *
   * @param runs       runs ended, failed ones included
   * @param failedRuns runs that failed (a broker read refused or unanswered, an entity not answering)
   * @param lastRun    the last run's report, null before the first
   */
  public record Stats(AccountId account, long runs, long failedRuns, Report lastRun) implements OrdoSerializable {}

  /** The three books read from the broker (phase 1 answered). */
  private record BooksRead(Run run, Books books) implements Command, NoSerializationVerificationNeeded {}

  /** The trade book delivered, then the traders' states by instrument and the account's experts' states (phase 2 answered). */
  private record TradersRead(Run run, Books books, Map<InstrumentId, SymbolTrader.State> traders, List<Expert.State> experts)
      implements Command, NoSerializationVerificationNeeded {}

  /** The ReconcileOrder commands acknowledged, then the engine's position quantities by instrument (phase 3 answered). */
  private record PositionsRead(Run run, Books books, int ordersResolved, Map<InstrumentId, BigDecimal> quantities) implements Command, NoSerializationVerificationNeeded {}

  /** A phase of {@code run} failed. */
  private record RunFailed(Run run, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /**
   * What one run did.
   *
   * @param reason         the reasons of the requests the run answers, comma-separated
   * @param fillsDelivered fills of the trade book delivered (already applied ones change nothing)
   * @param ordersResolved orders whose status changed through the run
   * @param discrepancies  discrepancies found (each journaled)
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
   * @param interval      time between periodic runs; null for a reconciler that runs on demand only (the paper replay's,
   *                      whose runs must not fall at a random point of a replayed step)
   * @param callTimeout   how long one broker read, and one answer of a symbol trader or a position, may take
   */
  public record Settings(Duration interval, Duration callTimeout) {
    /** A run every 30 s, 30 s per call. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** No periodic run and no run at start: only {@link Reconcile} requests. */
    public static Settings onDemand(Duration callTimeout) {
      return new Settings(null, callTimeout);
    }
  }

  /** The broker's books as one run read them. */
  private record Books(List<Fill> trades, List<OrderReport> orderBook, List<PositionReport> positions) {}

  /** The requests one run answers: their reasons, distinct and in arrival order, and who waits for the report. */
  private record Requests(List<String> reasons, List<ActorRef<Report>> replyTo) {
    static Requests of(Reconcile request) {
      return new Requests(List.of(), List.of()).plus(request);
    }

    Requests plus(Reconcile request) {
      List<String> nextReasons = new ArrayList<>(reasons);
      String reason = String.valueOf(request.reason());
      if (!nextReasons.contains(reason)) nextReasons.add(reason);
      List<ActorRef<Report>> nextReplyTo = new ArrayList<>(replyTo);
      if (request.replyTo() != null) nextReplyTo.add(request.replyTo());
      return new Requests(List.copyOf(nextReasons), List.copyOf(nextReplyTo));
    }

    String reason() {
      return String.join(", ", reasons);
    }
  }

  /**
   * One run. Compared by identity: a phase message of a run other than the one in progress (started
   * before a restart of the reconciler) is dropped.
   */
  private static final class Run {
    private final Requests requests;

    Run(Requests requests) {
      this.requests = requests;
    }
  }

  /**
   * An order to send to its owner with the broker's row ({@code row == null}: not at the broker): the
   * trader of {@code instrument}, or the expert {@code expertId} (then {@code instrument} is null).
   */
  private record Resolution(InstrumentId instrument, String expertId, ClientOrderId clientOrderId, OrderReport row) {}

  private final AccountId account;
  private final ActorRef<BrokerGateway.Command> gateway;
  private final OrderUpdateListener fills;
  private final Supplier<Set<InstrumentId>> instruments;
  private final Supplier<CompletionStage<List<String>>> experts;
  private final Settings settings;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final ClusterSharding sharding;
  /** The run in progress, null when idle. */
  private Run running;
  /** Requests that came during the run in progress, answered by one run after it; null when none. */
  private Requests waiting;
  /** UNKNOWN orders missing from the last order book read: missing from the next one too, they are declared lost. */
  private Set<ClientOrderId> missingFromLastBook = Set.of();
  private int consecutiveFailures;
  private long runs;
  private long failedRuns;
  private Report lastRun;

  /** A reconciler of {@code account} without experts, as {@link #create(AccountId, ActorRef, OrderUpdateListener, Supplier, Supplier, Settings, Clock)}. */
  public static Behavior<Command> create(AccountId account, ActorRef<BrokerGateway.Command> gateway, OrderUpdateListener fills,
      Supplier<Set<InstrumentId>> instruments, Settings settings, Clock clock) {
    return create(account, gateway, fills, instruments, () -> CompletableFuture.completedFuture(List.of()), settings, clock);
  }

  /**
   * A reconciler of {@code account}; its first run starts at once, unless it runs on demand only ({@link Settings#onDemand}).
   *
   * @param gateway     the account's broker gateway
   * @param fills       where the fills of the trade book go (the order-update router)
   * @param instruments the instruments traded, read at every run
   * @param experts     the ids of the account's experts, read at every run (their orders are resolved too)
   * @param clock       stamps reports and {@link DiscrepancyFound#tsEvent()}
   */
  public static Behavior<Command> create(AccountId account, ActorRef<BrokerGateway.Command> gateway, OrderUpdateListener fills,
      Supplier<Set<InstrumentId>> instruments, Supplier<CompletionStage<List<String>>> experts, Settings settings, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      if (settings.interval() != null) {
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
        context.getSelf().tell(new Reconcile("start", null));
      }
      return new Reconciler(account, gateway, fills, instruments, experts, settings, clock, context);
    }));
  }

  private Reconciler(AccountId account, ActorRef<BrokerGateway.Command> gateway, OrderUpdateListener fills,
      Supplier<Set<InstrumentId>> instruments, Supplier<CompletionStage<List<String>>> experts, Settings settings, Clock clock,
      ActorContext<Command> context) {
    super(PersistenceId.of("Reconciler", account.value()), JournalFailures.BACKOFF);
    this.account = account;
    this.gateway = gateway;
    this.fills = fills;
    this.instruments = instruments;
    this.experts = experts;
    this.settings = settings;
    this.clock = clock;
    this.context = context;
    this.sharding = ClusterSharding.get(context.getSystem());
  }

  @Override
  public State emptyState() {
    return initialState();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Reconcile.class, this::onReconcile)
        .onCommand(Tick.class, (state, tick) -> onReconcile(state, new Reconcile("periodic", null)))
        .onCommand(BooksRead.class, this::onBooksRead)
        .onCommand(TradersRead.class, this::onTradersRead)
        .onCommand(PositionsRead.class, this::onPositionsRead)
        .onCommand(RunFailed.class, this::onRunFailed)
        .onCommand(GetStats.class, (state, request) -> {
          request.replyTo().tell(new Stats(account, runs, failedRuns, lastRun));
          return Effect().none();
        })
        .onCommand(GetState.class, (state, request) -> {
          request.replyTo().tell(state);
          return Effect().none();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Reconciler::applyEvent);
  }

  /** A reconciler before its first discrepancy: what {@link #applyEvent} folds from. */
  public static State initialState() {
    return new State(0);
  }

  /**
   * The reconciler's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not a reconciler's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof DiscrepancyFound) return new State(state.discrepancies() + 1);
    throw new IllegalArgumentException("not a reconciler's event: " + event);
  }

  // ------------------------------------------------------------------ handlers: every change of the reconciler's state

  private Effect<Event, State> onReconcile(State state, Reconcile request) {
    // Coalesce: one waiting run covers any number of triggers (order updates come in bursts).
    Requests requests = waiting == null ? Requests.of(request) : waiting.plus(request);
    if (running != null) {
      waiting = requests;
      return Effect().none();
    }
    // Idle with requests waiting only when the journal failed to record the last run's end.
    waiting = null;
    start(requests);
    return Effect().none();
  }

  /** Phase 1: read the three books. */
  private void start(Requests requests) {
    Run run = new Run(requests);
    running = run;
    CompletableFuture<BrokerCall.Trades> trades = read(new BrokerCall.GetTrades(), BrokerCall.Trades.class);
    CompletableFuture<BrokerCall.OrderBook> book = read(new BrokerCall.GetOrderBook(), BrokerCall.OrderBook.class);
    CompletableFuture<BrokerCall.Positions> positions = read(new BrokerCall.GetPositions(), BrokerCall.Positions.class);
    pipe(run, CompletableFuture.allOf(trades, book, positions).thenApply(ignored ->
        new BooksRead(run, new Books(trades.join().fills(), book.join().orders(), positions.join().positions()))));
  }

  /** Phase 2: deliver the trade book's fills one after the other, then read the traders' and the experts' states. */
  private Effect<Event, State> onBooksRead(State state, BooksRead read) {
    if (read.run() != running) return dropStale(read);
    Set<InstrumentId> traded = new TreeSet<>(instruments.get());
    CompletionStage<Done> delivered = CompletableFuture.completedFuture(Done.getInstance());
    for (Fill fill : read.books().trades()) delivered = delivered.thenCompose(done -> fills.onFill(account, fill));
    pipe(read.run(), delivered
        .thenCompose(done -> askEach(traded, instrument -> sharding
            .entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument))
            .<SymbolTrader.State>ask(SymbolTrader.GetState::new, settings.callTimeout())))
        .thenCompose(traders -> expertStates().thenApply(expertStates -> new TradersRead(read.run(), read.books(), traders, expertStates))));
    return Effect().none();
  }

  /** The states of the account's experts, each asked at once; fails with the first failure. */
  private CompletionStage<List<Expert.State>> expertStates() {
    return experts.get().thenCompose(ids -> {
      List<CompletableFuture<Expert.State>> asks = new ArrayList<>();
      for (String id : new TreeSet<>(ids))
        asks.add(sharding.entityRefFor(Expert.ENTITY_TYPE_KEY, id).<Expert.State>ask(Expert.GetState::new, settings.callTimeout())
            .toCompletableFuture());
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> asks.stream().map(CompletableFuture::join).toList());
    });
  }

  /**
   * Decides which orders to resolve and which UNKNOWN orders count one miss; phase 3: send each trader
   * its ReconcileOrder commands in order, then read the positions.
   */
  private Effect<Event, State> onTradersRead(State state, TradersRead read) {
    if (read.run() != running) return dropStale(read);
    Map<ClientOrderId, OrderReport> byTag = new HashMap<>();
    for (OrderReport row : read.books().orderBook()) byTag.put(row.clientOrderId(), row);
    List<Resolution> resolutions = new ArrayList<>();
    Set<ClientOrderId> missing = new HashSet<>();
    read.traders().forEach((instrument, trader) -> {
      for (OrderRecord order : trader.orders()) {
        if (order.status().isClosed()) continue;
        OrderReport row = byTag.get(order.clientOrderId());
        if (toResolve(order.clientOrderId(), order.status() == OrderStatus.UNKNOWN, row, missing))
          resolutions.add(new Resolution(instrument, null, order.clientOrderId(), row));
      }
    });
    for (Expert.State expert : read.experts()) {
      // in each transaction's order of sending: an owner gets its resolutions in a stable order
      for (Expert.Transaction transaction : expert.transactions()) for (ClientOrderId id : transaction.orders()) {
        Expert.ExpertOrder order = expert.orders().get(id);
        if (order == null || !order.isWorking()) continue;
        // an expert's SUBMITTED order has no broker answer yet: of unknown outcome until the book says
        OrderReport row = byTag.get(order.clientOrderId());
        if (toResolve(order.clientOrderId(), order.status() == OrderStatus.SUBMITTED, row, missing))
          resolutions.add(new Resolution(null, expert.expertId(), order.clientOrderId(), row));
      }
    }
    missingFromLastBook = Set.copyOf(missing);
    Set<InstrumentId> traded = read.traders().keySet();
    pipe(read.run(), send(resolutions)
        .thenCompose(done -> askEach(traded, instrument -> sharding
            .entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, instrument))
            .<Position.State>ask(Position.GetPosition::new, settings.callTimeout())
            .thenApply(position -> position.position().quantity())))
        .thenApply(quantities -> new PositionsRead(read.run(), read.books(), resolutions.size(), quantities)));
    return Effect().none();
  }

  /**
   * Whether the working order {@code id} goes to its owner with the broker's {@code row}: when its outcome
   * is {@code unknown} (found or not) or the broker ended it. An unknown order missing from this book
   * counts a miss ({@code missing}); missing from the last book too, it is sent without a row (never placed).
   */
  private boolean toResolve(ClientOrderId id, boolean unknown, OrderReport row, Set<ClientOrderId> missing) {
    if (row != null) return unknown || brokerEnded(row.status());
    if (!unknown) return false;
    if (missingFromLastBook.contains(id)) return true;
    missing.add(id);
    return false;
  }

  /** Compares the positions, journals the discrepancies and ends the run. */
  private Effect<Event, State> onPositionsRead(State state, PositionsRead read) {
    if (read.run() != running) return dropStale(read);
    consecutiveFailures = 0;
    List<Discrepancy> discrepancies = compare(read.quantities(), read.books().positions());
    Report report = new Report(running.requests.reason(), read.books().trades().size(), read.ordersResolved(), discrepancies.size(),
        clock.instant(), null);
    List<Event> events = new ArrayList<>();
    for (Discrepancy d : discrepancies) {
      context.getLog().warn("Reconciliation of {}: {} {}: {}", account, d.kind(), d.instrument(), d.detail());
      events.add(new DiscrepancyFound(account, d, report.finishedAt()));
    }
    if (report.ordersResolved() > 0 || report.discrepancies() > 0)
      context.getLog().info("Reconciliation of {} ({}): {} fills delivered, {} orders resolved, {} discrepancies", account, report.reason(),
          report.fillsDelivered(), report.ordersResolved(), report.discrepancies());
    else context.getLog().debug("Reconciliation of {} ({}): {} fills delivered, nothing to resolve", account, report.reason(),
        report.fillsDelivered());
    return finish(events, report);
  }

  private Effect<Event, State> onRunFailed(State state, RunFailed failed) {
    if (failed.run() != running) return dropStale(failed);
    consecutiveFailures++;
    String reason = running.requests.reason();
    String why = describe(failed.failure());
    // One failed read is retried by the next run; only a streak is worth waking someone for.
    if (consecutiveFailures >= 3)
      context.getLog().warn("Reconciliation of {} ({}) failed {} times in a row: {}", account, reason, consecutiveFailures, why);
    else context.getLog().info("Reconciliation of {} ({}) failed, will run again: {}", account, reason, why);
    return finish(List.of(), new Report(reason, 0, 0, 0, clock.instant(), why));
  }

  /** Ends the run in progress: journals {@code events}, then answers its requests; starts the waiting run, if any. */
  private Effect<Event, State> finish(List<Event> events, Report report) {
    List<ActorRef<Report>> replyTo = running.requests.replyTo();
    running = null;
    runs++;
    if (report.failure() != null) failedRuns++;
    lastRun = report;
    if (waiting != null) {
      Requests next = waiting;
      waiting = null;
      start(next);
    }
    EffectBuilder<Event, State> effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
    return effect.thenRun(state -> replyTo.forEach(r -> r.tell(report)));
  }

  private Effect<Event, State> dropStale(Command message) {
    context.getLog().debug("Reconciler of {} dropped {} of a run started before a restart", account, message.getClass().getSimpleName());
    return Effect().none();
  }

  // ------------------------------------------------------------------ what the phases do off the actor (no reconciler state)

  /** Pipes the outcome of a phase of {@code run} back to the reconciler; a failed phase becomes {@link RunFailed}. */
  private <M extends Command> void pipe(Run run, CompletionStage<M> phase) {
    context.pipeToSelf(phase, (message, failure) -> failure != null ? new RunFailed(run, failure) : message);
  }

  /** Reads a book through the gateway at NORMAL priority; fails unless the broker answered with {@code type}. */
  private <T extends BrokerCall.Reply> CompletableFuture<T> read(BrokerCall call, Class<T> type) {
    return AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(gateway,
            replyTo -> new BrokerGateway.Execute(call, BrokerGateway.Priority.NORMAL, replyTo), settings.callTimeout(),
            context.getSystem().scheduler())
        .thenApply(reply -> expect(reply, type))
        .toCompletableFuture();
  }

  private static <T extends BrokerCall.Reply> T expect(BrokerCall.Reply reply, Class<T> type) {
    if (type.isInstance(reply)) return type.cast(reply);
    if (reply instanceof BrokerCall.Failed failed)
      throw new IllegalStateException(failed.call().getClass().getSimpleName() + " failed: " + failed.error());
    throw new IllegalStateException("unexpected answer " + reply);
  }

  /** Asks one thing of each instrument's entity at once; answers the replies by instrument, or fails with the first failure. */
  private static <T> CompletionStage<Map<InstrumentId, T>> askEach(Set<InstrumentId> instruments,
      Function<InstrumentId, CompletionStage<T>> ask) {
    Map<InstrumentId, CompletableFuture<T>> asks = new TreeMap<>();
    for (InstrumentId instrument : instruments) asks.put(instrument, ask.apply(instrument).toCompletableFuture());
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<InstrumentId, T> replies = new TreeMap<>();
      asks.forEach((instrument, reply) -> replies.put(instrument, reply.join()));
      return replies;
    });
  }

  /**
   * Sends each resolution to its owner (a trader or an expert), one after the other per owner (all owners at
   * once); completes when all answered.
   */
  private CompletionStage<Done> send(List<Resolution> resolutions) {
    Map<String, CompletionStage<Done>> perOwner = new TreeMap<>();
    for (Resolution resolution : resolutions) {
      String owner = resolution.expertId() != null ? "expert " + resolution.expertId() : "trader " + resolution.instrument();
      CompletionStage<Done> before = perOwner.getOrDefault(owner, CompletableFuture.completedFuture(Done.getInstance()));
      perOwner.put(owner, before.thenCompose(done -> resolution.expertId() != null
          ? sharding.entityRefFor(Expert.ENTITY_TYPE_KEY, resolution.expertId()).<Done>ask(
              replyTo -> new Expert.ReconcileOrder(resolution.clientOrderId(), resolution.row(), replyTo), settings.callTimeout())
          : sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, resolution.instrument())).<Done>ask(
              replyTo -> new SymbolTrader.ReconcileOrder(resolution.clientOrderId(), resolution.row(), replyTo), settings.callTimeout())));
    }
    return CompletableFuture.allOf(perOwner.values().stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(ignored -> Done.getInstance());
  }

  // ------------------------------------------------------------------ pure rules

  /** True when the broker's status ends an order the engine still thinks working. */
  private static boolean brokerEnded(OrderStatus broker) {
    return broker == OrderStatus.CANCELED || broker == OrderStatus.REJECTED || broker == OrderStatus.EXPIRED;
  }

  /** The engine's quantity of each traded instrument against the broker's net quantities; positions held only at the broker too. */
  private static List<Discrepancy> compare(Map<InstrumentId, BigDecimal> engine, List<PositionReport> brokerPositions) {
    Map<InstrumentId, BigDecimal> broker = new TreeMap<>();
    for (PositionReport p : brokerPositions) broker.merge(p.instrumentId(), p.netQuantity(), BigDecimal::add);
    List<Discrepancy> discrepancies = new ArrayList<>();
    engine.forEach((instrument, quantity) -> {
      BigDecimal expected = broker.getOrDefault(instrument, BigDecimal.ZERO);
      if (quantity.compareTo(expected) != 0)
        discrepancies.add(new Discrepancy("POSITION_MISMATCH", instrument, "engine " + quantity.toPlainString() + ", broker "
            + expected.toPlainString()));
    });
    broker.forEach((instrument, quantity) -> {
      if (!engine.containsKey(instrument) && quantity.signum() != 0)
        discrepancies.add(new Discrepancy("UNTRADED_POSITION", instrument,
            "broker holds " + quantity.toPlainString() + " of an instrument the engine does not trade"));
    });
    return discrepancies;
  }

  /** The message of a phase's failure, without the CompletionException around it. */
  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }
}
