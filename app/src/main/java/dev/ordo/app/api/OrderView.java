package dev.ordo.app.api;

import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.OrderRecord;
import java.time.OffsetDateTime;

/**
 * An order as {@code GET /accounts/{account}/orders} and the symbol view show it.
 *
 * @param currency       the currency of the prices
 * @param role           ENTRY, STOP_LOSS or EXIT
 * @param quantity       ordered instrument units, decimal string
 * @param filled         filled so far
 * @param trigger        stop trigger confirmed by the broker, null for other order types
 * @param limit          limit price, null for market and stop-market orders
 * @param exitReason     what this order closes the position for (STOP, TRAIL, ...), null for an entry
 * @param pendingTrigger a trigger asked for and not yet confirmed by the broker, else null
 * @param cancelPending  a cancel was asked for and not yet confirmed
 * @param lastError      the broker's last refusal of this order, for operators
 * @param submittedAt    when the order intent was journaled, venue's offset
 * @param updatedAt      the latest change of this record
 * @param working        may still fill and is not being canceled
 */
public record OrderView(ClientOrderId clientOrderId, VenueOrderId venueOrderId, InstrumentId instrument, String currency, OrderRole role,
    OrderSide side, OrderType type, Quantity quantity, Quantity filled, Price trigger, Price limit, OrderStatus status, ExitReason exitReason,
    Price pendingTrigger, ExitReason pendingReason, boolean cancelPending, String lastError, OffsetDateTime submittedAt,
    OffsetDateTime updatedAt, boolean working) {

  /** {@code order} of an instrument quoted in {@code currency}. */
  public static OrderView of(OrderRecord order, String currency) {
    InstrumentId id = order.instrumentId();
    return new OrderView(order.clientOrderId(), order.venueOrderId(), id, currency, order.role(), order.side(), order.type(), order.quantity(),
        order.filled(), order.trigger(), order.limit(), order.status(), order.exitReason(), order.pendingTrigger(), order.pendingReason(),
        order.cancelPending(), order.lastError(), ApiTimes.of(order.submittedAt(), id), ApiTimes.of(order.updatedAt(), id), order.isWorking());
  }
}
