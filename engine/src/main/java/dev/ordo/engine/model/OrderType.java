package dev.ordo.engine.model;

/**
 * Order types. STOP_MARKET is Kotak Neo's {@code SL-M}, STOP_LIMIT is {@code SL},
 * LIMIT is {@code L}, MARKET is {@code MKT}.
 */
public enum OrderType {
  MARKET,
  LIMIT,
  STOP_MARKET,
  STOP_LIMIT
}
