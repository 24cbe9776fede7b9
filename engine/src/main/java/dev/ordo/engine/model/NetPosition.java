package dev.ordo.engine.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A position as the fold of its fills: the one position rule of Ordo, used by the {@code Position}
 * entity, by the {@code SymbolTrader}'s round trips and by the backtester. Immutable.
 *
 * <p>Opening or adding averages the price (weighted by quantity, 8 decimals, half-even); reducing
 * realizes {@code (exit - average) * closed quantity} for a long ({@code (average - exit)} for a
 * short); a fill larger than the position reverses it at the fill's price. No fees.
 *
 * @param quantity     signed quantity (positive long, negative short), instrument units
 * @param averagePrice average price of the open quantity, instrument currency; null when flat
 * @param realizedPnl  realized P&amp;L so far, instrument currency
 * @param openedAt     time of the fill that opened the current (or the last) position; null before any
 * @param closedAt     time of the fill that last flattened it; null while open
 */
public record NetPosition(BigDecimal quantity, Price averagePrice, BigDecimal realizedPnl, OffsetDateTime openedAt, OffsetDateTime closedAt) {

  /** No position and nothing realized. */
  public static final NetPosition FLAT = new NetPosition(BigDecimal.ZERO, null, BigDecimal.ZERO, null, null);

  public NetPosition {
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(realizedPnl, "realizedPnl");
  }

  public PositionSide side() {
    return PositionSide.of(quantity);
  }

  /** The position after {@code fill}. */
  public NetPosition apply(Fill fill) {
    BigDecimal signed = signed(fill);
    BigDecimal px = fill.lastPx().value();
    BigDecimal next = quantity.add(signed);
    if (quantity.signum() == 0 || quantity.signum() == signed.signum()) {
      BigDecimal cost = (averagePrice == null ? BigDecimal.ZERO : averagePrice.value().multiply(quantity.abs())).add(px.multiply(signed.abs()));
      Price average = Price.of(cost.divide(next.abs(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros());
      return quantity.signum() == 0
          ? new NetPosition(next, average, realizedPnl, fill.tsEvent(), null)
          : new NetPosition(next, average, realizedPnl, openedAt, closedAt);
    }
    BigDecimal closing = signed.abs().min(quantity.abs());
    BigDecimal perUnit = quantity.signum() > 0 ? px.subtract(averagePrice.value()) : averagePrice.value().subtract(px);
    BigDecimal realized = realizedPnl.add(perUnit.multiply(closing));
    if (next.signum() == 0) return new NetPosition(next, null, realized, openedAt, fill.tsEvent());
    if (next.signum() != quantity.signum()) return new NetPosition(next, fill.lastPx(), realized, fill.tsEvent(), null);
    return new NetPosition(next, averagePrice, realized, openedAt, closedAt);
  }

  /**
   * The round trip that {@code fill} closes on this position (the part of the position it
   * reduces, entered at the average price when the position opened), or null when the fill opens
   * or adds to it.
   *
   * @param reason why the position was closed, as the closing order says
   */
  public RoundTrip closedBy(Fill fill, ExitReason reason) {
    BigDecimal signed = signed(fill);
    if (quantity.signum() == 0 || quantity.signum() == signed.signum()) return null;
    Quantity closed = Quantity.of(signed.abs().min(quantity.abs()));
    OrderSide side = quantity.signum() > 0 ? OrderSide.BUY : OrderSide.SELL;
    return RoundTrip.of(fill.instrumentId(), side, closed, openedAt, averagePrice, fill.tsEvent(), fill.lastPx(), reason);
  }

  private static BigDecimal signed(Fill fill) {
    return fill.side() == OrderSide.BUY ? fill.lastQty().value() : fill.lastQty().value().negate();
  }
}
