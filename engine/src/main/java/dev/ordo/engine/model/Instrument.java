package dev.ordo.engine.model;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Static data of an instrument.
 *
 * @param id          symbol and venue
 * @param tickSize    minimum price increment in instrument currency (NSE equities: 0.05)
 * @param lotSize     minimum quantity increment (NSE cash equities: 1 share)
 * @param currency    quote currency ({@code INR}, {@code USDT})
 * @param brokerToken the broker's numeric token for the instrument (Kotak Neo {@code tk}),
 *                    or null when unknown
 */
public record Instrument(InstrumentId id, BigDecimal tickSize, BigDecimal lotSize, String currency, String brokerToken) {

  public Instrument {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tickSize, "tickSize");
    Objects.requireNonNull(lotSize, "lotSize");
    Objects.requireNonNull(currency, "currency");
    if (tickSize.signum() <= 0) throw new IllegalArgumentException("tick size must be positive for " + id);
    if (lotSize.signum() <= 0) throw new IllegalArgumentException("lot size must be positive for " + id);
  }
}
