package dev.ordo.engine.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ordo.engine.calendar.TradingCalendar.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped calendar against the real NSE data of {@code shared/data} (beside the repository, as CI
 * has it): the trading days of {@code nse_equity_daily} (46 NIFTY 50 members, 2020-10-01..2025-09-30)
 * are exactly the calendar's NSE trading days of 2023-01-01..2025-09-30, and the 5-minute bars of
 * {@code nse_equity_5min} (20 symbols, 2023-07-03..2024-06-28) fill exactly the calendar's windows of
 * each of their dates (the Muhurat, Saturday and disaster-recovery sessions included). A missing
 * folder fails the test.
 */
class TradingCalendarRealDataTest {

  /** shared/ beside the repository (the engine module's tests run in engine/). */
  static final Path SHARED_DATA = Path.of("..", "..", "shared", "data");
  static final LocalDate FROM = LocalDate.of(2023, 1, 1);
  static final LocalDate TO = LocalDate.of(2025, 9, 30);
  static final Duration BAR = Duration.ofMinutes(5);
  static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssXXX");

  static final TradingCalendar CALENDAR = TradingCalendar.standard();

  static Path folder(String name) {
    Path folder = SHARED_DATA.resolve(name);
    if (!Files.isDirectory(folder))
      fail("the real market data " + folder.toAbsolutePath().normalize() + " is missing: this test needs shared/data beside the repository "
          + "(/work/shared/data here, ../shared/data of the clone in CI)");
    return folder;
  }

  static List<Path> csvFiles(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      List<Path> csv = files.filter(f -> f.getFileName().toString().endsWith(".csv")).sorted().toList();
      assertTrue(csv.size() >= 20, "bar files in " + folder + ": " + csv.size());
      return csv;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first column (the bar's open time, {@code 2023-07-03 09:15:00+05:30}) of every row after the header. */
  static List<OffsetDateTime> openTimes(Path file) {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.skip(1).filter(line -> !line.isBlank()).map(line -> OffsetDateTime.parse(line.substring(0, line.indexOf(',')), TIMESTAMP)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyDateOfTheDailyDataIsATradingDayAndEveryOtherDateIsClosed() {
    TreeSet<LocalDate> traded = new TreeSet<>();
    for (Path file : csvFiles(folder("nse_equity_daily")))
      for (OffsetDateTime open : openTimes(file)) traded.add(open.toLocalDate());
    assertEquals(LocalDate.of(2020, 10, 1), traded.first());
    assertEquals(TO, traded.last(), "the daily data ends where the check does");

    List<String> disagreements = new ArrayList<>();
    int tradingDays = 0;
    for (LocalDate date = FROM; !date.isAfter(TO); date = date.plusDays(1)) {
      boolean calendar = CALENDAR.isTradingDay("NSE", date);
      if (calendar) tradingDays++;
      if (calendar != traded.contains(date))
        disagreements.add(date + " (" + date.getDayOfWeek() + "): data " + (traded.contains(date) ? "traded" : "no rows") + ", calendar "
            + (calendar ? "trading day" : "closed"));
    }
    assertEquals(List.of(), disagreements);
    assertEquals(traded.subSet(FROM, true, TO, true).size(), tradingDays);
    assertEquals(682, tradingDays, "NSE trading days 2023-01-01..2025-09-30 in the data (weekend sessions included)");
  }

  @Test
  void theFiveMinuteBarsOfEachDateFillExactlyTheCalendarsWindows() {
    TreeMap<LocalDate, TreeSet<Instant>> opensByDate = new TreeMap<>();
    for (Path file : csvFiles(folder("nse_equity_5min")))
      for (OffsetDateTime open : openTimes(file)) opensByDate.computeIfAbsent(open.toLocalDate(), d -> new TreeSet<>()).add(open.toInstant());
    assertEquals(247, opensByDate.size(), "sessions in nse_equity_5min");

    List<String> disagreements = new ArrayList<>();
    for (Map.Entry<LocalDate, TreeSet<Instant>> entry : opensByDate.entrySet()) {
      List<Window> traded = windowsOf(entry.getValue());
      List<Window> calendar = CALENDAR.session("NSE", entry.getKey()).map(TradingCalendar.Session::windows).orElse(List.of());
      if (!traded.equals(calendar)) disagreements.add(entry.getKey() + ": bars fill " + traded + ", calendar " + calendar);
    }
    assertEquals(List.of(), disagreements);

    // Weekdays of the 5-minute period without bars are holidays in the calendar.
    for (LocalDate date = opensByDate.firstKey(); !date.isAfter(opensByDate.lastKey()); date = date.plusDays(1))
      if (!opensByDate.containsKey(date)) assertTrue(CALENDAR.session("NSE", date).isEmpty(), date + " has no bars but a session in the calendar");
  }

  /** The runs of consecutive 5-minute bars as windows [first open, last open + 5 minutes). */
  static List<Window> windowsOf(TreeSet<Instant> opens) {
    List<Window> windows = new ArrayList<>();
    Instant start = null;
    Instant previous = null;
    for (Instant open : opens) {
      if (previous != null && !open.equals(previous.plus(BAR))) {
        windows.add(new Window(start, previous.plus(BAR)));
        start = null;
      }
      if (start == null) start = open;
      previous = open;
    }
    windows.add(new Window(start, previous.plus(BAR)));
    return windows;
  }
}
