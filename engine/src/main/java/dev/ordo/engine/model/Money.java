package dev.ordo.engine.model;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An amount of a currency (ISO code or coin ticker: {@code INR}, {@code USDT}). Exact
 * decimal; may be negative (a loss, a debit).
 */
public record Money(BigDecimal amount, String currency) {

  public Money {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
  }

  public static Money zero(String currency) {
    return new Money(BigDecimal.ZERO, currency);
  }

  /** @throws IllegalArgumentException when the currencies differ */
  public Money plus(Money other) {
    requireSameCurrency(other);
    return new Money(amount.add(other.amount), currency);
  }

  /** @throws IllegalArgumentException when the currencies differ */
  public Money minus(Money other) {
    requireSameCurrency(other);
    return new Money(amount.subtract(other.amount), currency);
  }

  private void requireSameCurrency(Money other) {
    if (!currency.equals(other.currency))
      throw new IllegalArgumentException("currency mismatch: " + currency + " vs " + other.currency);
  }
}
