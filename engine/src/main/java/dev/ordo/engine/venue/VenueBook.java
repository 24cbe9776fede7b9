package dev.ordo.engine.venue;

import dev.ordo.engine.model.Bar;
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
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * One account at a simulated venue (the paper broker, the broker simulator, the backtester): its
 * order book, trade book, positions and cash, and the one set of rules that changes them. Immutable
 * and a pure function of its inputs: the caller names new orders and trades ({@link VenueOrderId},
 * {@link TradeId}) and gives the time and the {@link VenueMarket}.
 *
 * <p>Each operation comes in two halves so that an event-sourced venue can journal what happened:
 * a decision that reads the book and says what happens ({@link #place}, {@link #modifyRefusal},
 * {@link #cancelRefusal}, {@link #match}, {@link #dayOrdersToExpire}), and the application of that
 * result ({@link #withPlacement} or {@link #withAccepted}/{@link #withRejected}, {@link #withModified},
 * {@link #withCanceled}, {@link #withFill}, {@link #withExpired}), which re-runs no rule.
 *
 * <p>Rules (the order's first broken rule is its reason; the order stays in the book as REJECTED):
 *
 * <ul>
 *   <li>the instrument is listed ({@code unknown instrument X});
 *   <li>the quantity is positive, a multiple of the lot size and at most the freeze quantity
 *       ({@code quantity Q exceeds the freeze quantity F});
 *   <li>the product is allowed for the instrument ({@link Product#allowedFor}): {@code product
 *       NRML is not allowed for X};
 *   <li>stop types have a positive trigger, limit types a positive limit, each on the instrument's
 *       tick grid ({@code trigger price P is not a multiple of the tick size T}, {@code price P is
 *       not a multiple of the tick size T});
 *   <li>a CNC sell needs the shares: the CNC position less the working CNC sells ({@code
 *       insufficient holdings: ...});
 *   <li>a buy holds cash, and is rejected when that exceeds the available cash ({@code insufficient
 *       funds: ...}): quantity times its reference price, which is the limit, else the trigger, and
 *       for a market buy its protection price: the last price raised by the market protection,
 *       rounded up to the tick ({@code no price known yet for X} before the first bar).
 * </ul>
 *
 * A modification keeps to the same rules (tick grid, lot, freeze quantity, holdings, cash: a buy's
 * reservation becomes the quantity still to fill times its new reference price). Working orders are
 * matched with the {@link BarFillModel} against complete bars of their instrument opening at or after
 * their acceptance; every fill is for the whole remaining quantity, stamped with the bar's open time.
 * A market buy never fills above its protection price, a limit buy never above its limit, so neither
 * pays more than it holds and cash cannot go below zero through them (a stop-market buy fills at the
 * open when the bar gaps above its trigger, as the strategy spec's fill model says, and pays the
 * difference from the available cash). Once an instrument's session has closed, a market order fills
 * at once at the session's last close, stamped with the open time of that last bar. A buy fill
 * releases its reservation (pro rata when partial) and pays the notional; a sell fill receives it.
 * Positions are kept per instrument and {@link Product}.
 *
 * @param openOrders    working orders, in acceptance order
 * @param closedOrders  filled, canceled, expired and rejected orders, in the order they closed
 * @param trades        every fill, oldest first
 * @param cash          cash available for new orders, by currency (cash held by working buys excluded, see {@link #reserved})
 * @param positions     per instrument and product, the fold of its fills as a broker reports it
 * @param orderSequence orders placed so far (accepted or rejected)
 * @param tradeSequence fills so far
 */
public record VenueBook(
    List<VenueOrder> openOrders,
    List<VenueOrder> closedOrders,
    List<Fill> trades,
    Map<String, BigDecimal> cash,
    Map<PositionKey, PositionReport> positions,
    long orderSequence,
    long tradeSequence) {

  /** Precision of a reservation split pro rata (exact when the split is). */
  private static final MathContext PRO_RATA = MathContext.DECIMAL64;

  public VenueBook {
    openOrders = List.copyOf(openOrders);
    closedOrders = List.copyOf(closedOrders);
    trades = List.copyOf(trades);
    cash = Map.copyOf(cash);
    positions = Map.copyOf(positions);
  }

  /** A book without orders, trades or cash. */
  public static VenueBook empty() {
    return new VenueBook(List.of(), List.of(), List.of(), Map.of(), Map.of(), 0, 0);
  }

  /** The position of one instrument in one product. */
  public record PositionKey(InstrumentId instrumentId, Product product) implements Comparable<PositionKey> {

    @Override
    public int compareTo(PositionKey other) {
      int byInstrument = instrumentId.compareTo(other.instrumentId);
      return byInstrument != 0 ? byInstrument : product.compareTo(other.product);
    }
  }

  /**
   * What a placement comes to.
   *
   * @param order the order as accepted (status ACCEPTED, with its reservation) or rejected (status
   *              REJECTED, with its reason, nothing reserved)
   * @param fill  the fill at once of an accepted market order after its session closed, else empty
   */
  public record Placement(VenueOrder order, Optional<Fill> fill) {

    public boolean accepted() {
      return order.status() != OrderStatus.REJECTED;
    }
  }

  // ------------------------------------------------------------------ queries

  /** The order {@code id}, open or closed, or empty. */
  /** The order placed with {@code clientOrderId}, open or closed (accepted or rejected), if the book has one. */
  public Optional<VenueOrder> order(dev.ordo.engine.model.ClientOrderId clientOrderId) {
    return openOrders.stream().filter(o -> o.clientOrderId().equals(clientOrderId)).findFirst()
        .or(() -> closedOrders.stream().filter(o -> o.clientOrderId().equals(clientOrderId)).findFirst());
  }

  public Optional<VenueOrder> order(VenueOrderId id) {
    return openOrder(id).or(() -> closedOrders.stream().filter(o -> o.venueOrderId().equals(id)).findFirst());
  }

  private Optional<VenueOrder> openOrder(VenueOrderId id) {
    return openOrders.stream().filter(o -> o.venueOrderId().equals(id)).findFirst();
  }

  /** Cash held by working buy orders, by currency (a currency with working orders and nothing held shows zero). */
  public Map<String, BigDecimal> reserved() {
    Map<String, BigDecimal> reserved = new TreeMap<>();
    for (VenueOrder o : openOrders) reserved.merge(o.currency(), o.reservedCash(), BigDecimal::add);
    return reserved;
  }

  /** Available and reserved cash by currency. */
  public AccountLimits limits() {
    return new AccountLimits(cash, reserved());
  }

  /** The order book as a broker reports it: closed orders, then open ones. */
  public List<OrderReport> orderBook() {
    List<OrderReport> book = new ArrayList<>(closedOrders.size() + openOrders.size());
    closedOrders.forEach(o -> book.add(o.toReport()));
    openOrders.forEach(o -> book.add(o.toReport()));
    return book;
  }

  /** The positions, one per instrument and product, ordered by instrument then product. */
  public List<PositionReport> positionReports() {
    return List.copyOf(new TreeMap<>(positions).values());
  }

  // ------------------------------------------------------------------ decisions

  /**
   * Decides a new {@link Product#MIS} order, as {@link #place(VenueOrderId, OrderRequest, Product, Instant, VenueMarket, LongFunction)}
   * does: the paper broker and the backtester place intraday orders, as the engine does at Kotak Neo.
   */
  public Placement place(VenueOrderId id, OrderRequest request, Instant acceptedAt, VenueMarket market, LongFunction<TradeId> tradeIds) {
    return place(id, request, Product.MIS, acceptedAt, market, tradeIds);
  }

  /**
   * Decides a new order: rejected (with the reason of the first rule it breaks) or accepted, and
   * then, for a market order whose instrument's session closed earlier the same day, filled at once at
   * that session's last close (NSE's post-closing session). A market order placed on a later day, before
   * the next session's first bar (at the open, or before it), rests and fills on that bar's open, as
   * NSE's opening trades do. Apply the result with {@link #withPlacement}.
   *
   * @param id         the venue's id for the new order
   * @param product    the position its fills go to
   * @param acceptedAt venue time of the placement
   * @param tradeIds   the trade id of the n-th fill of the book (n from 1)
   */
  public Placement place(VenueOrderId id, OrderRequest request, Product product, Instant acceptedAt, VenueMarket market,
      LongFunction<TradeId> tradeIds) {
    Optional<Instrument> instrument = market.instrument(request.instrumentId());
    String currency = instrument.map(Instrument::currency).orElse("?");
    String problem = instrument.isEmpty() ? "unknown instrument " + request.instrumentId() : invalid(request, product, instrument.get(), market);
    if (problem == null && request.side() == OrderSide.SELL && product == Product.CNC)
      problem = holdingsProblem(request.instrumentId(), request.quantity().value(), null);
    Price limit = request.type() == OrderType.MARKET ? null : request.limit();
    BigDecimal reserve = BigDecimal.ZERO;
    if (problem == null && request.side() == OrderSide.BUY) {
      if (request.type() == OrderType.MARKET) {
        Optional<Price> last = market.lastPrice(request.instrumentId());
        if (last.isPresent()) limit = protectionPrice(last.get(), instrument.get(), market.rules());
        else problem = "no price known yet for " + request.instrumentId();
      }
      if (problem == null) {
        reserve = (limit != null ? limit : request.trigger()).value().multiply(request.quantity().value());
        problem = insufficientFunds(reserve, currency);
      }
    }
    boolean accepted = problem == null;
    VenueOrder order = new VenueOrder(id, request.clientOrderId(), request.instrumentId(), request.side(), request.type(), request.quantity(),
        Quantity.ZERO, null, request.trigger(), accepted ? limit : request.limit(), accepted ? OrderStatus.ACCEPTED : OrderStatus.REJECTED,
        problem, acceptedAt, accepted ? reserve : BigDecimal.ZERO, currency, product, request.timeInForce());
    if (!accepted || request.type() != OrderType.MARKET) return new Placement(order, Optional.empty());
    // After the close a market order trades at the closing price (NSE's post-closing session), the same day only
    return new Placement(order, market.closedSession(request.instrumentId())
        .filter(last -> acceptedAt.atOffset(last.tsOpen().getOffset()).toLocalDate().equals(last.tsOpen().toLocalDate()))
        .map(last -> fill(order, last.close(), last.tsOpen(), tradeIds.apply(tradeSequence + 1))));
  }

  /** The protection price of a market buy: {@code last * (1 + protection)}, rounded up to the tick (never below the last price). */
  private static Price protectionPrice(Price last, Instrument instrument, VenueRules rules) {
    return Price.of(last.value().multiply(BigDecimal.ONE.add(rules.marketProtection()))).ceilTick(instrument.tickSize());
  }

  private static String invalid(OrderRequest request, Product product, Instrument instrument, VenueMarket market) {
    String quantity = quantityProblem(request.quantity(), instrument, market.rules());
    if (quantity != null) return quantity;
    if (!product.allowedFor(instrument)) return "product " + product + " is not allowed for " + instrument.id();
    boolean needsTrigger = request.type() == OrderType.STOP_MARKET || request.type() == OrderType.STOP_LIMIT;
    boolean needsLimit = request.type() == OrderType.LIMIT || request.type() == OrderType.STOP_LIMIT;
    if (needsTrigger && !positive(request.trigger())) return request.type() + " order needs a positive trigger price";
    if (needsLimit && !positive(request.limit())) return request.type() + " order needs a positive limit price";
    return tickProblem(needsTrigger ? request.trigger() : null, needsLimit ? request.limit() : null, instrument);
  }

  /** Why {@code quantity} may not be an order's: not positive, not a multiple of the lot size, above the freeze quantity; null when it may. */
  private static String quantityProblem(Quantity quantity, Instrument instrument, VenueRules rules) {
    if (!quantity.isPositive()) return "quantity must be positive, got " + quantity;
    if (quantity.value().remainder(instrument.lotSize()).signum() != 0)
      return "quantity " + quantity + " is not a multiple of the lot size " + instrument.lotSize().toPlainString();
    if (quantity.compareTo(rules.freezeQuantity()) > 0) return "quantity " + quantity + " exceeds the freeze quantity " + rules.freezeQuantity();
    return null;
  }

  /** Why the trigger or limit (null: not checked) is off the instrument's tick grid, or null. */
  private static String tickProblem(Price trigger, Price limit, Instrument instrument) {
    String tick = instrument.tickSize().toPlainString();
    if (trigger != null && !trigger.isMultipleOf(instrument.tickSize()))
      return "trigger price " + trigger + " is not a multiple of the tick size " + tick;
    if (limit != null && !limit.isMultipleOf(instrument.tickSize())) return "price " + limit + " is not a multiple of the tick size " + tick;
    return null;
  }

  private static boolean positive(Price price) {
    return price != null && price.value().signum() > 0;
  }

  private String insufficientFunds(BigDecimal needed, String currency) {
    BigDecimal available = cash.getOrDefault(currency, BigDecimal.ZERO);
    if (needed.compareTo(available) <= 0) return null;
    return "insufficient funds: order needs " + needed.toPlainString() + " " + currency + ", available " + available.toPlainString();
  }

  /**
   * Why a CNC sell of {@code quantity} more shares of {@code instrument} is not covered by the CNC
   * position less the working CNC sells (the order {@code except} left out), or null when it is.
   */
  private String holdingsProblem(InstrumentId instrument, BigDecimal quantity, VenueOrderId except) {
    PositionReport held = positions.get(new PositionKey(instrument, Product.CNC));
    BigDecimal free = held == null ? BigDecimal.ZERO : held.netQuantity();
    for (VenueOrder o : openOrders)
      if (o.instrumentId().equals(instrument) && o.product() == Product.CNC && o.side() == OrderSide.SELL && !o.venueOrderId().equals(except))
        free = free.subtract(o.remainingQuantity().value());
    if (quantity.compareTo(free) <= 0) return null;
    return "insufficient holdings: CNC sell of " + quantity.toPlainString() + " " + instrument + " exceeds the " + free.max(BigDecimal.ZERO)
        .toPlainString() + " held for delivery";
  }

  /**
   * Why the open order {@code id} may not get the new prices or quantity (null keeps the old one),
   * or empty when it may: an unknown or closed order, a non-positive price or one off the tick grid,
   * a quantity that is not positive, not a multiple of the lot size, above the freeze quantity or not
   * above what already filled, a CNC sell beyond the shares held, or (buys) a new reservation beyond
   * the available cash. Apply with {@link #withModified}.
   */
  public Optional<String> modifyRefusal(VenueOrderId id, Price trigger, Price limit, Quantity quantity, VenueMarket market) {
    Optional<String> closed = notOpen(id);
    if (closed.isPresent()) return closed;
    VenueOrder order = openOrder(id).orElseThrow();
    if (trigger != null && !positive(trigger) || limit != null && !positive(limit)) return Optional.of("prices must be positive");
    Optional<Instrument> instrument = market.instrument(order.instrumentId());
    if (instrument.isPresent()) {
      String tick = tickProblem(trigger, limit, instrument.get());
      if (tick != null) return Optional.of(tick);
    }
    if (quantity != null) {
      String problem = instrument.map(i -> quantityProblem(quantity, i, market.rules())).orElse(null);
      if (problem == null && !quantity.isPositive()) problem = "quantity must be positive, got " + quantity;
      if (problem != null) return Optional.of(problem);
      if (quantity.compareTo(order.filledQuantity()) <= 0)
        return Optional.of("quantity " + quantity + " must exceed the filled quantity " + order.filledQuantity());
      if (order.side() == OrderSide.SELL && order.product() == Product.CNC) {
        String holdings = holdingsProblem(order.instrumentId(), quantity.value().subtract(order.filledQuantity().value()), order.venueOrderId());
        if (holdings != null) return Optional.of(holdings);
      }
    }
    BigDecimal more = reservationFor(order, trigger, limit, quantity).subtract(order.reservedCash());
    return Optional.ofNullable(more.signum() > 0 ? insufficientFunds(more, order.currency()) : null);
  }

  /** Why the order {@code id} may not be canceled (unknown or not open), or empty when it may. Apply with {@link #withCanceled}. */
  public Optional<String> cancelRefusal(VenueOrderId id) {
    return notOpen(id);
  }

  private Optional<String> notOpen(VenueOrderId id) {
    Optional<VenueOrder> order = order(id);
    if (order.isEmpty()) return Optional.of("unknown order " + id);
    if (!order.get().isOpen()) return Optional.of("order " + id + " is not open: " + order.get().status());
    return Optional.empty();
  }

  /**
   * The working {@link TimeInForce#DAY} orders, in acceptance order: what the end of the trading day
   * expires, as a broker (NSE) ends every DAY order still working at the session's end. Orders of
   * another time in force are left working. Apply each with {@link #withExpired}.
   */
  public List<VenueOrder> dayOrdersToExpire() {
    return openOrders.stream().filter(o -> o.timeInForce() == TimeInForce.DAY).toList();
  }

  /**
   * The fills of the working orders of the bar's instrument accepted at or before the bar's open,
   * against the complete {@code bar}, in acceptance order: each for the whole remaining quantity at
   * the {@link BarFillModel}'s price, stamped with the bar's open time. Apply with {@link #withFills}.
   *
   * @param tradeIds the trade id of the n-th fill of the book (n from 1)
   */
  public List<Fill> match(Bar bar, LongFunction<TradeId> tradeIds) {
    List<Fill> fills = new ArrayList<>();
    long sequence = tradeSequence;
    Instant open = bar.tsOpen().toInstant();
    for (VenueOrder order : openOrders) {
      if (!order.instrumentId().equals(bar.instrumentId()) || order.acceptedAt().isAfter(open)) continue;
      Optional<Price> price = BarFillModel.match(order.type(), order.side(), order.trigger(), order.limit(), bar);
      if (price.isPresent()) fills.add(fill(order, price.get(), bar.tsOpen(), tradeIds.apply(++sequence)));
    }
    return fills;
  }

  private static Fill fill(VenueOrder order, Price price, OffsetDateTime at, TradeId tradeId) {
    return new Fill(tradeId, order.clientOrderId(), order.venueOrderId(), order.instrumentId(), order.side(), order.remainingQuantity(), price,
        at);
  }

  // ------------------------------------------------------------------ applications

  /** Adds {@code deposit} (by currency) to the available cash. */
  public VenueBook withDeposit(Map<String, BigDecimal> deposit) {
    Map<String, BigDecimal> next = new HashMap<>(cash);
    deposit.forEach((currency, amount) -> next.merge(currency, amount, BigDecimal::add));
    return new VenueBook(openOrders, closedOrders, trades, next, positions, orderSequence, tradeSequence);
  }

  /** Applies a decided placement: the order accepted or rejected, then its fill if any. */
  public VenueBook withPlacement(Placement placement) {
    VenueBook next = placement.accepted() ? withAccepted(placement.order()) : withRejected(placement.order());
    return placement.fill().map(next::withFill).orElse(next);
  }

  /** Adds the accepted {@code order} to the working orders and holds its reservation. */
  public VenueBook withAccepted(VenueOrder order) {
    List<VenueOrder> open = new ArrayList<>(openOrders);
    open.add(order);
    return new VenueBook(open, closedOrders, trades, adjust(cash, order.currency(), order.reservedCash().negate()), positions,
        orderSequence + 1, tradeSequence);
  }

  /** Adds the rejected {@code order} to the closed orders (a rejected order stays in the order book). */
  public VenueBook withRejected(VenueOrder order) {
    List<VenueOrder> closed = new ArrayList<>(closedOrders);
    closed.add(order);
    return new VenueBook(openOrders, closed, trades, cash, positions, orderSequence + 1, tradeSequence);
  }

  /**
   * The open order {@code id} with the new prices and quantity (null keeps the old one); a buy then
   * holds the quantity still to fill times its (new) reference price.
   *
   * @throws IllegalArgumentException when {@code id} is not an open order
   */
  public VenueBook withModified(VenueOrderId id, Price trigger, Price limit, Quantity quantity) {
    VenueOrder order = requireOpen(id);
    BigDecimal reserved = reservationFor(order, trigger, limit, quantity);
    return replaceOpen(order, order.modified(trigger, limit, quantity, reserved),
        adjust(cash, order.currency(), order.reservedCash().subtract(reserved)));
  }

  /**
   * The open order {@code id} canceled, its reservation released.
   *
   * @throws IllegalArgumentException when {@code id} is not an open order
   */
  public VenueBook withCanceled(VenueOrderId id) {
    VenueOrder order = requireOpen(id);
    return replaceOpen(order, order.canceled(), adjust(cash, order.currency(), order.reservedCash()));
  }

  /**
   * The open order {@code id} EXPIRED (ended by the venue at the end of its trading day), its
   * reservation released; what filled of it stays filled.
   *
   * @throws IllegalArgumentException when {@code id} is not an open order
   */
  public VenueBook withExpired(VenueOrderId id) {
    VenueOrder order = requireOpen(id);
    return replaceOpen(order, order.expired(), adjust(cash, order.currency(), order.reservedCash()));
  }

    /** Applies {@code fills} in order with {@link #withFill}. */
  public VenueBook withFills(List<Fill> fills) {
    VenueBook book = this;
    for (Fill fill : fills) book = book.withFill(fill);
    return book;
  }

  /**
   * Applies one fill: the order's filled quantity, average price and status; for a buy, its
   * reservation released (all of it when the order is filled, else pro rata to the quantity still
   * to fill) and the notional paid; for a sell, the notional received; the instrument's position;
   * the trade book.
   *
   * @throws IllegalArgumentException when the fill's order is not open or the fill exceeds its remaining quantity
   */
  public VenueBook withFill(Fill fill) {
    VenueOrder order = requireOpen(fill.venueOrderId());
    Quantity remaining = order.remainingQuantity();
    if (fill.lastQty().compareTo(remaining) > 0)
      throw new IllegalArgumentException("fill " + fill.tradeId() + " of " + fill.lastQty() + " exceeds the " + remaining + " left of order "
          + order.venueOrderId());
    BigDecimal notional = fill.lastPx().value().multiply(fill.lastQty().value());
    BigDecimal release = BigDecimal.ZERO;
    BigDecimal cashChange = notional;
    if (order.side() == OrderSide.BUY) {
      release = fill.lastQty().equals(remaining) ? order.reservedCash()
          : order.reservedCash().multiply(fill.lastQty().value()).divide(remaining.value(), PRO_RATA);
      cashChange = release.subtract(notional);
    }
    VenueOrder updated = order.filled(fill.lastQty(), fill.lastPx(), order.reservedCash().subtract(release));
    VenueBook next = replaceOpen(order, updated, adjust(cash, order.currency(), cashChange));
    List<Fill> moreTrades = new ArrayList<>(trades);
    moreTrades.add(fill);
    Map<PositionKey, PositionReport> morePositions = new HashMap<>(positions);
    PositionKey key = new PositionKey(fill.instrumentId(), order.product());
    morePositions.put(key, position(positions.get(key), fill, notional));
    return new VenueBook(next.openOrders, next.closedOrders, moreTrades, next.cash, morePositions, orderSequence, tradeSequence + 1);
  }

  private static PositionReport position(PositionReport before, Fill fill, BigDecimal notional) {
    BigDecimal zero = BigDecimal.ZERO;
    PositionReport p = before != null ? before : new PositionReport(fill.instrumentId(), zero, zero, zero, zero, zero);
    BigDecimal q = fill.lastQty().value();
    return fill.side() == OrderSide.BUY
        ? new PositionReport(p.instrumentId(), p.buyQuantity().add(q), p.sellQuantity(), p.buyAmount().add(notional), p.sellAmount(),
            p.netQuantity().add(q))
        : new PositionReport(p.instrumentId(), p.buyQuantity(), p.sellQuantity().add(q), p.buyAmount(), p.sellAmount().add(notional),
            p.netQuantity().subtract(q));
  }

  /**
   * What a buy holds after a change to {@code trigger}, {@code limit} and {@code quantity} (null
   * keeps the order's): the quantity still to fill times the reference price (limit, else trigger).
   * Sells hold nothing; an order without a reference price (a market buy journaled before it had a
   * protection price) scales its reservation with the quantity.
   */
  private static BigDecimal reservationFor(VenueOrder order, Price trigger, Price limit, Quantity quantity) {
    if (order.side() != OrderSide.BUY) return BigDecimal.ZERO;
    Quantity total = quantity != null ? quantity : order.quantity();
    BigDecimal toFill = total.value().subtract(order.filledQuantity().value());
    Price reference = limit != null ? limit : order.limit() != null ? order.limit() : trigger != null ? trigger : order.trigger();
    if (reference == null) return order.reservedCash().multiply(toFill).divide(order.remainingQuantity().value(), PRO_RATA);
    return reference.value().multiply(toFill);
  }

  private VenueOrder requireOpen(VenueOrderId id) {
    return openOrder(id).orElseThrow(() -> new IllegalArgumentException("order " + id + " is not an open order of this book"));
  }

  /** {@code order} replaced by {@code changed} in place, or moved to the closed orders when {@code changed} is closed. */
  private VenueBook replaceOpen(VenueOrder order, VenueOrder changed, Map<String, BigDecimal> newCash) {
    List<VenueOrder> open = new ArrayList<>(openOrders.size());
    for (VenueOrder o : openOrders) {
      if (!o.venueOrderId().equals(order.venueOrderId())) open.add(o);
      else if (changed.isOpen()) open.add(changed);
    }
    List<VenueOrder> closed = closedOrders;
    if (!changed.isOpen()) {
      closed = new ArrayList<>(closedOrders);
      closed.add(changed);
    }
    return new VenueBook(open, closed, trades, newCash, positions, orderSequence, tradeSequence);
  }

  private static Map<String, BigDecimal> adjust(Map<String, BigDecimal> cash, String currency, BigDecimal delta) {
    if (delta.signum() == 0) return cash;
    Map<String, BigDecimal> next = new HashMap<>(cash);
    next.merge(currency, delta, BigDecimal::add);
    return next;
  }
}
