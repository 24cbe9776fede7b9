package dev.ordo.app;

import dev.ordo.engine.model.InstrumentId;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Collection;
import java.util.function.Predicate;

/** The trading days of an account's instruments (placeholder until the TradingCalendar lands). */
final class TradingDays {
  private TradingDays() {}

  static Predicate<LocalDate> of(Collection<InstrumentId> instruments) {
    return d -> d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY;
  }
}
