package dev.ordo.engine.port;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import java.util.Objects;

/**
 * A new order as sent to a broker. The {@code clientOrderId} travels in the broker's free-text
 * tag (Kotak Neo {@code ig}) so the order can be found in the order book after an ambiguous send.
 *
 * @param quantity in instrument units
 * @param trigger  stop trigger in instrument currency, for STOP_MARKET and STOP_LIMIT, else null
 * @param limit    limit price in instrument currency, for LIMIT and STOP_LIMIT, else null
 */
public record OrderRequest(
    ClientOrderId clientOrderId,
    InstrumentId instrumentId,
    OrderSide side,
    OrderType type,
    Quantity quantity,
    Price trigger,
    Price limit,
    TimeInForce timeInForce)
    implements OrdoSerializable {

  public OrderRequest {
    Objects.requireNonNull(clientOrderId, "clientOrderId");
    Objects.requireNonNull(instrumentId, "instrumentId");
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(timeInForce, "timeInForce");
  }
}
