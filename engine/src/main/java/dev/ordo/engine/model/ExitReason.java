package dev.ordo.engine.model;

/**
 * Why a position was closed (strategy spec, "Output"): the initial protective stop, a stop that had
 * been trailed upward, or the end of the session; and, outside the spec, a position sold at market
 * because its protective stop ended without a fill (refused by the broker). Journaled by name.
 */
public enum ExitReason {
  STOP,
  TRAIL,
  SESSION_END,
  /** The protective stop was rejected (or canceled or expired by the broker): the position was sold at market. */
  STOP_REJECTED
}
