package dev.ordo.engine.trading;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * How long the record of a failed order (one the broker rejected, or one found never placed) is kept,
 * the rule of the end-of-day cleanup: placed today, kept; placed yesterday, kept until
 * {@code yesterdaysKeptUntil} today (the market's open, so the morning's operators still see last
 * evening's failures); older, removed; without a submission time, removed. Days are calendar days in the
 * venue's zone.
 */
public final class FailedOrderRetention {

  private FailedOrderRetention() {}

  /**
   * Whether the record of a failed order submitted at {@code submittedAt} is removed at {@code now}.
   *
   * @param submittedAt         when it was submitted, null when unknown
   * @param zone                the venue's zone
   * @param yesterdaysKeptUntil the time of day until which yesterday's failures are kept (NSE: 09:15, the open)
   */
  public static boolean removable(Instant submittedAt, Instant now, ZoneId zone, LocalTime yesterdaysKeptUntil) {
    if (submittedAt == null) return true;
    LocalDate today = now.atZone(zone).toLocalDate();
    LocalDate placed = submittedAt.atZone(zone).toLocalDate();
    if (!placed.isBefore(today)) return false;
    if (placed.equals(today.minusDays(1))) return !now.atZone(zone).toLocalTime().isBefore(yesterdaysKeptUntil);
    return true;
  }
}
