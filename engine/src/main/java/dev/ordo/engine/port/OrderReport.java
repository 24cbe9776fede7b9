package dev.ordo.engine.port;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.VenueOrderId;
import java.time.Instant;

/**
 * One row of a broker's order book. Quantities in instrument units, prices in instrument
 * currency ({@code averagePrice} null until something filled).
 */
public record OrderReport(
    ClientOrderId clientOrderId,
    VenueOrderId venueOrderId,
    InstrumentId instrumentId,
    OrderSide side,
    OrderType type,
    Quantity quantity,
    Quantity filledQuantity,
    Price averagePrice,
    Price trigger,
    Price limit,
    OrderStatus status,
    String rejectReason,
    Instant acceptedAt)
    implements OrdoSerializable {}
