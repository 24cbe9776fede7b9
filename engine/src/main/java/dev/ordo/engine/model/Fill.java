package dev.ordo.engine.model;

import dev.ordo.engine.OrdoSerializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One execution of an order as reported by the broker. {@code lastQty} in instrument
 * units, {@code lastPx} in instrument currency. {@code tsEvent} is the execution time in
 * the exchange's offset; the paper broker stamps a fill with the open time of the bar it
 * was matched against (the strategy spec's convention).
 */
public record Fill(
    TradeId tradeId,
    ClientOrderId clientOrderId,
    VenueOrderId venueOrderId,
    InstrumentId instrumentId,
    OrderSide side,
    Quantity lastQty,
    Price lastPx,
    OffsetDateTime tsEvent)
    implements OrdoSerializable {

  public Fill {
    Objects.requireNonNull(tradeId, "tradeId");
    Objects.requireNonNull(clientOrderId, "clientOrderId");
    Objects.requireNonNull(instrumentId, "instrumentId");
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(lastQty, "lastQty");
    Objects.requireNonNull(lastPx, "lastPx");
    Objects.requireNonNull(tsEvent, "tsEvent");
  }
}
