package dev.ordo.app.api;

import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.model.InstrumentId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * How the API and the report write a time: ISO-8601 with the offset of the venue's zone
 * ({@link VenueZones}): {@code 2024-01-16T12:40:00+05:30} for NSE, {@code 2024-01-16T07:10:00Z} for a
 * crypto venue, whatever offset the engine or the broker gave it.
 */
public final class ApiTimes {

  private ApiTimes() {}

  /** {@code time} in the zone of {@code instrument}'s venue; null for null. */
  public static OffsetDateTime of(OffsetDateTime time, InstrumentId instrument) {
    return time == null ? null : time.atZoneSameInstant(VenueZones.zoneOf(instrument)).toOffsetDateTime();
  }

  /** {@code instant} in the zone of {@code instrument}'s venue; null for null. */
  public static OffsetDateTime of(Instant instant, InstrumentId instrument) {
    return VenueZones.at(instant, VenueZones.zoneOf(instrument));
  }

  /** {@code instant} in {@code zone}; null for null. */
  public static OffsetDateTime of(Instant instant, ZoneId zone) {
    return VenueZones.at(instant, zone);
  }
}
