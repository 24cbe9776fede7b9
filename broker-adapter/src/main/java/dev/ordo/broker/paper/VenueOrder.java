package dev.ordo.broker.paper;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderReport;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as the paper venue keeps it. {@code reservedCash} is the cash held for a working buy
 * order (quantity times its trigger, limit or last price), in {@code currency}.
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
    String currency)
    implements OrdoSerializable {

  public boolean isOpen() {
    return status == OrderStatus.ACCEPTED || status == OrderStatus.PARTIALLY_FILLED;
  }

  VenueOrder withStatus(OrderStatus newStatus) {
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit,
        newStatus, rejectReason, acceptedAt, BigDecimal.ZERO, currency);
  }

  VenueOrder withPrices(Price newTrigger, Price newLimit) {
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice,
        newTrigger != null ? newTrigger : trigger, newLimit != null ? newLimit : limit, status, rejectReason, acceptedAt, reservedCash, currency);
  }

  VenueOrder filled(Quantity quantityFilled, Price price) {
    Quantity total = filledQuantity.plus(quantityFilled);
    BigDecimal notional = (averagePrice == null ? BigDecimal.ZERO : averagePrice.value().multiply(filledQuantity.value()))
        .add(price.value().multiply(quantityFilled.value()));
    Price average = Price.of(notional.divide(total.value(), 8, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros());
    OrderStatus next = total.compareTo(quantity) >= 0 ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED;
    return new VenueOrder(venueOrderId, clientOrderId, instrumentId, side, type, quantity, total, average, trigger, limit, next, rejectReason,
        acceptedAt, next == OrderStatus.FILLED ? BigDecimal.ZERO : reservedCash, currency);
  }

  /** This order as an order-book row. */
  public OrderReport toReport() {
    return new OrderReport(clientOrderId, venueOrderId, instrumentId, side, type, quantity, filledQuantity, averagePrice, trigger, limit,
        status, rejectReason, acceptedAt);
  }
}
