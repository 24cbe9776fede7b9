package dev.ordo.engine.model;

import dev.ordo.engine.OrdoSerializable;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * One closed trade: an entry and the exit that flattened it. Times are the fills'
 * {@code tsEvent}; prices in instrument currency; quantity in instrument units;
 * {@code pnl = (exitPrice - entryPrice) * quantity} for a long (no fees).
 */
public record RoundTrip(
    InstrumentId instrument,
    OrderSide side,
    Quantity quantity,
    OffsetDateTime entryTime,
    Price entryPrice,
    OffsetDateTime exitTime,
    Price exitPrice,
    ExitReason exitReason,
    BigDecimal pnl)
    implements OrdoSerializable {

  /** Builds a round trip and computes its P&amp;L from the prices (long when side is BUY). */
  public static RoundTrip of(
      InstrumentId instrument,
      OrderSide side,
      Quantity quantity,
      OffsetDateTime entryTime,
      Price entryPrice,
      OffsetDateTime exitTime,
      Price exitPrice,
      ExitReason exitReason) {
    BigDecimal diff = exitPrice.value().subtract(entryPrice.value());
    if (side == OrderSide.SELL) diff = diff.negate();
    return new RoundTrip(
        instrument, side, quantity, entryTime, entryPrice, exitTime, exitPrice, exitReason, diff.multiply(quantity.value()));
  }
}
