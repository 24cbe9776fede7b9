package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The venue's id of one execution (fill). A fill is applied at most once per TradeId. */
public record TradeId(String value) implements Comparable<TradeId> {

  public TradeId {
    if (value == null || value.isBlank()) throw new IllegalArgumentException("TradeId must not be blank");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TradeId of(String value) {
    return new TradeId(value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(TradeId other) {
    return value.compareTo(other.value);
  }
}
