package dev.ordo.sim;

import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.time.Instant;

/**
 * An order at the simulated broker. {@code tag} is the client's free text ({@code ig}), where Ordo
 * puts its ClientOrderId. {@code acceptedAt} is simulated market time.
 */
record SimOrder(String orderNo, String tag, Instrument instrument, OrderSide side, OrderType type, Quantity quantity, Price price,
    Price trigger, String validity, String product, OrderStatus status, Quantity filled, Price averagePrice, String rejectReason,
    Instant acceptedAt, Instant updatedAt) {

  boolean isOpen() {
    return status == OrderStatus.ACCEPTED || status == OrderStatus.PARTIALLY_FILLED;
  }

  SimOrder withStatus(OrderStatus next, Instant at) {
    return new SimOrder(orderNo, tag, instrument, side, type, quantity, price, trigger, validity, product, next, filled, averagePrice,
        rejectReason, acceptedAt, at);
  }

  SimOrder withPrices(Price newPrice, Price newTrigger, Quantity newQuantity, Instant at) {
    return new SimOrder(orderNo, tag, instrument, side, type, newQuantity != null ? newQuantity : quantity, newPrice != null ? newPrice : price,
        newTrigger != null ? newTrigger : trigger, validity, product, status, filled, averagePrice, rejectReason, acceptedAt, at);
  }

  SimOrder filled(Price px, Instant at) {
    return new SimOrder(orderNo, tag, instrument, side, type, quantity, price, trigger, validity, product, OrderStatus.FILLED, quantity, px,
        rejectReason, acceptedAt, at);
  }
}
