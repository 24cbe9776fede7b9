package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A price in the instrument's currency (INR for NSE equities, USDT for the Bybit
 * perpetuals). Exact decimal; never binary floating point. Serialized as a plain
 * decimal string so no JSON reader turns it into a double.
 */
public record Price(BigDecimal value) implements Comparable<Price> {

  public Price {
    Objects.requireNonNull(value, "price value");
  }

  /** Parses a decimal price such as {@code "2179.05"}; throws NumberFormatException when it is not one. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Price of(String text) {
    return new Price(new BigDecimal(text.trim()));
  }

  public static Price of(BigDecimal value) {
    return new Price(value);
  }

  /** Rounds down to a multiple of {@code tickSize} (the spec's {@code floorTick}). */
  public Price floorTick(BigDecimal tickSize) {
    BigDecimal ticks = value.divide(tickSize, 0, RoundingMode.FLOOR);
    return new Price(ticks.multiply(tickSize));
  }

  /** Rounds up to a multiple of {@code tickSize}. */
  public Price ceilTick(BigDecimal tickSize) {
    BigDecimal ticks = value.divide(tickSize, 0, RoundingMode.CEILING);
    return new Price(ticks.multiply(tickSize));
  }

  /** True when this price is a whole multiple of {@code tickSize} (on the instrument's price grid). */
  public boolean isMultipleOf(BigDecimal tickSize) {
    return value.remainder(tickSize).signum() == 0;
  }

  public boolean isGreaterThan(Price other) {
    return value.compareTo(other.value) > 0;
  }

  public boolean isLessThan(Price other) {
    return value.compareTo(other.value) < 0;
  }

  public Price min(Price other) {
    return isLessThan(other) ? this : other;
  }

  public Price max(Price other) {
    return isGreaterThan(other) ? this : other;
  }

  @Override
  public int compareTo(Price other) {
    return value.compareTo(other.value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value.toPlainString();
  }

  /** Numeric equality: {@code 2179.0} equals {@code 2179.00}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Price p && value.compareTo(p.value) == 0;
  }

  @Override
  public int hashCode() {
    return value.stripTrailingZeros().hashCode();
  }
}
