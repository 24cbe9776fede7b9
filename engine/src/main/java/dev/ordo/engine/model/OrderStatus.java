package dev.ordo.engine.model;

/**
 * Life cycle of an order. {@link #UNKNOWN} is an order that was sent but whose outcome the
 * broker has not confirmed (a timeout, a reset connection); only reconciliation against the
 * broker's order book moves it on, never a blind re-send.
 */
public enum OrderStatus {
  INITIALIZED,
  SUBMITTED,
  ACCEPTED,
  PARTIALLY_FILLED,
  FILLED,
  PENDING_CANCEL,
  CANCELED,
  REJECTED,
  EXPIRED,
  UNKNOWN;

  /** True when the order can no longer fill. */
  public boolean isClosed() {
    return this == FILLED || this == CANCELED || this == REJECTED || this == EXPIRED;
  }
}
