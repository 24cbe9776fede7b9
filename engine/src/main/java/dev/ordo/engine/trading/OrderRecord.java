package dev.ordo.engine.trading;

import dev.ordo.engine.OrdoSerializable;
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
import java.time.Instant;

/**
 * A symbol trader's record of one of its orders: what was asked, what the broker confirmed, and
 * a modification or cancellation not yet confirmed. Immutable.
 *
 * @param quantity       ordered quantity, instrument units
 * @param filled         filled quantity so far
 * @param trigger        confirmed stop trigger (instrument currency), null for non-stop orders
 * @param exitReason     reason recorded when this order closes the position ({@code STOP}, {@code TRAIL}, ...)
 * @param pendingTrigger a requested trigger the broker has not confirmed yet, else null
 * @param pendingReason  exit reason that goes with {@code pendingTrigger}
 * @param cancelPending  a cancellation was requested and not confirmed yet
 * @param awaitingReply  a modify or cancel request is at the broker
 * @param lastError      the broker's last refusal, for operators
 */
public record OrderRecord(
    ClientOrderId clientOrderId,
    InstrumentId instrumentId,
    OrderRole role,
    OrderSide side,
    OrderType type,
    Quantity quantity,
    Quantity filled,
    Price trigger,
    Price limit,
    ExitReason exitReason,
    OrderStatus status,
    VenueOrderId venueOrderId,
    Price pendingTrigger,
    ExitReason pendingReason,
    boolean cancelPending,
    boolean awaitingReply,
    String lastError,
    Instant submittedAt,
    Instant updatedAt)
    implements OrdoSerializable {

  /** True while the order may still fill and has not been asked to cancel. */
  public boolean isWorking() {
    return !status.isClosed() && !cancelPending;
  }

  /** True while the engine waits for the broker's answer about this order, or holds it back (INITIALIZED). */
  public boolean isInFlight() {
    return status == OrderStatus.SUBMITTED || status == OrderStatus.INITIALIZED || awaitingReply;
  }

  OrderRecord withStatus(OrderStatus newStatus, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason, newStatus,
        venueOrderId, pendingTrigger, pendingReason, cancelPending, awaitingReply, lastError, submittedAt, at);
  }

  OrderRecord accepted(VenueOrderId id, Instant at) {
    OrderStatus next = status == OrderStatus.SUBMITTED || status == OrderStatus.UNKNOWN ? OrderStatus.ACCEPTED : status;
    boolean deferred = !next.isClosed() && (pendingTrigger != null || cancelPending);
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason, next, id,
        pendingTrigger, pendingReason, cancelPending, deferred, lastError, submittedAt, at);
  }

  OrderRecord modifyRequested(Price newTrigger, ExitReason reason, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason, status,
        venueOrderId, newTrigger, reason, cancelPending, venueOrderId != null, lastError, submittedAt, at);
  }

  OrderRecord modifyConfirmed(Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled,
        pendingTrigger != null ? pendingTrigger : trigger, limit, pendingReason != null ? pendingReason : exitReason, status,
        venueOrderId, null, null, cancelPending, false, lastError, submittedAt, at);
  }

  OrderRecord modifyFailed(String error, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason, status,
        venueOrderId, null, null, cancelPending, false, error, submittedAt, at);
  }

  OrderRecord cancelRequested(Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason,
        venueOrderId != null ? OrderStatus.PENDING_CANCEL : status, venueOrderId, pendingTrigger, pendingReason, true,
        venueOrderId != null, lastError, submittedAt, at);
  }

  OrderRecord cancelFailed(String error, Instant at) {
    OrderStatus next = status == OrderStatus.PENDING_CANCEL ? OrderStatus.ACCEPTED : status;
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason, next,
        venueOrderId, pendingTrigger, pendingReason, false, false, error, submittedAt, at);
  }

  OrderRecord rejected(String error, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason,
        OrderStatus.REJECTED, venueOrderId, null, null, false, false, error, submittedAt, at);
  }

  OrderRecord closed(OrderStatus closedStatus, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason,
        closedStatus, venueOrderId, null, null, false, false, lastError, submittedAt, at);
  }

  OrderRecord unknown(String error, Instant at) {
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, filled, trigger, limit, exitReason,
        OrderStatus.UNKNOWN, venueOrderId, pendingTrigger, pendingReason, cancelPending, false, error, submittedAt, at);
  }

  OrderRecord filled(Quantity quantityFilled, Instant at) {
    Quantity total = filled.plus(quantityFilled);
    OrderStatus next = total.compareTo(quantity) >= 0 ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED;
    return new OrderRecord(clientOrderId, instrumentId, role, side, type, quantity, total, trigger, limit, exitReason, next,
        venueOrderId, next.isClosed() ? null : pendingTrigger, next.isClosed() ? null : pendingReason,
        !next.isClosed() && cancelPending, !next.isClosed() && awaitingReply, lastError, submittedAt, at);
  }
}
