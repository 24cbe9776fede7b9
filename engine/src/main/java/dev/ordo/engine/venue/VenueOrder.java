package dev.ordo.engine.venue;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * An order as a simulated venue ({@link VenueBook}) keeps it. Quantities in instrument units,
 * prices and {@code reservedCash} in {@code currency} (the instrument's quote currency, {@code "?"}
 * for an order rejected for an unknown instrument). {@code reservedCash} is the cash held for a
 * working buy order (quantity times its reference price, see {@link VenueBook#place}); zero for
 * sells and closed orders. {@code averagePrice} is null until something filled. {@code acceptedAt}
 * is venue time: the order is matched only against bars opening at or after it. {@code product}
 * says which position its fills go to. A market buy's {@code limit} is its protection price (see
 * {@link VenueRules#marketProtection()}): it never fills above it.
 *
 * {@code timeInForce} says how long it works: a DAY order ends EXPIRED at the end of its trading day
 * ({@link VenueBook#dayOrdersToExpire}).
 *
 * <p>Journaled by the paper broker inside its events: the JSON field names are those of v0.1, plus
 * {@code product} and {@code timeInForce}, which orders journaled before they existed lack: they are
 * {@link Product#MIS} and {@link TimeInForce#DAY} (every order the engine sent then was a DAY order).
 */
public record VenueOrder(
    VenueOrderId venueOrderId,
    ClientOrderId clientOrderId,
    InstrumentId instrumentId,
    OrderSide side,
    OrderType type,
    Quantity quantity,
    Quantity filledQuantity,
    Price averagePrice,
    Price trigger,
    Price limit,
    OrderStatus status,
    String rejectReason,
    Instant acceptedAt,
    BigDecimal reservedCash,
    String currency,
    Product product,
    TimeInForce timeInForce)
    implements OrdoSerializable {

  public VenueOrder {
    if (product == null) product = Product.MIS;
    if (timeInForce == null) timeInForce = TimeInForce.DAY;
  }

  /** A {@link TimeInForce#DAY} order. */
  public VenueOrder(VenueOrderId venueOrderId, ClientOrderId clientOrderId, InstrumentId instrumentId, OrderSide side, OrderType type,
      Quantity quantity, Quantity filledQuantity, Price averagePrice, Price trigger, Price limit, OrderStatus status, String rejectReason,
      Instant acceptedAt, BigDecimal reservedCash, String currency, Product product) {
    this(venueOrderId, clientOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit, status, rejectReason,
        acceptedAt, reservedCash, currency, product, TimeInForce.DAY);
  }

  /** True while the order can still fill (accepted or partially filled). */
  public boolean isOpen() {
    return status == OrderStatus.ACCEPTED || status == OrderStatus.PARTIALLY_FILLED;
  }

  /** The quantity still to fill. */
  public Quantity remainingQuantity() {
    return quantity.minus(filledQuantity);
  }

  /** This order as an order-book row. */
  public OrderReport toReport() {
    return new OrderReport(clientOrderId, venueOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit,
        status, rejectReason, acceptedAt);
  }

  VenueOrder canceled() {
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit,
        OrderStatus.CANCELED, rejectReason, acceptedAt, BigDecimal.ZERO, currency, product, timeInForce);
  }

  /** Ended by the venue at the end of its trading day, its reservation released. */
  VenueOrder expired() {
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit,
        OrderStatus.EXPIRED, rejectReason, acceptedAt, BigDecimal.ZERO, currency, product, timeInForce);
  }

  /** With new prices and quantity (null keeps the old one) and {@code newReserved} held. */
  VenueOrder modified(Price newTrigger, Price newLimit, Quantity newQuantity, BigDecimal newReserved) {
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, newQuantity != null ? newQuantity : quantity,
        filledQuantity, averagePrice, newTrigger != null ? newTrigger : trigger, newLimit != null ? newLimit : limit, status, rejectReason,
        acceptedAt, newReserved, currency, product, timeInForce);
  }

  /**
   * After a fill of {@code lastQty} at {@code lastPx}, holding {@code stillReserved}: the average
   * price is the fill price for the first fill, else the quantity-weighted mean (8 decimals).
   */
  VenueOrder filled(Quantity lastQty, Price lastPx, BigDecimal stillReserved) {
    Quantity total = filledQuantity.plus(lastQty);
    Price average = lastPx;
    if (averagePrice != null && filledQuantity.isPositive()) {
      BigDecimal notional = averagePrice.value().multiply(filledQuantity.value()).add(lastPx.value().multiply(lastQty.value()));
      average = Price.of(notional.divide(total.value(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros());
    }
    OrderStatus next = total.compareTo(quantity) >= 0 ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED;
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, total, average, trigger, limit, next, rejectReason,
        acceptedAt, next == OrderStatus.FILLED ? BigDecimal.ZERO : stillReserved, currency, product, timeInForce);
  }
}
