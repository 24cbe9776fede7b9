package dev.ordo.engine.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ordo.engine.calendar.TradingCalendar.Kind;
import dev.ordo.engine.calendar.TradingCalendar.Session;
import dev.ordo.engine.calendar.TradingCalendar.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The shipped calendar's rules at their edges, 24/7 venues, and the errors of a bad calendar file. */
class TradingCalendarTest {

  static final TradingCalendar CALENDAR = TradingCalendar.standard();
  static final ZoneId IST = ZoneId.of("Asia/Kolkata");

  static Instant ist(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(IST).toInstant();
  }

  static Window window(String date, String open, String close) {
    return new Window(ist(date + "T" + open), ist(date + "T" + close));
  }

  @Test
  void aRegularDayIsOpenFromItsOpenMinuteUntilJustBeforeItsClose() {
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-01-16T09:14:59")));
    assertTrue(CALENDAR.isOpen("NSE", ist("2024-01-16T09:15:00")));
    assertTrue(CALENDAR.isOpen("NSE", ist("2024-01-16T15:29:59")));
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-01-16T15:30:00")));
    Session session = CALENDAR.session("NSE", LocalDate.of(2024, 1, 16)).orElseThrow();
    assertEquals(new Session("NSE", LocalDate.of(2024, 1, 16), Kind.REGULAR, List.of(window("2024-01-16", "09:15", "15:30"))), session);
    assertEquals(ist("2024-01-16T09:15"), session.open());
    assertEquals(ist("2024-01-16T15:30"), session.close());
    assertEquals(Optional.of(session), CALENDAR.sessionOf("NSE", ist("2024-01-16T15:29:59")));
    assertEquals(Optional.empty(), CALENDAR.sessionOf("NSE", ist("2024-01-16T15:30:00")));
    assertEquals(Optional.empty(), CALENDAR.sessionOf("NSE", ist("2024-01-16T09:14:59")));
  }

  @Test
  void aHolidayIsClosed() {
    LocalDate ramMandir = LocalDate.of(2024, 1, 22); // a Monday, added by NSE's circular of 2024-01-19
    assertFalse(CALENDAR.isTradingDay("NSE", ramMandir));
    assertEquals(Optional.empty(), CALENDAR.session("NSE", ramMandir));
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-01-22T11:00")));
    assertEquals(Optional.empty(), CALENDAR.sessionOf("NSE", ist("2024-01-22T11:00")));
    assertFalse(CALENDAR.isTradingDay("NSE", LocalDate.of(2023, 6, 29)), "Bakri Id 2023, moved from 06-28");
    assertTrue(CALENDAR.isTradingDay("NSE", LocalDate.of(2023, 6, 28)), "the date it was moved from trades");
  }

  @Test
  void aWeekendIsClosed() {
    assertFalse(CALENDAR.isTradingDay("NSE", LocalDate.of(2024, 1, 13)));
    assertFalse(CALENDAR.isTradingDay("NSE", LocalDate.of(2024, 1, 14)));
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-01-13T10:00")));
  }

  @Test
  void specialSessionsHaveTheirOwnKindAndWindowsEvenOnAWeekendOrAHoliday() {
    assertEquals(new Session("NSE", LocalDate.of(2023, 11, 12), Kind.MUHURAT, List.of(window("2023-11-12", "18:15", "19:15"))),
        CALENDAR.session("NSE", LocalDate.of(2023, 11, 12)).orElseThrow(), "Muhurat on a Sunday");
    assertEquals(new Session("NSE", LocalDate.of(2024, 11, 1), Kind.MUHURAT, List.of(window("2024-11-01", "18:00", "19:00"))),
        CALENDAR.session("NSE", LocalDate.of(2024, 11, 1)).orElseThrow(), "Muhurat on the Laxmi Pujan holiday");
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-11-01T10:00")), "no regular hours on that holiday");
    assertEquals(new Session("NSE", LocalDate.of(2024, 1, 20), Kind.SPECIAL, List.of(window("2024-01-20", "09:15", "15:30"))),
        CALENDAR.session("NSE", LocalDate.of(2024, 1, 20)).orElseThrow(), "a full Saturday session");

    Session drTest = CALENDAR.session("NSE", LocalDate.of(2024, 3, 2)).orElseThrow();
    assertEquals(new Session("NSE", LocalDate.of(2024, 3, 2), Kind.SPECIAL,
        List.of(window("2024-03-02", "09:15", "10:00"), window("2024-03-02", "11:30", "12:30"))), drTest);
    assertTrue(CALENDAR.isOpen("NSE", ist("2024-03-02T09:59:59")));
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-03-02T10:00")), "between the primary and the DR site's windows");
    assertEquals(Optional.of(drTest), CALENDAR.sessionOf("NSE", ist("2024-03-02T10:30")), "still within the session's span");
    assertTrue(CALENDAR.isOpen("NSE", ist("2024-03-02T11:30")));
    assertFalse(CALENDAR.isOpen("NSE", ist("2024-03-02T12:30")));
    assertEquals(ist("2024-03-02T11:30"), CALENDAR.nextOpen("NSE", ist("2024-03-02T10:00")));
  }

  @Test
  void nextOpenIsTheInstantItselfWhenOpenAndOtherwiseTheNextWindowAcrossAWeekendAndAHoliday() {
    Instant open = ist("2024-01-16T12:00:01");
    assertEquals(open, CALENDAR.nextOpen("NSE", open));
    assertEquals(ist("2024-01-16T09:15"), CALENDAR.nextOpen("NSE", ist("2024-01-16T03:00")), "before the open: that day's open");
    // Friday 2024-03-22 after the close, the weekend, Monday 03-25 Holi: Tuesday's open.
    assertEquals(ist("2024-03-26T09:15"), CALENDAR.nextOpen("NSE", ist("2024-03-22T15:30")));
    // Thursday 2024-03-28 evening, Good Friday 03-29, the weekend: Monday's open.
    assertEquals(ist("2024-04-01T09:15"), CALENDAR.nextOpen("NSE", ist("2024-03-28T20:00")));
    // Friday 2024-01-19 after the close: the Saturday session, not the Monday holiday.
    assertEquals(ist("2024-01-20T09:15"), CALENDAR.nextOpen("NSE", ist("2024-01-19T15:30")));
    assertEquals(ist("2024-01-23T09:15"), CALENDAR.nextOpen("NSE", ist("2024-01-20T15:30")));
  }

  @Test
  void cryptoVenuesTradeAroundTheClockInUtcDays() {
    Instant sundayNight = Instant.parse("2025-06-01T23:59:59Z");
    for (String venue : List.of("BYBIT", "BINANCE")) {
      assertTrue(CALENDAR.isOpen(venue, sundayNight));
      assertTrue(CALENDAR.isOpen(venue, Instant.parse("2024-01-22T05:00:00Z")), "an NSE holiday is nothing to " + venue);
      assertEquals(sundayNight, CALENDAR.nextOpen(venue, sundayNight));
      Session day = CALENDAR.session(venue, LocalDate.of(2025, 6, 1)).orElseThrow();
      assertEquals(new Session(venue, LocalDate.of(2025, 6, 1), Kind.ALL_DAY,
          List.of(new Window(Instant.parse("2025-06-01T00:00:00Z"), Instant.parse("2025-06-02T00:00:00Z")))), day);
      assertEquals(Optional.of(day), CALENDAR.sessionOf(venue, sundayNight));
      assertEquals(ZoneOffset.UTC, CALENDAR.zone(venue));
      assertTrue(CALENDAR.years(venue).isEmpty());
    }
  }

  @Test
  void bseFollowsNseAndTheZoneIsVenueZones() {
    for (LocalDate date = LocalDate.of(2023, 1, 1); date.isBefore(LocalDate.of(2027, 1, 1)); date = date.plusDays(1))
      assertEquals(CALENDAR.session("NSE", date).map(s -> s.windows()), CALENDAR.session("BSE", date).map(s -> s.windows()), date.toString());
    assertEquals(VenueZones.zoneOf("NSE"), CALENDAR.zone("NSE"));
    assertEquals(IST, CALENDAR.zone("BSE"));
    assertEquals(new TreeSet<>(List.of(2023, 2024, 2025, 2026)), CALENDAR.years("NSE"));
  }

  @Test
  void theShippedFileHasItsKnownListsFor2025And2026() {
    long holidays2026 = LocalDate.of(2026, 1, 1).datesUntil(LocalDate.of(2027, 1, 1))
        .filter(d -> d.getDayOfWeek().getValue() <= 5 && !CALENDAR.isTradingDay("NSE", d)).count();
    assertEquals(16, holidays2026, "the 15 of NSE's 2026 list and 2026-01-15 (circular NSE/CMTR/72260)");
    assertTrue(CALENDAR.isTradingDay("NSE", LocalDate.of(2026, 2, 1)), "the Sunday Budget session");
    assertEquals(new Session("NSE", LocalDate.of(2025, 10, 21), Kind.MUHURAT, List.of(window("2025-10-21", "13:45", "14:45"))),
        CALENDAR.session("NSE", LocalDate.of(2025, 10, 21)).orElseThrow());
  }

  @Test
  void aDateOutsideTheListedYearsIsJudgedByWeekdayAndWarnedOnceAYear() {
    TradingCalendar calendar = TradingCalendar.standard();
    Logger logger = (Logger) LoggerFactory.getLogger(TradingCalendar.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      assertTrue(calendar.isTradingDay("NSE", LocalDate.of(2031, 1, 1)), "a Wednesday");
      assertFalse(calendar.isTradingDay("NSE", LocalDate.of(2031, 1, 4)), "a Saturday");
      assertEquals(ist("2031-01-06T09:15"), calendar.nextOpen("NSE", ist("2031-01-03T16:00")));
      assertTrue(calendar.isTradingDay("NSE", LocalDate.of(2032, 1, 1)), "a Thursday");
      List<String> warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
      assertEquals(2, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("NSE 2031 is outside the years its holiday list covers [2023, 2024, 2025, 2026]"), warnings.get(0));
      assertTrue(warnings.get(1).contains("NSE 2032"), warnings.get(1));
    } finally {
      logger.detachAppender(appender);
    }
  }

  // --- a bad calendar file

  static final String GOOD = """
      ordo.calendar.venues.NSE {
        regular-windows = [{open = "09:15", close = "15:30"}]
        weekend = [SATURDAY, SUNDAY]
        years {
          "2024" {
            sources = ["a circular"]
            holidays = [{date = "2024-01-26", name = "Republic Day"}]
            special-sessions = [{date = "2024-03-02", kind = SPECIAL, name = "DR", windows = [{open = "09:15", close = "10:00"}, {open = "11:30", close = "12:30"}]}]
          }
        }
      }
      """;

  @Test
  void aFileInTheFormatIsRead(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("calendar.conf"), GOOD);
    TradingCalendar calendar = TradingCalendar.load(file);
    assertEquals(file.toString(), calendar.source());
    assertFalse(calendar.isTradingDay("NSE", LocalDate.of(2024, 1, 26)));
    assertEquals(2, calendar.session("NSE", LocalDate.of(2024, 3, 2)).orElseThrow().windows().size());
    assertTrue(calendar.isTradingDay("BSE", LocalDate.of(2024, 1, 26)), "BSE is not listed in this file: around the clock");
  }

  static String loadError(Path dir, String text) throws Exception {
    Path file = Files.writeString(dir.resolve("calendar.conf"), text);
    return assertThrows(IllegalArgumentException.class, () -> TradingCalendar.load(file)).getMessage();
  }

  @Test
  void aBadValueIsNamedWithTheFileTheKeyItsLineAndTheValue(@TempDir Path dir) throws Exception {
    String file = dir.resolve("calendar.conf").toString();
    assertEquals("trading calendar " + file + " line 7: ordo.calendar.venues.NSE.years.2024.holidays[0].date = \"2024-02-30\": not a date (yyyy-MM-dd)",
        loadError(dir, GOOD.replace("2024-01-26", "2024-02-30")));
    assertEquals("trading calendar " + file + " line 7: ordo.calendar.venues.NSE.years.2024.holidays[0].date = \"2025-01-26\": "
        + "not in the year 2024 it is listed under", loadError(dir, GOOD.replace("2024-01-26", "2025-01-26")));
    assertEquals("trading calendar " + file + " line 8: ordo.calendar.venues.NSE.years.2024.special-sessions[0].kind = \"DR_TEST\": "
        + "a special session's kind is one of [SPECIAL, MUHURAT, HALF_DAY]", loadError(dir, GOOD.replace("SPECIAL", "DR_TEST")));
    assertEquals("trading calendar " + file + " line 8: ordo.calendar.venues.NSE.years.2024.special-sessions[0].windows[1].open = \"09:45\": "
        + "windows are in time order and do not overlap (the one before closes at 10:00)", loadError(dir, GOOD.replace("11:30", "09:45")));
    assertEquals("trading calendar " + file + " line 2: ordo.calendar.venues.NSE.regular-windows[0].close = \"09:00\": "
        + "a window closes after it opens (09:15)", loadError(dir, GOOD.replace("15:30", "09:00")));
    assertEquals("trading calendar " + file + " line 2: ordo.calendar.venues.NSE.regular-windows[0].close = \"3:30 pm\": "
        + "not a time of day (HH:mm)", loadError(dir, GOOD.replace("15:30", "3:30 pm")));
    assertEquals("trading calendar " + file + " line 3: ordo.calendar.venues.NSE.weekend[1] = \"SUN\": not a day of the week (MONDAY..SUNDAY)",
        loadError(dir, GOOD.replace("SUNDAY", "SUN")));
  }

  @Test
  void aMissingOrMisspelledKeyIsNamed(@TempDir Path dir) throws Exception {
    String file = dir.resolve("calendar.conf").toString();
    assertEquals("trading calendar " + file + " line 5: ordo.calendar.venues.NSE.years.2024.sources is missing",
        loadError(dir, GOOD.replace("sources = [\"a circular\"]", "")));
    assertEquals("trading calendar " + file + " line 7: ordo.calendar.venues.NSE.years.2024.holiday = [{\"date\":\"2024-01-26\",\"name\":\"Republic Day\"}]: "
        + "unknown key (known here: [holidays, sources, special-sessions])", loadError(dir, GOOD.replace("holidays =", "holiday =")));
    assertEquals("trading calendar " + file + " line 7: ordo.calendar.venues.NSE.years.2024.holidays[0].name is missing",
        loadError(dir, GOOD.replace(", name = \"Republic Day\"", "")));
    assertEquals("trading calendar " + file + " line 6: ordo.calendar.venues.NSE.years.2024.sources = []: "
        + "name at least one source (the exchange's circular) of the year's list", loadError(dir, GOOD.replace("[\"a circular\"]", "[]")));
    assertEquals("trading calendar " + file + " line 1: ordo.calendar.venues is missing", loadError(dir, "ordo.calendar.venue {}"));
    assertEquals("trading calendar " + file + " line 1: ordo.calendar.venues.nse = {}: a venue is named by its upper-case code, such as NSE",
        loadError(dir, "ordo.calendar.venues.nse {}"));
  }

  @Test
  void aDuplicateDateIsRefused(@TempDir Path dir) throws Exception {
    String message = loadError(dir, GOOD.replace("holidays = [{date = \"2024-01-26\", name = \"Republic Day\"}]",
        "holidays = [{date = \"2024-01-26\", name = \"Republic Day\"}, {date = \"2024-01-26\", name = \"again\"}]"));
    assertTrue(message.endsWith("ordo.calendar.venues.NSE.years.2024.holidays[1].date = \"2024-01-26\": this date is already a holiday"), message);
  }

  @Test
  void aMissingFileOrBrokenHoconNamesTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.conf");
    assertEquals("trading calendar " + missing + ": no such file",
        assertThrows(IllegalArgumentException.class, () -> TradingCalendar.load(missing)).getMessage());
    String message = loadError(dir, "ordo.calendar.venues.NSE { weekend = [SATURDAY\n");
    assertTrue(message.startsWith("trading calendar " + dir.resolve("calendar.conf") + ": "), message);
    assertTrue(message.contains("calendar.conf: 2"), "Typesafe Config's own message gives the line: " + message);
  }
}
