package dev.ordo.engine.model;

/** Which way a position points: long (positive quantity), short (negative) or flat (zero). */
public enum PositionSide {
  LONG,
  SHORT,
  FLAT;

  /** The side of a signed quantity. */
  public static PositionSide of(java.math.BigDecimal signedQuantity) {
    return switch (signedQuantity.signum()) {
      case 1 -> LONG;
      case -1 -> SHORT;
      default -> FLAT;
    };
  }
}
