package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The broker's (venue's) id of an order, e.g. Kotak Neo's {@code nOrdNo}. */
public record VenueOrderId(String value) implements Comparable<VenueOrderId> {

  public VenueOrderId {
    if (value == null || value.isBlank()) throw new IllegalArgumentException("VenueOrderId must not be blank");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static VenueOrderId of(String value) {
    return new VenueOrderId(value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(VenueOrderId other) {
    return value.compareTo(other.value);
  }
}
