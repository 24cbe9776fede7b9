package dev.ordo.engine.venue;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import java.util.Optional;

/**
 * The paper broker's fill model against completed bars, as fixed by the strategy spec
 * ({@code shared/specs/strategy-80-20.md}, "Broker matching"). An order is only matched
 * against bars that open at or after the moment it was accepted. Every fill is for the whole
 * remaining quantity.
 *
 * <ul>
 *   <li>MARKET: at the bar's open. With a protection price (the venue gives market buys one, see
 *       {@link VenueRules#marketProtection()}), a BUY fills at the open when the open is at or below
 *       it, else at the protection price when the low reaches it, else not in this bar; a SELL
 *       likewise at or above it.
 *   <li>STOP_MARKET SELL at {@code stop}: when {@code low <= stop}, at {@code min(stop, open)};
 *       BUY at {@code trigger}: when {@code high >= trigger}, at {@code max(trigger, open)}.
 *   <li>LIMIT BUY at {@code limit}: when the bar trades through it ({@code low < limit}), at
 *       {@code min(limit, open)}; SELL: when {@code high > limit}, at {@code max(limit, open)}.
 *   <li>STOP_LIMIT: once triggered as a stop, the limit applies to the stop's fill price; it
 *       fills only when that price is within the limit.
 * </ul>
 */
public final class BarFillModel {

  private BarFillModel() {}

  /**
   * The fill price of an order against {@code bar}, or empty when it does not fill.
   *
   * @param trigger stop trigger (STOP_MARKET, STOP_LIMIT), else ignored
   * @param limit   limit price (LIMIT, STOP_LIMIT) or protection price (MARKET, null for none), else ignored
   * @throws IllegalArgumentException when a price the order type needs is missing
   */
  public static Optional<Price> match(OrderType type, OrderSide side, Price trigger, Price limit, Bar bar) {
    return switch (type) {
      case MARKET -> limit == null ? Optional.of(bar.open()) : matchProtected(side, limit, bar);
      case LIMIT -> matchLimit(side, require(limit, "limit"), bar);
      case STOP_MARKET -> matchStop(side, require(trigger, "trigger"), bar);
      case STOP_LIMIT -> matchStop(side, require(trigger, "trigger"), bar).filter(px ->
          side == OrderSide.BUY ? !px.isGreaterThan(require(limit, "limit")) : !px.isLessThan(require(limit, "limit")));
    };
  }

  private static Optional<Price> matchStop(OrderSide side, Price trigger, Bar bar) {
    if (side == OrderSide.SELL)
      return bar.low().compareTo(trigger) <= 0 ? Optional.of(trigger.min(bar.open())) : Optional.empty();
    return bar.high().compareTo(trigger) >= 0 ? Optional.of(trigger.max(bar.open())) : Optional.empty();
  }

  private static Optional<Price> matchProtected(OrderSide side, Price protection, Bar bar) {
    if (side == OrderSide.BUY) {
      if (!bar.open().isGreaterThan(protection)) return Optional.of(bar.open());
      return bar.low().isGreaterThan(protection) ? Optional.empty() : Optional.of(protection);
    }
    if (!bar.open().isLessThan(protection)) return Optional.of(bar.open());
    return bar.high().isLessThan(protection) ? Optional.empty() : Optional.of(protection);
  }

  private static Optional<Price> matchLimit(OrderSide side, Price limit, Bar bar) {
    if (side == OrderSide.BUY)
      return bar.low().isLessThan(limit) ? Optional.of(limit.min(bar.open())) : Optional.empty();
    return bar.high().isGreaterThan(limit) ? Optional.of(limit.max(bar.open())) : Optional.empty();
  }

  private static Price require(Price price, String what) {
    if (price == null) throw new IllegalArgumentException("order needs a " + what + " price");
    return price;
  }
}
