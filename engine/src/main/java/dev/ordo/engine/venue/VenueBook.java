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
 * {@link #cancelRefusal}, {@link #match}), and the application of that result ({@link #withPlacement}
 * or {@link #withAccepted}/{@link #withRejected}, {@link #withModified}, {@link #withCanceled},
 * {@link #withFill}), which re-runs no rule.
 *
 * <p>Rules: a placement is rejected for an unknown instrument, a quantity that is not positive or not
 * a multiple of the lot size, a missing or non-positive trigger (stop types) or limit (limit types),
 * and, for a buy, when its reservation exceeds the available cash. A buy reserves quantity times its
 * reference price: the last price for a market order, else the limit, else the trigger. Working
 * orders are matched with the {@link BarFillModel} against complete bars of their instrument opening
 * at or after their acceptance; every fill is for the whole remaining quantity, stamped with the
 * bar's open time. Once an instrument's session has closed, a market order fills at once at the
 * session's last close, stamped with the open time of that last bar. A buy fill releases its
 * reservation (pro rata when partial) and pays the notional; a sell fill receives it.
 *
 * @param openOrders    working orders, in acceptance order
 * @param closedOrders  filled, canceled and rejected orders, in the order they closed
 * @param trades        every fill, oldest first
 * @param cash          cash available for new orders, by currency (cash held by working buys excluded, see {@link #reserved})
 * @param positions     per instrument, the fold of its fills as a broker reports it
 * @param orderSequence orders placed so far (accepted or rejected)
 * @param tradeSequence fills so far
 */
public record VenueBook(
    List<VenueOrder> openOrders,
    List<VenueOrder> closedOrders,
    List<Fill> trades,
    Map<String, BigDecimal> cash,
    Map<InstrumentId, PositionReport> positions,
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

  /** The positions, ordered by instrument. */
  public List<PositionReport> positionReports() {
    return List.copyOf(new TreeMap<>(positions).values());
  }

  // ------------------------------------------------------------------ decisions

  /**
   * Decides a new order: rejected (with the reason of the first rule it breaks) or accepted, and
   * then, for a market order whose instrument's session has closed, filled at once at that
   * session's last close. Apply the result with {@link #withPlacement}.
   *
   * @param id         the venue's id for the new order
   * @param acceptedAt venue time of the placement
   * @param tradeIds   the trade id of the n-th fill of the book (n from 1)
   */
  public Placement place(VenueOrderId id, OrderRequest request, Instant acceptedAt, VenueMarket market, LongFunction<TradeId> tradeIds) {
    Optional<Instrument> instrument = market.instrument(request.instrumentId());
    String currency = instrument.map(Instrument::currency).orElse("?");
    String problem = instrument.isEmpty() ? "unknown instrument " + request.instrumentId() : invalid(request, instrument.get());
    BigDecimal reserve = BigDecimal.ZERO;
    if (problem == null && request.side() == OrderSide.BUY) {
      Optional<Price> reference = request.type() == OrderType.MARKET
          ? market.lastPrice(request.instrumentId())
          : Optional.of(request.limit() != null ? request.limit() : request.trigger());
      if (reference.isEmpty()) {
        problem = "no price known yet for " + request.instrumentId();
      } else {
        reserve = reference.get().value().multiply(request.quantity().value());
        problem = insufficientFunds(reserve, currency);
      }
    }
    VenueOrder order = new VenueOrder(id, request.clientOrderId(), request.instrumentId(), request.side(), request.type(), request.quantity(),
        Quantity.ZERO, null, request.trigger(), request.limit(), problem == null ? OrderStatus.ACCEPTED : OrderStatus.REJECTED, problem,
        acceptedAt, problem == null ? reserve : BigDecimal.ZERO, currency);
    if (problem != null || request.type() != OrderType.MARKET) return new Placement(order, Optional.empty());
    // After the close a market order trades at the closing price (NSE's post-closing session).
    return new Placement(order, market.closedSession(request.instrumentId())
        .map(last -> fill(order, last.close(), last.tsOpen(), tradeIds.apply(tradeSequence + 1))));
  }

  private static String invalid(OrderRequest request, Instrument instrument) {
    if (!request.quantity().isPositive()) return "quantity must be positive, got " + request.quantity();
    String lot = lotSizeProblem(request.quantity(), instrument);
    if (lot != null) return lot;
    boolean needsTrigger = request.type() == OrderType.STOP_MARKET || request.type() == OrderType.STOP_LIMIT;
    boolean needsLimit = request.type() == OrderType.LIMIT || request.type() == OrderType.STOP_LIMIT;
    if (needsTrigger && !positive(request.trigger())) return request.type() + " order needs a positive trigger price";
    if (needsLimit && !positive(request.limit())) return request.type() + " order needs a positive limit price";
    return null;
  }

  private static String lotSizeProblem(Quantity quantity, Instrument instrument) {
    if (quantity.value().remainder(instrument.lotSize()).signum() == 0) return null;
    return "quantity " + quantity + " is not a multiple of the lot size " + instrument.lotSize().toPlainString();
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
   * Why the open order {@code id} may not get the new prices or quantity (null keeps the old one),
   * or empty when it may: an unknown or closed order, a non-positive price, a quantity that is not
   * positive, not a multiple of the lot size or not above what already filled, or (buys) more
   * reservation than the available cash. Apply with {@link #withModified}.
   */
  public Optional<String> modifyRefusal(VenueOrderId id, Price trigger, Price limit, Quantity quantity, VenueMarket market) {
    Optional<String> closed = notOpen(id);
    if (closed.isPresent()) return closed;
    VenueOrder order = openOrder(id).orElseThrow();
    if (trigger != null && !positive(trigger) || limit != null && !positive(limit)) return Optional.of("prices must be positive");
    if (quantity == null) return Optional.empty();
    if (!quantity.isPositive()) return Optional.of("quantity must be positive, got " + quantity);
    String lot = market.instrument(order.instrumentId()).map(i -> lotSizeProblem(quantity, i)).orElse(null);
    if (lot != null) return Optional.of(lot);
    if (quantity.compareTo(order.filledQuantity()) <= 0)
      return Optional.of("quantity " + quantity + " must exceed the filled quantity " + order.filledQuantity());
    BigDecimal more = reservationFor(order, quantity).subtract(order.reservedCash());
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
   * The open order {@code id} with the new prices and quantity (null keeps the old one); a new
   * quantity scales a buy's reservation with the quantity still to fill.
   *
   * @throws IllegalArgumentException when {@code id} is not an open order
   */
  public VenueBook withModified(VenueOrderId id, Price trigger, Price limit, Quantity quantity) {
    VenueOrder order = requireOpen(id);
    BigDecimal reserved = quantity == null ? order.reservedCash() : reservationFor(order, quantity);
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
    Map<InstrumentId, PositionReport> morePositions = new HashMap<>(positions);
    morePositions.put(fill.instrumentId(), position(positions.get(fill.instrumentId()), fill, notional));
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

  /** What a buy holds for {@code quantity}: its reservation scaled by the quantity still to fill (sells hold nothing). */
  private static BigDecimal reservationFor(VenueOrder order, Quantity quantity) {
    if (order.side() != OrderSide.BUY) return BigDecimal.ZERO;
    BigDecimal toFill = quantity.value().subtract(order.filledQuantity().value());
    return order.reservedCash().multiply(toFill).divide(order.remainingQuantity().value(), PRO_RATA);
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
