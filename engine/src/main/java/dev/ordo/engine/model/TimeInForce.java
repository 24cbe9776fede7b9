package dev.ordo.engine.model;

/** How long an order stays working: the trading day, immediate-or-cancel, good-till-canceled. */
public enum TimeInForce {
  DAY,
  IOC,
  GTC
}
