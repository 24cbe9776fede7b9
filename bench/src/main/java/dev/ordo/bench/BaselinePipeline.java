package dev.ordo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.risk.RiskLimits;
import dev.ordo.engine.strategy.Decision;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.OrderAction;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.strategy.StrategyState;
import dev.ordo.engine.trading.OrderSources;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.venue.VenueBook;
import dev.ordo.engine.venue.VenueMarket;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The two baselines of the live path, with the engine's strategy ({@link EightyTwentyStrategy}), risk check
 * ({@link AccountRisk#check}), fill model and paper venue rules ({@link VenueBook}) and position fold
 * ({@link NetPosition}), so only the design differs:
 *
 * <ul>
 *   <li>{@link Design#LOCKS}: the design Ordo replaces. Ticks go to a pool of worker threads (one per core); each
 *       symbol has a lock, and a worker applies a tick with copy-work-recheck (copy the symbol's state under its lock,
 *       build the bar and run the strategy on the copy without it, take the lock again and commit only if nobody
 *       changed the state meanwhile, else redo); ticks of one symbol are applied in their order (a tick that overtook
 *       an earlier one waits in the symbol's buffer). The account at the venue (book, cash, risk state) is one more
 *       lock. Every record Ordo journals (bar applied, bar opened, session ended, order submitted, accepted, rejected,
 *       filled, canceled, position fill) is written, as the same record types in JSON, to H2 through each thread's
 *       own JDBC connection, one transaction per symbol step, before the order is sent. No expert runs in this
 *       pipeline, so the expert try-lock of that design has nothing to guard and is left out.
 *   <li>{@link Design#SINGLE_THREAD}: the same steps on the feeding thread, without locks, pool or persistence: the
 *       upper bound.
 * </ul>
 */
final class BaselinePipeline implements Pipeline {

  /** Which baseline. */
  enum Design {
    LOCKS,
    SINGLE_THREAD
  }

  private static final AccountId ACCOUNT = OrdoPipeline.ACCOUNT;
  private static final LongFunction<TradeId> TRADE_IDS = n -> TradeId.of("T" + n);

  private final Design design;
  private final Latency latency;
  private final Duration interval;
  private final Trader[] traders;
  private final Map<InstrumentId, Integer> index;
  private final ExecutorService pool;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong journaled = new AtomicLong();
  private final AtomicLong placed = new AtomicLong();
  private final ReentrantLock venueLock = new ReentrantLock();
  private final String jdbcUrl;
  private final ThreadLocal<Connection> connections;
  private final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
  private final ObjectMapper json = JsonMapper.builder().findAndAddModules().build();
  private VenueBook book;
  private VenueMarket market;
  private AccountRisk.State risk = AccountRisk.initialState(ACCOUNT);

  BaselinePipeline(Design design, PipelineInput input, Path dataDir, Latency latency) throws SQLException {
    this.design = design;
    this.latency = latency;
    this.index = input.index();
    this.interval = input.windows().get(0).bars().get(0).interval();
    Config config = ConfigFactory.load();
    EightyTwentyStrategy.Parameters parameters = dev.ordo.app.Engine.strategyParameters(config.getConfig("ordo.strategy"));
    Map<InstrumentId, Instrument> listing = new TreeMap<>();
    traders = new Trader[input.instruments().size()];
    for (Instrument instrument : input.instruments()) {
      listing.put(instrument.id(), instrument);
      traders[input.index().get(instrument.id())] = new Trader(instrument.id(),
          new EightyTwentyStrategy(parameters.withTickSize(instrument.tickSize())));
    }
    book = VenueBook.empty().withDeposit(OrdoPipeline.paperCash(config));
    market = VenueMarket.listing(listing, OrdoPipeline.venueRules(config));
    if (design == Design.LOCKS) {
      pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
      jdbcUrl = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("locks") + ";WRITE_DELAY=0;" + dev.ordo.persistence.JournalSettings.H2_STORAGE;
      try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", ""); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS journal (ordering BIGINT AUTO_INCREMENT PRIMARY KEY, entity VARCHAR(255) NOT NULL,"
            + " sequence_number BIGINT NOT NULL, manifest VARCHAR(255) NOT NULL, payload BINARY LARGE OBJECT NOT NULL)");
      }
      connections = ThreadLocal.withInitial(() -> {
        try {
          Connection c = DriverManager.getConnection(jdbcUrl, "sa", "");
          c.setAutoCommit(false);
          opened.add(c);
          return c;
        } catch (SQLException e) {
          throw new IllegalStateException("cannot open the lock baseline's H2 journal " + jdbcUrl + ": " + e.getMessage(), e);
        }
      });
    } else {
      pool = null;
      jdbcUrl = null;
      connections = null;
    }
  }

  // ------------------------------------------------------------------ the driver's side

  @Override
  public void feed(PipelineInput.Window window) {
    Instant at = window.open();
    for (TradeTick tick : window.ticks()) {
      Trader trader = traders[index.get(tick.instrumentId())];
      if (design == Design.SINGLE_THREAD) {
        apply(trader, tick, at);
        continue;
      }
      long seq = trader.fed++;
      pending.incrementAndGet();
      pool.execute(() -> {
        try {
          onTick(trader, seq, tick, at);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          pending.decrementAndGet();
        }
      });
    }
  }

  @Override
  public void awaitProcessed(PipelineInput.Window window) {
    while (pending.get() > 0) LockSupport.parkNanos(20_000);
    Throwable failed = failure.get();
    if (failed != null) throw new IllegalStateException("the " + design + " baseline failed: " + failed, failed);
  }

  @Override
  public void exchange(PipelineInput.Window window) {
    Instant at = window.open();
    for (Bar bar : window.bars()) {
      List<Fill> fills;
      lockVenue();
      try {
        market = market.barMatched(bar);
        fills = book.match(bar, TRADE_IDS);
        book = book.withFills(fills);
      } finally {
        unlockVenue();
      }
      Trader trader = traders[index.get(bar.instrumentId())];
      for (Fill fill : fills) {
        lock(trader);
        try {
          filled(trader, fill, at);
        } finally {
          unlock(trader);
        }
      }
    }
    lockVenue();
    try {
      for (Bar last : window.sessionEnds()) market = market.sessionClosed(last);
    } finally {
      unlockVenue();
    }
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
    if (pool != null) {
      pool.shutdown();
      pool.awaitTermination(60, TimeUnit.SECONDS);
    }
    for (Connection c : opened) c.close();
  }

  // ------------------------------------------------------------------ a tick, on a worker (locks) or the feeder

  /** Locks: applies the tick numbered {@code seq} of its symbol, or leaves it in the symbol's buffer until its turn. */
  private void onTick(Trader trader, long seq, TradeTick tick, Instant at) {
    trader.lock.lock();
    try {
      if (seq != trader.next) {
        trader.waiting.put(seq, tick);
        return;
      }
    } finally {
      trader.lock.unlock();
    }
    TradeTick current = tick;
    while (current != null) {
      apply(trader, current, at);
      trader.lock.lock();
      try {
        trader.next++;
        current = trader.waiting.remove(trader.next);
      } finally {
        trader.lock.unlock();
      }
    }
  }

  /** Copy-work-recheck: the tick's work on a copy of the symbol's state, committed when the state did not change meanwhile. */
  private void apply(Trader trader, TradeTick tick, Instant at) {
    while (true) {
      Trader.Copy copy;
      long version;
      lock(trader);
      try {
        copy = trader.copy();
        version = trader.version;
      } finally {
        unlock(trader);
      }
      Step step = work(trader.instrument, trader.strategy, copy, tick, at);
      lock(trader);
      try {
        if (trader.version != version) continue;
        trader.commit(step.after());
        trader.version++;
        journal(trader, step.records());
        for (Decision decision : step.decisions()) act(trader, decision, at);
        return;
      } finally {
        unlock(trader);
      }
    }
  }

  /** What a tick does to a symbol's state: its records to journal and the strategy's decisions (their states already in {@code after}). */
  private record Step(Trader.Copy after, List<Object> records, List<Decision> decisions) {}

  /** Bar building as the engine's BarBuilder does it, and the strategy's answers; reads and writes only {@code copy}. */
  private Step work(InstrumentId id, Strategy strategy, Trader.Copy copy, TradeTick tick, Instant at) {
    List<Object> records = new ArrayList<>();
    List<Decision> decisions = new ArrayList<>();
    OffsetDateTime local = tick.tsEvent().atZone(OrdoPipeline.IST).toOffsetDateTime();
    long secondOfDay = local.toLocalTime().toSecondOfDay();
    long seconds = interval.toSeconds();
    OffsetDateTime window = local.toLocalDate().atStartOfDay().atOffset(local.getOffset()).plusSeconds(secondOfDay - secondOfDay % seconds);
    if (copy.open != null && window.isBefore(copy.open)) return new Step(copy, records, decisions);
    if (copy.open == null || window.isAfter(copy.open)) {
      if (copy.open != null) {
        Bar bar = new Bar(id, interval, copy.o, copy.h, copy.l, copy.c, copy.volume, copy.open);
        Decision onBar = strategy.onBar(copy.state, bar);
        copy.state = onBar.state();
        decisions.add(onBar);
        records.add(new SymbolTrader.BarApplied(ACCOUNT, id, bar, onBar.state(), null, at));
        LocalDate previous = copy.open.toLocalDate();
        if (!previous.equals(window.toLocalDate())) {
          Decision ended = strategy.onSessionEnd(copy.state, previous);
          copy.state = ended.state();
          decisions.add(ended);
          records.add(new SymbolTrader.SessionEnded(ACCOUNT, id, previous, ended.state(), null, at));
        }
      }
      copy.open = window;
      copy.o = copy.h = copy.l = tick.price();
      copy.volume = BigDecimal.ZERO;
      Decision opened = strategy.onBarOpen(copy.state, window);
      if (!opened.state().equals(copy.state) || !opened.actions().isEmpty())
        records.add(new SymbolTrader.BarOpened(ACCOUNT, id, window, opened.state(), null, at));
      copy.state = opened.state();
      decisions.add(opened);
    }
    copy.h = copy.h.max(tick.price());
    copy.l = copy.l.min(tick.price());
    copy.c = tick.price();
    copy.volume = copy.volume.add(tick.size().value());
    return new Step(copy, records, decisions);
  }

  // ------------------------------------------------------------------ orders and fills, under the symbol's lock

  private void act(Trader trader, Decision decision, Instant at) {
    for (OrderAction action : decision.actions()) {
      if (action instanceof OrderAction.Place place) place(trader, place, at);
      else if (action instanceof OrderAction.ModifyTrigger modify) modify(trader, modify, at);
      else if (action instanceof OrderAction.Cancel cancel) cancel(trader, cancel.role(), at);
    }
  }

  private void decide(Trader trader, Decision decision, Instant at) {
    trader.state = decision.state();
    act(trader, decision, at);
  }

  private void place(Trader trader, OrderAction.Place place, Instant at) {
    ClientOrderId cid = OrderSources.strategyOrder(trader.instrument, ++trader.orders);
    OrderRequest request = new OrderRequest(cid, trader.instrument, place.side(), place.type(), place.quantity(), place.trigger(), place.limit(),
        TimeInForce.DAY);
    journal(trader, List.of(new SymbolTrader.OrderSubmitted(ACCOUNT, trader.instrument, cid, place.role(), place.side(), place.type(),
        place.quantity(), place.trigger(), place.limit(), place.reason(), OrderStatus.SUBMITTED, at)));
    VenueBook.Placement placement;
    String refusal = null;
    VenueOrderId id;
    lockVenue();
    try {
      AccountRisk.Verdict verdict = AccountRisk.check(risk, RiskLimits.NONE, request, at.atZone(OrdoPipeline.IST).toLocalDate());
      if (verdict instanceof AccountRisk.Refused refused) refusal = refused.detail();
      id = VenueOrderId.of(Long.toString(1_000_000_000L + book.orderSequence() + 1));
      if (refusal == null) {
        placed.incrementAndGet();
        latency.orderPlaced();
        placement = book.place(id, request, at, market, TRADE_IDS);
        book = book.withPlacement(placement);
        if (!placement.accepted()) refusal = placement.order().rejectReason();
      } else {
        placement = null;
      }
    } finally {
      unlockVenue();
    }
    if (refusal != null) {
      Decision closed = trader.strategy.onOrderClosed(trader.state, place.role(), OrderStatus.REJECTED);
      journal(trader, List.of(new SymbolTrader.OrderRejected(ACCOUNT, trader.instrument, cid, refusal, closed.state(), at)));
      decide(trader, closed, at);
      return;
    }
    journal(trader, List.of(new SymbolTrader.OrderAccepted(ACCOUNT, trader.instrument, cid, id, at)));
    trader.working.put(place.role(), new Working(id, cid, place.reason()));
    placement.fill().ifPresent(fill -> filled(trader, fill, at));
  }

  private void modify(Trader trader, OrderAction.ModifyTrigger modify, Instant at) {
    Working working = trader.working.get(modify.role());
    if (working == null) return;
    lockVenue();
    try {
      if (book.modifyRefusal(working.id(), modify.trigger(), null, null, market).isPresent()) return;
      book = book.withModified(working.id(), modify.trigger(), null, null);
    } finally {
      unlockVenue();
    }
    journal(trader, List.of(new SymbolTrader.OrderModifyRequested(ACCOUNT, trader.instrument, working.clientOrderId(), modify.trigger(),
        modify.reason(), at), new SymbolTrader.OrderModified(ACCOUNT, trader.instrument, working.clientOrderId(), at)));
    trader.working.put(modify.role(), new Working(working.id(), working.clientOrderId(), modify.reason()));
  }

  private void cancel(Trader trader, OrderRole role, Instant at) {
    Working working = trader.working.remove(role);
    if (working == null) return;
    lockVenue();
    try {
      if (book.cancelRefusal(working.id()).isPresent()) return;
      book = book.withCanceled(working.id());
    } finally {
      unlockVenue();
    }
    Decision closed = trader.strategy.onOrderClosed(trader.state, role, OrderStatus.CANCELED);
    journal(trader, List.of(new SymbolTrader.OrderCanceled(ACCOUNT, trader.instrument, working.clientOrderId(), closed.state(), at)));
    decide(trader, closed, at);
  }

  /** A fill of one of the trader's orders: the position, the account's risk state, then the strategy's answer. */
  private void filled(Trader trader, Fill fill, Instant at) {
    OrderRole role = trader.working.entrySet().stream().filter(w -> w.getValue().id().equals(fill.venueOrderId())).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new IllegalStateException("fill " + fill.tradeId() + " of an order " + trader.instrument + " does not know"));
    trader.working.remove(role);
    trader.position = trader.position.apply(fill);
    lockVenue();
    try {
      risk = AccountRisk.applyEvent(risk, new AccountRisk.FillApplied(ACCOUNT, fill, fill.tsEvent().toLocalDate(), at));
    } finally {
      unlockVenue();
    }
    Decision decision = trader.strategy.onFill(trader.state, role, fill.lastQty(), fill.lastPx());
    journal(trader, List.of(new SymbolTrader.OrderFilled(ACCOUNT, trader.instrument, fill, role, decision.state(), at),
        new Position.FillApplied(ACCOUNT, trader.instrument, fill, at)));
    decide(trader, decision, at);
  }

  // ------------------------------------------------------------------ locks and the journal

  private void lock(Trader trader) {
    if (design == Design.LOCKS) trader.lock.lock();
  }

  private void unlock(Trader trader) {
    if (design == Design.LOCKS) trader.lock.unlock();
  }

  private void lockVenue() {
    if (design == Design.LOCKS) venueLock.lock();
  }

  private void unlockVenue() {
    if (design == Design.LOCKS) venueLock.unlock();
  }

  /** Locks: writes {@code records} of the trader in one transaction on this thread's connection; single-thread: nothing. */
  private void journal(Trader trader, List<Object> records) {
    if (design != Design.LOCKS || records.isEmpty()) return;
    Connection c = connections.get();
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO journal (entity, sequence_number, manifest, payload) VALUES (?, ?, ?, ?)")) {
      for (Object record : records) {
        insert.setString(1, trader.entity);
        insert.setLong(2, ++trader.journaled);
        insert.setString(3, record.getClass().getName());
        insert.setBytes(4, json.writeValueAsBytes(record));
        insert.addBatch();
      }
      insert.executeBatch();
      c.commit();
      journaled.addAndGet(records.size());
    } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the lock baseline's journal write failed: " + e.getMessage(), e);
    }
  }

  /** A working order of the strategy: venue id, ClientOrderId, and the exit reason it records. */
  private record Working(VenueOrderId id, ClientOrderId clientOrderId, ExitReason reason) {}

  /** One symbol: its strategy state, bar being built, working orders and position, guarded by its lock (locks). */
  private static final class Trader {
    final InstrumentId instrument;
    final String entity;
    final Strategy strategy;
    final ReentrantLock lock = new ReentrantLock();
    final Map<OrderRole, Working> working = new EnumMap<>(OrderRole.class);
    final TreeMap<Long, TradeTick> waiting = new TreeMap<>();
    StrategyState state;
    NetPosition position = NetPosition.FLAT;
    OffsetDateTime open;
    Price o;
    Price h;
    Price l;
    Price c;
    BigDecimal volume = BigDecimal.ZERO;
    long version;
    long orders;
    long journaled;
    /** Ticks handed to the pool (feeder thread only) and the number of the next to apply (under the lock). */
    long fed;
    long next;

    Trader(InstrumentId instrument, Strategy strategy) {
      this.instrument = instrument;
      this.entity = SymbolTrader.entityId(ACCOUNT, instrument);
      this.strategy = strategy;
      this.state = strategy.initialState();
    }

    /** The part a tick changes: strategy state and the bar being built. */
    static final class Copy {
      StrategyState state;
      OffsetDateTime open;
      Price o;
      Price h;
      Price l;
      Price c;
      BigDecimal volume;
    }

    Copy copy() {
      Copy copy = new Copy();
      copy.state = state;
      copy.open = open;
      copy.o = o;
      copy.h = h;
      copy.l = l;
      copy.c = c;
      copy.volume = volume;
      return copy;
    }

    void commit(Copy copy) {
      state = copy.state;
      open = copy.open;
      o = copy.o;
      h = copy.h;
      l = copy.l;
      c = copy.c;
      volume = copy.volume;
    }
  }
}
