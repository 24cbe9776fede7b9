package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A quantity in the instrument's unit: shares for equities, contracts for derivatives,
 * coins for crypto. Exact decimal, never negative (direction is carried by
 * {@link OrderSide} or by a signed position quantity where documented).
 */
public record Quantity(BigDecimal value) implements Comparable<Quantity> {

  public static final Quantity ZERO = new Quantity(BigDecimal.ZERO);

  public Quantity {
    Objects.requireNonNull(value, "quantity value");
    if (value.signum() < 0) throw new IllegalArgumentException("quantity must not be negative: " + value);
  }

  /** Parses a decimal quantity; throws NumberFormatException or IllegalArgumentException when invalid. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Quantity of(String text) {
    return new Quantity(new BigDecimal(text.trim()));
  }

  public static Quantity of(long units) {
    return new Quantity(BigDecimal.valueOf(units));
  }

  public static Quantity of(BigDecimal value) {
    return new Quantity(value);
  }

  public boolean isZero() {
    return value.signum() == 0;
  }

  public boolean isPositive() {
    return value.signum() > 0;
  }

  public Quantity plus(Quantity other) {
    return new Quantity(value.add(other.value));
  }

  /** @throws IllegalArgumentException when the result would be negative */
  public Quantity minus(Quantity other) {
    return new Quantity(value.subtract(other.value));
  }

  @Override
  public int compareTo(Quantity other) {
    return value.compareTo(other.value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value.toPlainString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity q && value.compareTo(q.value) == 0;
  }

  @Override
  public int hashCode() {
    return value.stripTrailingZeros().hashCode();
  }
}
