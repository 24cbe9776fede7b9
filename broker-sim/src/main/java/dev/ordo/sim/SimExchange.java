package dev.ordo.sim;

import dev.ordo.broker.neo.NeoWire;
import dev.ordo.broker.neo.ScripMaster;
import dev.ordo.engine.venue.BarFillModel;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The simulated exchange and broker back office: order book, trade book, positions and cash of one
 * account, and a market that replays bar files in wall-clock time at {@code speed}. Orders are
 * matched with the paper broker's {@link BarFillModel} against bars opening at or after their
 * acceptance (in simulated time); after an instrument's session closed a market order fills at the
 * close. Each bar goes out as four ticks (open, then low and high in the likelier order, then close)
 * stamped inside the bar. State is in memory: a restarted simulator starts afresh.
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

  private enum Step implements Command {
    INSTANCE
  }

  /** Receives what the sockets push: ticks for the market data, order-book rows for the order feed. */
  interface TickSink {
    void publish(String scrip, Map<String, Object> frame);

    void publishOrder(Map<String, Object> row);
  }

  static Behavior<Command> create(ReplaySchedule schedule, ScripMaster master, Double speed, BigDecimal cash, SimStats stats, TickSink ticks) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Exchange exchange = new Exchange(schedule, master, speed, cash, stats, ticks, context, timers);
      context.getSelf().tell(Step.INSTANCE);
      return exchange.behavior();
    }));
  }

  private static final class Exchange {
    private final ReplaySchedule schedule;
    private final ScripMaster master;
    private final Double speed;
    private final SimStats stats;
    private final TickSink ticks;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Map<String, SimOrder> orders = new LinkedHashMap<>();
    private final List<Map<String, Object>> trades = new ArrayList<>();
    private final Map<InstrumentId, BigDecimal[]> positions = new TreeMap<>(); // buyQty, sellQty, buyAmt, sellAmt
    private final Set<String> tags = new HashSet<>();
    private final Map<InstrumentId, Bar> closedWith = new HashMap<>();
    private final Map<InstrumentId, Bar> lastBar = new HashMap<>();
    private final Map<InstrumentId, BigDecimal[]> day = new HashMap<>(); // open, high, low, volume
    private final Map<InstrumentId, LocalDate> dayOf = new HashMap<>();
    private final Map<InstrumentId, BigDecimal> previousClose = new HashMap<>();
    private BigDecimal cash;
    private boolean paused;
    private Instant clock;
    private int next;
    private long orderSequence;
    private long tradeSequence;

    Exchange(ReplaySchedule schedule, ScripMaster master, Double speed, BigDecimal cash, SimStats stats, TickSink ticks,
        ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.schedule = schedule;
      this.master = master;
      this.speed = speed;
      this.cash = cash;
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
          .onMessage(Place.class, place -> reply(place.replyTo(), place(place.order())))
          .onMessage(Modify.class, modify -> reply(modify.replyTo(), modify(modify.change())))
          .onMessage(Cancel.class, cancel -> reply(cancel.replyTo(), cancel(cancel.cancel())))
          .onMessage(GetOrders.class, request -> reply(request.replyTo(), ok("data", orders.values().stream().map(this::row).toList())))
          .onMessage(GetTrades.class, request -> reply(request.replyTo(), ok("data", List.copyOf(trades))))
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
        closedWith.put(bar.instrumentId(), bar);
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
      InstrumentId id = bar.instrumentId();
      closedWith.remove(id);
      for (SimOrder order : List.copyOf(orders.values())) {
        if (!order.isOpen() || !order.instrument().id().equals(id) || order.acceptedAt().isAfter(bar.tsOpen().toInstant())) continue;
        Optional<Price> px = BarFillModel.match(order.type(), order.side(), order.trigger(), order.price(), bar);
        px.ifPresent(price -> fill(order, price, bar));
      }
    }

    private void fill(SimOrder order, Price price, Bar bar) {
      SimOrder filled = order.filled(price, clock);
      orders.put(order.orderNo(), filled);
      ticks.publishOrder(row(filled));
      BigDecimal quantity = order.quantity().value();
      BigDecimal amount = price.value().multiply(quantity);
      BigDecimal[] p = positions.computeIfAbsent(order.instrument().id(), k -> zeros(4));
      if (order.side() == OrderSide.BUY) {
        p[0] = p[0].add(quantity);
        p[2] = p[2].add(amount);
        cash = cash.subtract(amount);
      } else {
        p[1] = p[1].add(quantity);
        p[3] = p[3].add(amount);
        cash = cash.add(amount);
      }
      Map<String, Object> trade = new LinkedHashMap<>();
      trade.put("nOrdNo", order.orderNo());
      trade.put("flId", "F" + (++tradeSequence));
      trade.put("ig", order.tag());
      trade.put("trdSym", order.instrument().id().symbol());
      trade.put("tok", order.instrument().brokerToken());
      trade.put("exSeg", NeoWire.segment(order.instrument().id()));
      trade.put("trnsTp", NeoWire.side(order.side()));
      trade.put("fldQty", quantity.toPlainString());
      trade.put("avgPrc", price.toString());
      trade.put("flDtTm", bar.tsOpen().toString());
      trades.add(trade);
      stats.fills.incrementAndGet();
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
      lastBar.put(id, bar);
    }

    // ------------------------------------------------------------------ orders

    private Reply place(Map<String, String> f) {
      Instrument instrument;
      OrderSide side;
      OrderType type;
      Quantity quantity;
      Price price;
      Price trigger;
      try {
        instrument = instrument(f);
        side = NeoWire.side(required(f, "tt"));
        type = NeoWire.orderType(required(f, "pt"));
        quantity = positiveQuantity(required(f, "qt"), "qt");
        if (quantity.value().remainder(instrument.lotSize()).signum() != 0)
          return notOk(400, "qt " + quantity + " is not a multiple of the lot size " + instrument.lotSize().toPlainString());
        price = type == OrderType.LIMIT || type == OrderType.STOP_LIMIT ? positivePrice(required(f, "pr"), "pr") : null;
        trigger = type == OrderType.STOP_MARKET || type == OrderType.STOP_LIMIT ? positivePrice(required(f, "tp"), "tp") : null;
      } catch (IllegalArgumentException e) {
        return notOk(400, e.getMessage());
      }
      String tag = f.getOrDefault("ig", "");
      if (!tag.isEmpty() && !tags.add(tag)) stats.duplicateClientOrderIds.incrementAndGet();
      String orderNo = Long.toString(240000000000000L + (++orderSequence));
      SimOrder order = new SimOrder(orderNo, tag, instrument, side, type, quantity, price, trigger, f.getOrDefault("rt", "DAY"),
          f.getOrDefault("pc", "MIS"), OrderStatus.ACCEPTED, Quantity.ZERO, null, null, clock, clock);
      orders.put(orderNo, order);
      stats.ordersPlaced.incrementAndGet();
      ticks.publishOrder(row(order));
      Bar close = closedWith.get(instrument.id());
      if (close != null && type == OrderType.MARKET) fill(order, close.close(), close);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("nOrdNo", orderNo);
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Reply modify(Map<String, String> f) {
      SimOrder order = orders.get(f.getOrDefault("no", ""));
      if (order == null) return notOk(400, "order " + f.getOrDefault("no", "(no 'no' field)") + " not found");
      if (!order.isOpen()) return notOk(400, "order " + order.orderNo() + " is not open: " + NeoWire.status(order.status()));
      try {
        Price price = f.containsKey("pr") && !f.get("pr").equals("0") ? positivePrice(f.get("pr"), "pr") : null;
        Price trigger = f.containsKey("tp") && !f.get("tp").equals("0") ? positivePrice(f.get("tp"), "tp") : null;
        Quantity quantity = f.containsKey("qt") ? positiveQuantity(f.get("qt"), "qt") : null;
        orders.put(order.orderNo(), order.withPrices(price, trigger, quantity, clock));
        ticks.publishOrder(row(orders.get(order.orderNo())));
      } catch (IllegalArgumentException e) {
        return notOk(400, e.getMessage());
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("nOrdNo", order.orderNo());
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Reply cancel(Map<String, String> f) {
      SimOrder order = orders.get(f.getOrDefault("on", ""));
      if (order == null) return notOk(400, "order " + f.getOrDefault("on", "(no 'on' field)") + " not found");
      if (!order.isOpen()) return notOk(400, "order " + order.orderNo() + " is not open: " + NeoWire.status(order.status()));
      orders.put(order.orderNo(), order.withStatus(OrderStatus.CANCELED, clock));
      ticks.publishOrder(row(orders.get(order.orderNo())));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stat", "Ok");
      body.put("result", order.orderNo());
      body.put("stCode", 200);
      return new Reply(200, body);
    }

    private Map<String, Object> row(SimOrder o) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("nOrdNo", o.orderNo());
      row.put("ig", o.tag());
      row.put("ordSt", NeoWire.status(o.status()));
      row.put("trdSym", o.instrument().id().symbol());
      row.put("sym", o.instrument().id().symbol().replaceFirst("-EQ$", ""));
      row.put("tok", o.instrument().brokerToken());
      row.put("exSeg", NeoWire.segment(o.instrument().id()));
      row.put("prod", o.product());
      row.put("prcTp", NeoWire.orderType(o.type()));
      row.put("prc", o.price() == null ? "0" : o.price().toString());
      row.put("trgPrc", o.trigger() == null ? "0" : o.trigger().toString());
      row.put("qty", o.quantity().toString());
      row.put("fldQty", o.filled().toString());
      row.put("unFldSz", o.quantity().minus(o.filled().compareTo(o.quantity()) > 0 ? o.quantity() : o.filled()).toString());
      row.put("cnlQty", o.status() == OrderStatus.CANCELED ? o.quantity().minus(o.filled()).toString() : "0");
      row.put("avgPrc", o.averagePrice() == null ? "0" : o.averagePrice().toString());
      row.put("trnsTp", NeoWire.side(o.side()));
      row.put("vldt", o.validity());
      row.put("rejRsn", o.rejectReason() == null ? "" : o.rejectReason());
      row.put("ordDtTm", o.acceptedAt().toString());
      row.put("hsUpTm", o.updatedAt().toString());
      row.put("tckSz", o.instrument().tickSize().toPlainString());
      row.put("lotSz", o.instrument().lotSize().toPlainString());
      return row;
    }

    private List<Map<String, Object>> positionRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      positions.forEach((id, p) -> {
        Instrument instrument = master.byId(id).orElseThrow();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tok", instrument.brokerToken());
        row.put("trdSym", id.symbol());
        row.put("exSeg", NeoWire.segment(id));
        row.put("prod", "MIS");
        row.put("flBuyQty", p[0].toPlainString());
        row.put("flSellQty", p[1].toPlainString());
        row.put("buyAmt", p[2].toPlainString());
        row.put("sellAmt", p[3].toPlainString());
        row.put("cfBuyQty", "0");
        row.put("cfSellQty", "0");
        row.put("cfBuyAmt", "0");
        row.put("cfSellAmt", "0");
        row.put("lotSz", instrument.lotSize().toPlainString());
        row.put("multiplier", "1");
        row.put("precision", "2");
        rows.add(row);
      });
      return rows;
    }

    private Reply limits() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Net", cash.toPlainString());
      body.put("MarginUsed", "0");
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
        Bar bar = lastBar.get(instrument.get().id());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("exchange_token", instrument.get().brokerToken());
        row.put("display_symbol", instrument.get().id().symbol());
        row.put("exchange", NeoWire.segment(instrument.get().id()));
        row.put("ltp", bar == null ? "0" : bar.close().toString());
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

    private static Quantity positiveQuantity(String text, String field) {
      try {
        Quantity q = Quantity.of(text);
        if (!q.isPositive()) throw new IllegalArgumentException(field + " must be positive, got " + text);
        return q;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + " is not a number: '" + text + "'");
      }
    }

    private static Price positivePrice(String text, String field) {
      try {
        Price p = Price.of(text);
        if (p.value().signum() <= 0) throw new IllegalArgumentException(field + " must be positive, got " + text);
        return p;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + " is not a number: '" + text + "'");
      }
    }

    private static BigDecimal[] zeros(int n) {
      BigDecimal[] a = new BigDecimal[n];
      java.util.Arrays.fill(a, BigDecimal.ZERO);
      return a;
    }
  }
}
