package dev.ordo.app.api;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An amount of money as the API and the report show it: {@code {"amount": "-42.75", "currency": "INR"}}.
 *
 * @param amount   exact decimal string (plain notation, never an exponent), negative for a loss
 * @param currency ISO 4217 code or the venue's asset code ({@code INR}, {@code USDT})
 */
public record Money(String amount, String currency) {

  public Money {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
  }

  /** {@code amount} in {@code currency}; null amount gives null. */
  public static Money of(BigDecimal amount, String currency) {
    return amount == null ? null : new Money(amount.toPlainString(), currency);
  }

  /** The amount as a number, for sums. */
  public BigDecimal value() {
    return new BigDecimal(amount);
  }
}
