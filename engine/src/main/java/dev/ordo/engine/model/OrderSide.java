package dev.ordo.engine.model;

/** Direction of an order or fill. */
public enum OrderSide {
  BUY,
  SELL
}
