package dev.ordo.engine.trading;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The end-of-day cleanup's rule for failed-order records, at its boundaries (NSE: yesterday's kept until the 09:15 open). */
class FailedOrderRetentionTest {

  static final ZoneId IST = ZoneId.of("Asia/Kolkata");
  static final LocalTime OPEN = LocalTime.of(9, 15);

  static Instant at(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(IST).toInstant();
  }

  static boolean removable(String placed, String now) {
    return FailedOrderRetention.removable(placed == null ? null : at(placed), at(now), IST, OPEN);
  }

  @Test
  void placedTodayIsKept() {
    assertFalse(removable("2024-01-16T09:30", "2024-01-16T18:00"));
    assertFalse(removable("2024-01-16T00:00", "2024-01-16T23:59:59"));
  }

  @Test
  void placedYesterdayIsKeptUntilTheOpenOfToday() {
    assertFalse(removable("2024-01-16T15:00", "2024-01-17T09:14:59"));
    assertTrue(removable("2024-01-16T15:00", "2024-01-17T09:15:00"));
    assertTrue(removable("2024-01-16T23:59:59", "2024-01-17T18:00"));
  }

  @Test
  void twoDaysOldOrWithoutATimeIsRemoved() {
    assertTrue(removable("2024-01-15T15:00", "2024-01-17T09:00"), "two days old, even before the open");
    assertTrue(removable(null, "2024-01-17T09:00"), "no timestamp");
  }

  @Test
  void daysAreTheVenuesCalendarDays() {
    // 2024-01-16 20:00 UTC is 2024-01-17 01:30 IST: placed "today" in India at 09:00 IST on the 17th
    assertFalse(FailedOrderRetention.removable(Instant.parse("2024-01-16T20:00:00Z"), at("2024-01-17T09:00"), IST, OPEN));
  }
}
