package dev.ordo.engine.port;

import dev.ordo.engine.OrdoSerializable;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Cash limits by currency: cash available for new orders and cash held by working buy orders.
 */
public record AccountLimits(Map<String, BigDecimal> available, Map<String, BigDecimal> reserved) implements OrdoSerializable {

  public AccountLimits {
    available = Map.copyOf(available);
    reserved = Map.copyOf(reserved);
  }
}
