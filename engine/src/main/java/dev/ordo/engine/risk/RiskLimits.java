package dev.ordo.engine.risk;

import dev.ordo.engine.OrdoSerializable;
import java.math.BigDecimal;

/**
 * The pre-trade limits of one account ({@code ordo.accounts.<id>.risk}); each is optional (null: not
 * checked). Amounts are in the account's currency (the instruments' currency: no conversion is made),
 * quantities in instrument units. See {@code docs/accounts.md} for what each limit checks and in
 * which order.
 *
 * @param maxOrderNotional      largest quantity x price of one order that opens or increases a position
 * @param maxPositionQuantity   largest absolute quantity of one instrument after such an order fills
 * @param maxPositionNotional   largest absolute quantity x the order's price of one instrument after it fills
 * @param maxOpenPositions      most instruments with a non-zero position at once
 * @param maxDailyRealizedLoss  the realized loss of one trading day (a positive amount) at which the account is HALTED
 */
public record RiskLimits(BigDecimal maxOrderNotional, BigDecimal maxPositionQuantity, BigDecimal maxPositionNotional,
    Integer maxOpenPositions, BigDecimal maxDailyRealizedLoss) implements OrdoSerializable {

  /** No limit at all: every order passes (only a HALT refuses entries). */
  public static final RiskLimits NONE = new RiskLimits(null, null, null, null, null);

  /** @throws IllegalArgumentException when a limit is zero or negative, naming it */
  public RiskLimits {
    positive("max-order-notional", maxOrderNotional);
    positive("max-position-quantity", maxPositionQuantity);
    positive("max-position-notional", maxPositionNotional);
    if (maxOpenPositions != null && maxOpenPositions < 1)
      throw new IllegalArgumentException("max-open-positions must be at least 1, got " + maxOpenPositions);
    positive("max-daily-realized-loss", maxDailyRealizedLoss);
  }

  /** Whether no limit is set. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  private static void positive(String name, BigDecimal value) {
    if (value != null && value.signum() <= 0) throw new IllegalArgumentException(name + " must be positive, got " + value.toPlainString());
  }
}
