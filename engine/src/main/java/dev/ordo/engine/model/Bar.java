package dev.ordo.engine.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One OHLCV bar. {@code tsOpen} is the bar's open time with the exchange's UTC offset
 * (IST {@code +05:30} for NSE), which defines the bar's local session date and time.
 * Prices are in the instrument's currency; volume in shares/contracts/coins.
 */
public record Bar(
    InstrumentId instrumentId,
    Duration interval,
    Price open,
    Price high,
    Price low,
    Price close,
    BigDecimal volume,
    OffsetDateTime tsOpen) {

  public Bar {
    Objects.requireNonNull(instrumentId, "instrumentId");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(open, "open");
    Objects.requireNonNull(high, "high");
    Objects.requireNonNull(low, "low");
    Objects.requireNonNull(close, "close");
    Objects.requireNonNull(volume, "volume");
    Objects.requireNonNull(tsOpen, "tsOpen");
  }

  /** The instant the bar completes: {@code tsOpen + interval}. */
  public OffsetDateTime tsClose() {
    return tsOpen.plus(interval);
  }
}
