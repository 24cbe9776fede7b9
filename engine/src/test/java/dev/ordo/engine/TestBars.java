package dev.ordo.engine;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Hand-built NSE 5-minute bars for tests (IST offset). */
public final class TestBars {

  public static final InstrumentId INSTRUMENT = new InstrumentId("TEST-EQ", "NSE");
  public static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);

  private TestBars() {}

  /** A bar of {@link #INSTRUMENT} opening at {@code date} {@code time} IST. */
  public static Bar bar(LocalDate date, String time, String open, String high, String low, String close) {
    return new Bar(INSTRUMENT, Duration.ofMinutes(5), Price.of(open), Price.of(high), Price.of(low), Price.of(close), BigDecimal.TEN,
        OffsetDateTime.of(date, LocalTime.parse(time), IST));
  }
}
