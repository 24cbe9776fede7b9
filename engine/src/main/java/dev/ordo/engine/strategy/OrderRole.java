package dev.ordo.engine.strategy;

/**
 * The part an order plays for a strategy. A symbol trader keeps at most one working order
 * per role, so a strategy names its orders by role and never handles broker ids.
 */
public enum OrderRole {
  /** Opens a position. */
  ENTRY,
  /** Protective (possibly trailing) stop of an open position. */
  STOP_LOSS,
  /** Profit target of an open position. */
  TAKE_PROFIT,
  /** Closes a position outright (session end, manual flatten). */
  EXIT
}
