package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a trading account (one broker login). The paper run's account is {@code paper}. */
public record AccountId(String value) implements Comparable<AccountId> {

  public AccountId {
    if (value == null || value.isBlank()) throw new IllegalArgumentException("AccountId must not be blank");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static AccountId of(String value) {
    return new AccountId(value);
  }

  @JsonValue
  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(AccountId other) {
    return value.compareTo(other.value);
  }
}
