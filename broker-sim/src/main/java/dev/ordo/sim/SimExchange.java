package dev.ordo.sim;

import dev.ordo.broker.neo.NeoWire;
import dev.ordo.broker.neo.ScripMaster;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.venue.BarFillModel;
import dev.ordo.engine.venue.Product;
import dev.ordo.engine.venue.VenueBook;
import dev.ordo.engine.venue.VenueMarket;
import dev.ordo.engine.venue.VenueOrder;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The simulated exchange and broker back office: the {@link VenueBook} of one account (order book,
 * trade book, positions per instrument and product, and cash, with the paper broker's rules: tick and
 * lot size, freeze quantity, products, holdings and cash checked at placement and modification,
 * {@link BarFillModel} matching against bars opening at or after an order's acceptance in simulated
 * time, a market order after its session closed filled at the close), and a market that
 * replays bar files in wall-clock time at {@code speed}. Each bar goes out as four ticks (open,
 * then low and high in the likelier order, then close) stamped inside the bar. State is in memory:
 * a restarted simulator starts afresh.
 */
final class SimExchange {

  private SimExchange() {}

  /** Protocol; local to the simulator's JVM. */
  sealed interface Command extends NoSerializationVerificationNeeded {}

  /** An HTTP-shaped answer: status and a JSON-able body. */
  record Reply(int status, Object body) {}

  record Place(Map<String, String> order, ActorRef<Reply> replyTo) implements Command {}

  record Modify(Map<String, String> change, ActorRef<Reply> replyTo) implements Command {}

  record Cancel(Map<String, String> cancel, ActorRef<Reply> replyTo) implements Command {}

  record GetOrders(ActorRef<Reply> replyTo) implements Command {}

  record GetTrades(ActorRef<Reply> replyTo) implements Command {}

  record GetPositions(ActorRef<Reply> replyTo) implements Command {}

  record GetLimits(ActorRef<Reply> replyTo) implements Command {}

  record GetQuotes(List<String> scrips, ActorRef<Reply> replyTo) implements Command {}

  record GetClock(ActorRef<Reply> replyTo) implements Command {}

  /** Stops the market (no more bars, ticks or fills); the order desk keeps answering. */
  record PauseMarket(ActorRef<Reply> replyTo) implements Command {}

  /** Starts a paused market again at its next step; a market that is not paused is left as it is. */
  record ResumeMarket(ActorRef<Reply> replyTo) implements Command {}

  private enum Step implements Command {
    INSTANCE
  }

  /** Receives what the sockets push: ticks for the market data, order-book rows for the order feed. */
  interface TickSink {
    void publish(String scrip, Map<String, Object> frame);

    void publishOrder(Map<String, Object> row);
  }

  static Behavior<Command> create(ReplaySchedule schedule, ScripMaster master, VenueRules rules, Double speed, BigDecimal cash, SimStats stats,
      TickSink ticks) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Exchange exchange = new Exchange(schedule, master, rules, speed, cash, stats, ticks, context, timers);
      context.getSelf().tell(Step.INSTANCE);
      return exchange.behavior();
    }));
  }

  /** The currency of the account's cash. */
  private static final String CURRENCY = "INR";

  /** Names the n-th fill of the account (Kotak Neo {@code flId}). */
  private static final LongFunction<TradeId> TRADE_IDS = n -> TradeId.of("F" + n);

  /** First order number less one (Kotak Neo's are 15 digits, so they sort in placement order). */
  private static final long ORDER_NUMBERS = 240000000000000L;

  /**
   * What the wire shows of an order beyond the book's {@link VenueOrder}.
   *
   * @param tag       the client's free text {@code ig} (Ordo's ClientOrderId), empty when none
   * @param updatedAt simulated time of the last change
   */
  private record Ticket(String tag, String validity, Instant updatedAt) {

    Ticket updated(Instant at) {
      return new Ticket(tag, validity, at);
    }
  }

  private static final class Exchange {
    private final ReplaySchedule schedule;
    private final ScripMaster master;
    private final Double speed;
    private final SimStats stats;
    private final TickSink ticks;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Set<String> tags = new HashSet<>();
    /** The wire fields of each order that the book does not keep. */
    private final Map<VenueOrderId, Ticket> tickets = new HashMap<>();
    private final Map<InstrumentId, BigDecimal[]> day = new HashMap<>(); // open, high, low, volume
    private final Map<InstrumentId, LocalDate> dayOf = new HashMap<>();
    private final Map<InstrumentId, BigDecimal> previousClose = new HashMap<>();
    private VenueBook book;
    private VenueMarket market;
    private boolean paused;
    private Instant clock;
    private int next;

    Exchange(ReplaySchedule schedule, ScripMaster master, VenueRules rules, Double speed, BigDecimal cash, SimStats stats, TickSink ticks,
        ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.schedule = schedule;
      this.master = master;
      this.speed = speed;
      this.book = VenueBook.empty().withDeposit(Map.of(CURRENCY, cash));
      this.market = VenueMarket.listing(master.instruments().stream().collect(Collectors.toMap(Instrument::id, i -> i)), rules);
      this.stats = stats;
      this.ticks = ticks;
      this.context = context;
      this.timers = timers;
      this.clock = schedule.steps().get(0).at();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Step.class, step -> {
            if (!paused) step();
            return Behaviors.same();
          })
          .onMessage(PauseMarket.class, pause -> {
            paused = true;
            timers.cancel(Step.INSTANCE);
            return reply(pause.replyTo(), new Reply(200, Map.of("paused", true, "clock", clock.toString())));
          })
          .onMessage(ResumeMarket.class, resume -> {
            if (paused) {
              paused = false;
              context.getSelf().tell(Step.INSTANCE);
            }
            return reply(resume.replyTo(), new Reply(200, Map.of("paused", false, "clock", clock.toString())));
          })
          .onMessage(Place.class, place -> reply(place.replyTo(), place(place.order())))
          .onMessage(Modify.class, modify -> reply(modify.replyTo(), modify(modify.change())))
          .onMessage(Cancel.class, cancel -> reply(cancel.replyTo(), cancel(cancel.cancel())))
          .onMessage(GetOrders.class, request -> reply(request.replyTo(), ok("data", orderRows())))
          .onMessage(GetTrades.class, request -> reply(request.replyTo(), ok("data", book.trades().stream().map(this::tradeRow).toList())))
          .onMessage(GetPositions.class, request -> reply(request.replyTo(), ok("data", positionRows())))
          .onMessage(GetLimits.class, request -> reply(request.replyTo(), limits()))
          .onMessage(GetQuotes.class, request -> reply(request.replyTo(), quotes(request.scrips())))
          .onMessage(GetClock.class, request -> reply(request.replyTo(), new Reply(200, Map.of("clock", clock.toString(),
              "stepsDone", next, "stepsTotal", schedule.steps().size()))))
          .build();
    }

    private static Behavior<Command> reply(ActorRef<Reply> replyTo, Reply reply) {
      replyTo.tell(reply);
      return Behaviors.same();
    }

    private static Reply ok(String key, Object value) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("stCode", 200);
      body.put(key, value);
      return new Reply(200, body);
    }

    static Reply notOk(int status, String message) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Not_Ok");
      body.put("emsg", message);
      body.put("stCode", status);
      return new Reply(status, body);
    }

    // ------------------------------------------------------------------ market

    private void step() {
      if (next >= schedule.steps().size()) return;
      ReplaySchedule.Step step = schedule.steps().get(next);
      clock = step.at();
      Instant close = null;
      for (Bar bar : step.bars()) {
        match(bar);
        publish(bar);
        Instant barClose = bar.tsClose().toInstant();
        if (close == null || barClose.isBefore(close)) close = barClose;
      }
      if (close != null) clock = close;
      for (Bar bar : step.sessionEnds()) {
        market = market.sessionClosed(bar);
        previousClose.put(bar.instrumentId(), bar.close().value());
      }
      next++;
      if (next >= schedule.steps().size()) {
        context.getLog().info("Simulated market reached the end of its data at {}", clock);
        return;
      }
      ReplaySchedule.Step upcoming = schedule.steps().get(next);
      Duration pause = Duration.ZERO;
      if (speed != null && upcoming.sessionIndex() == step.sessionIndex())
        pause = Duration.ofNanos((long) (Duration.between(step.at(), upcoming.at()).toNanos() / speed));
      if (pause.isZero()) context.getSelf().tell(Step.INSTANCE);
      else timers.startSingleTimer(Step.INSTANCE, pause);
    }

    private void match(Bar bar) {
      market = market.barMatched(bar);
      book.match(bar, TRADE_IDS).forEach(this::fill);
    }

    private void fill(Fill fill) {
      book = book.withFill(fill);
      touch(fill.venueOrderId());
      ticks.publishOrder(row(book.order(fill.venueOrderId()).orElseThrow()));
      stats.fills.incrementAndGet();
    }

    private void touch(VenueOrderId id) {
      tickets.put(id, tickets.get(id).updated(clock));
    }

    private void publish(Bar bar) {
      InstrumentId id = bar.instrumentId();
      Instrument instrument = master.byId(id).orElseThrow();
      LocalDate date = bar.tsOpen().toLocalDate();
      if (!date.equals(dayOf.get(id))) {
        dayOf.put(id, date);
        day.put(id, new BigDecimal[] {bar.open().value(), bar.high().value(), bar.low().value(), BigDecimal.ZERO});
      }
      BigDecimal[] d = day.get(id);
      boolean up = bar.close().compareTo(bar.open()) >= 0;
      Price[] path = up ? new Price[] {bar.open(), bar.low(), bar.high(), bar.close()} : new Price[] {bar.open(), bar.high(), bar.low(), bar.close()};
      long[] offsets = {0, bar.interval().toSeconds() / 3, 2 * bar.interval().toSeconds() / 3, bar.interval().toSeconds() - 1};
      BigDecimal quarter = bar.volume().divide(BigDecimal.valueOf(4), 0, java.math.RoundingMode.DOWN);
      String scrip = NeoWire.segment(id) + "|" + instrument.brokerToken();
      for (int n = 0; n < 4; n++) {
        BigDecimal ltq = n < 3 ? quarter : bar.volume().subtract(quarter.multiply(BigDecimal.valueOf(3)));
        d[1] = d[1].max(path[n].value());
        d[2] = d[2].min(path[n].value());
        d[3] = d[3].add(ltq);
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("tk", instrument.brokerToken());
        frame.put("e", NeoWire.segment(id));
        frame.put("ts", bar.tsOpen().plusSeconds(offsets[n]).toString());
        frame.put("ltp", path[n].toString());
        frame.put("ltq", ltq.toPlainString());
        frame.put("v", d[3].toPlainString());
        frame.put("op", d[0].toPlainString());
        frame.put("h", d[1].toPlainString());
        frame.put("lo", d[2].toPlainString());
        frame.put("c", previousClose.getOrDefault(id, d[0]).toPlainString());
        ticks.publish(scrip, frame);
      }
    }

    // ------------------------------------------------------------------ orders

    /**
     * A placement: malformed fields (missing, not a number, unknown code) answer 400 without an order;
     * an order the book rejects stays in the order book as rejected and answers 400 with its reason.
     */
    private Reply place(Map<String, String> f) {
      OrderRequest request;
      Product product;
      VenueOrderId id = VenueOrderId.of(Long.toString(ORDER_NUMBERS + book.orderSequence() + 1));
      String tag = f.getOrDefault("ig", "");
      try {
        product = NeoWire.product(required(f, "pc"));
        InstrumentId instrument = instrument(f).id();
        OrderSide side = NeoWire.side(required(f, "tt"));
        OrderType type = NeoWire.orderType(required(f, "pt"));
        Quantity quantity = quantity(required(f, "qt"), "qt");
        Price limit = type == OrderType.LIMIT || type == OrderType.STOP_LIMIT ? price(required(f, "pr"), "pr") : null;
        Price trigger = type == OrderType.STOP_MARKET || type == OrderType.STOP_LIMIT ? price(required(f, "tp"), "tp") : null;
        // The book needs a client order id; an untagged order goes by its order number. The validity stays on the ticket.
        request = new OrderRequest(ClientOrderId.of(tag.isEmpty() ? id.value() : tag), instrument, side, type, quantity, trigger, limit,
            TimeInForce.DAY);
      } catch (IllegalArgumentException e) {
        return notOk(400, e.getMessage());
      }
      if (!tag.isEmpty() && !tags.add(tag)) stats.duplicateClientOrderIds.incrementAndGet();
      VenueBook.Placement placement = book.place(id, request, product, clock, market, TRADE_IDS);
      tickets.put(id, new Ticket(tag, f.getOrDefault("rt", "DAY"), clock));
      book = placement.accepted() ? book.withAccepted(placement.order()) : book.withRejected(placement.order());
      ticks.publishOrder(row(placement.order()));
      if (!placement.accepted()) return notOk(400, placement.order().rejectReason());
      stats.ordersPlaced.incrementAndGet();
      placement.fill().ifPresent(this::fill);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("nOrdNo", id.value());
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Reply modify(Map<String, String> f) {
      VenueOrderId id;
      Price limit;
      Price trigger;
      Quantity quantity;
      try {
        id = VenueOrderId.of(required(f, "no"));
        // Kotak Neo sends 0 for a price it does not change.
        limit = f.containsKey("pr") && !f.get("pr").equals("0") ? price(f.get("pr"), "pr") : null;
        trigger = f.containsKey("tp") && !f.get("tp").equals("0") ? price(f.get("tp"), "tp") : null;
        quantity = f.containsKey("qt") ? quantity(f.get("qt"), "qt") : null;
      } catch (IllegalArgumentException e) {
        return notOk(400, e.getMessage());
      }
      Optional<String> refusal = book.modifyRefusal(id, trigger, limit, quantity, market);
      if (refusal.isPresent()) return notOk(400, refusal.get());
      book = book.withModified(id, trigger, limit, quantity);
      touch(id);
      ticks.publishOrder(row(book.order(id).orElseThrow()));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("nOrdNo", id.value());
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Reply cancel(Map<String, String> f) {
      VenueOrderId id;
      try {
        id = VenueOrderId.of(required(f, "on"));
      } catch (IllegalArgumentException e) {
        return notOk(400, e.getMessage());
      }
      Optional<String> refusal = book.cancelRefusal(id);
      if (refusal.isPresent()) return notOk(400, refusal.get());
      book = book.withCanceled(id);
      touch(id);
      ticks.publishOrder(row(book.order(id).orElseThrow()));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("result", id.value());
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    /** Every order, in placement order. */
    private List<Map<String, Object>> orderRows() {
      return Stream.concat(book.closedOrders().stream(), book.openOrders().stream()).sorted(Comparator.comparing(VenueOrder::venueOrderId))
          .map(this::row).toList();
    }

    private Map<String, Object> row(VenueOrder o) {
      Instrument instrument = master.byId(o.instrumentId()).orElseThrow();
      Ticket ticket = tickets.get(o.venueOrderId());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("nOrdNo", o.venueOrderId().value());
      row.put("ig", ticket.tag());
      row.put("ordSt", NeoWire.status(o.status()));
      row.put("trdSym", o.instrumentId().symbol());
      row.put("sym", o.instrumentId().symbol().replaceFirst("-EQ$", ""));
      row.put("tok", instrument.brokerToken());
      row.put("exSeg", NeoWire.segment(o.instrumentId()));
      row.put("prod", NeoWire.product(o.product()));
      row.put("prcTp", NeoWire.orderType(o.type()));
      row.put("prc", o.limit() == null ? "0" : o.limit().toString());
      row.put("trgPrc", o.trigger() == null ? "0" : o.trigger().toString());
      row.put("qty", o.quantity().toString());
      row.put("fldQty", o.filledQuantity().toString());
      row.put("unFldSz", o.remainingQuantity().toString());
      row.put("cnlQty", o.status() == OrderStatus.CANCELED ? o.remainingQuantity().toString() : "0");
      row.put("avgPrc", o.averagePrice() == null ? "0" : o.averagePrice().toString());
      row.put("trnsTp", NeoWire.side(o.side()));
      row.put("vldt", ticket.validity());
      row.put("rejRsn", o.rejectReason() == null ? "" : o.rejectReason());
      row.put("ordDtTm", o.acceptedAt().toString());
      row.put("hsUpTm", ticket.updatedAt().toString());
      row.put("tckSz", instrument.tickSize().toPlainString());
      row.put("lotSz", instrument.lotSize().toPlainString());
      return row;
    }

    private Map<String, Object> tradeRow(Fill fill) {
      Map<String, Object> trade = new LinkedHashMap<>();
      trade.put("nOrdNo", fill.venueOrderId().value());
      trade.put("flId", fill.tradeId().value());
      trade.put("ig", tickets.get(fill.venueOrderId()).tag());
      trade.put("trdSym", fill.instrumentId().symbol());
      trade.put("tok", master.byId(fill.instrumentId()).orElseThrow().brokerToken());
      trade.put("exSeg", NeoWire.segment(fill.instrumentId()));
      trade.put("trnsTp", NeoWire.side(fill.side()));
      trade.put("fldQty", fill.lastQty().toString());
      trade.put("avgPrc", fill.lastPx().toString());
      trade.put("flDtTm", fill.tsEvent().toString());
      return trade;
    }

    /** One row per instrument and product: a delivery (CNC) and an intraday (MIS) position of one stock are two rows. */
    private List<Map<String, Object>> positionRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Map.Entry<VenueBook.PositionKey, PositionReport> position : new TreeMap<>(book.positions()).entrySet()) {
        PositionReport p = position.getValue();
        Instrument instrument = master.byId(p.instrumentId()).orElseThrow();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tok", instrument.brokerToken());
        row.put("trdSym", p.instrumentId().symbol());
        row.put("exSeg", NeoWire.segment(p.instrumentId()));
        row.put("prod", NeoWire.product(position.getKey().product()));
        row.put("flBuyQty", p.buyQuantity().toPlainString());
        row.put("flSellQty", p.sellQuantity().toPlainString());
        row.put("buyAmt", p.buyAmount().toPlainString());
        row.put("sellAmt", p.sellAmount().toPlainString());
        row.put("cfBuyQty", "0");
        row.put("cfSellQty", "0");
        row.put("cfBuyAmt", "0");
        row.put("cfSellAmt", "0");
        row.put("lotSz", instrument.lotSize().toPlainString());
        row.put("multiplier", "1");
        row.put("precision", "2");
        rows.add(row);
      }
      return rows;
    }

    /** {@code Net}: cash available for new orders; {@code MarginUsed}: cash held by working buys. */
    private Reply limits() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Net", book.cash().getOrDefault(CURRENCY, BigDecimal.ZERO).toPlainString());
      body.put("MarginUsed", book.reserved().getOrDefault(CURRENCY, BigDecimal.ZERO).toPlainString());
      body.put("CollateralValue", "0");
      body.put("RealizedMtomPrsnt", "0");
      body.put("UnrealizedMtomPrsnt", "0");
      body.put("stat", "Ok");
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Reply quotes(List<String> scrips) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String scrip : scrips) {
        Optional<Instrument> instrument = master.byScrip(scrip);
        if (instrument.isEmpty()) return notOk(400, "unknown scrip " + scrip);
        Optional<Price> last = market.lastPrice(instrument.get().id());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("exchange_token", instrument.get().brokerToken());
        row.put("display_symbol", instrument.get().id().symbol());
        row.put("exchange", NeoWire.segment(instrument.get().id()));
        row.put("ltp", last.map(Price::toString).orElse("0"));
        rows.add(row);
      }
      return new Reply(200, rows);
    }

    private Instrument instrument(Map<String, String> f) {
      String symbol = required(f, "ts");
      String segment = required(f, "es");
      InstrumentId id = new InstrumentId(symbol, NeoWire.venue(segment));
      return master.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown trading symbol " + symbol + " on " + segment));
    }

    private static String required(Map<String, String> f, String key) {
      String value = f.get(key);
      if (value == null || value.isBlank()) throw new IllegalArgumentException("missing field '" + key + "'");
      return value;
    }

    /** Parses a quantity; the book judges whether it is positive. */
    private static Quantity quantity(String text, String field) {
      try {
        return Quantity.of(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + " is not a number: '" + text + "'");
      }
    }

    /** Parses a price; the book judges whether it is positive. */
    private static Price price(String text, String field) {
      try {
        return Price.of(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + " is not a number: '" + text + "'");
      }
    }
  }
}
