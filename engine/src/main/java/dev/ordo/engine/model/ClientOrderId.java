package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The engine's own id of an order, unique per account, chosen and journaled before the order is sent; carried in the broker's free-text tag so an order can be found again after an ambiguous send. */
public record ClientOrderId(String value) implements Comparable<ClientOrderId> {

  public ClientOrderId {
    if (value == null || value.isBlank()) throw new IllegalArgumentException("ClientOrderId must not be blank");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ClientOrderId of(String value) {
    return new ClientOrderId(value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(ClientOrderId other) {
    return value.compareTo(other.value);
  }
}
