package dev.ordo.engine.calendar;

import dev.ordo.engine.model.InstrumentId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The time zone of each venue, the one place that says it: Indian exchanges (NSE, BSE) trade in
 * {@code Asia/Kolkata} (IST, {@code +05:30}, no daylight saving; NSE's trading hours are stated in
 * IST), every other venue (crypto exchanges trade around the clock) in UTC. Bars are built, sessions
 * dated and times shown in the venue's zone.
 */
public final class VenueZones {

  /** India Standard Time, the zone of NSE and BSE. */
  public static final ZoneId INDIA = ZoneId.of("Asia/Kolkata");

  private static final Set<String> INDIAN_VENUES = Set.of("NSE", "BSE");

  private VenueZones() {}

  /** The zone of {@code venue} (an upper-case venue code such as {@code NSE} or {@code BYBIT}). */
  public static ZoneId zoneOf(String venue) {
    return INDIAN_VENUES.contains(venue) ? INDIA : ZoneOffset.UTC;
  }

  /** The zone of {@code instrument}'s venue. */
  public static ZoneId zoneOf(InstrumentId instrument) {
    return zoneOf(instrument.venue());
  }

  /**
   * The zone shared by all of {@code instruments}' venues, or UTC when they trade in different zones
   * (or there are none): the zone of times that belong to no single instrument, such as a replay's
   * clock or an account's login time.
   */
  public static ZoneId commonZone(Collection<InstrumentId> instruments) {
    Set<ZoneId> zones = instruments.stream().map(VenueZones::zoneOf).collect(Collectors.toSet());
    return zones.size() == 1 ? zones.iterator().next() : ZoneOffset.UTC;
  }

  /** {@code instant} with the offset of {@code zone} at that instant; null for null. */
  public static OffsetDateTime at(Instant instant, ZoneId zone) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, zone);
  }
}
