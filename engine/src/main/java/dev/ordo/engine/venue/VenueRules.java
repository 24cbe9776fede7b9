package dev.ordo.engine.venue;

import dev.ordo.engine.model.Quantity;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The limits a simulated venue puts on orders beyond the instrument's own tick and lot size.
 *
 * @param freezeQuantity   the largest quantity one order may have, in instrument units; larger
 *                         orders are rejected (NSE freezes orders above a per-security quantity; the
 *                         bar files do not carry it, so one limit applies to every instrument)
 * @param marketProtection how far above the last price a market buy may fill, as a fraction (0.05 =
 *                         5%): the buy holds quantity times that protection price and never pays more
 *                         (Kotak Neo's place-order field {@code mp}, market protection)
 */
public record VenueRules(Quantity freezeQuantity, BigDecimal marketProtection) {

  /** The default freeze quantity: 1,00,000 shares, the per-order limit Indian brokers put on cash-equity orders. */
  public static final Quantity DEFAULT_FREEZE_QUANTITY = Quantity.of(100_000);

  /** The default market protection: 5% above the last price. */
  public static final BigDecimal DEFAULT_MARKET_PROTECTION = new BigDecimal("0.05");

  /** @throws IllegalArgumentException for a freeze quantity that is not positive or a negative protection */
  public VenueRules {
    Objects.requireNonNull(freezeQuantity, "freezeQuantity");
    Objects.requireNonNull(marketProtection, "marketProtection");
    if (!freezeQuantity.isPositive()) throw new IllegalArgumentException("freeze quantity must be positive, got " + freezeQuantity);
    if (marketProtection.signum() < 0) throw new IllegalArgumentException("market protection must not be negative, got " + marketProtection);
  }

  /** Freeze quantity 1,00,000 and market protection 5%. */
  public static VenueRules defaults() {
    return new VenueRules(DEFAULT_FREEZE_QUANTITY, DEFAULT_MARKET_PROTECTION);
  }
}
