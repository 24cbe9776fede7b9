package dev.ordo.engine.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ordo.engine.calendar.TradingCalendar;
import dev.ordo.engine.marketdata.ReplaySchedule.CalendarMismatch;
import dev.ordo.engine.marketdata.ReplaySchedule.CalendarMismatch.Reason;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The streamed schedule gives the same steps as the one holding every bar, reading each source once and
 * forward; both report (and keep) bars on days the trading calendar closes and trading days without bars.
 */
class ReplayScheduleTest {

  static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);
  static final InstrumentId AAA = new InstrumentId("AAA-EQ", "NSE");
  static final InstrumentId BBB = new InstrumentId("BBB-EQ", "NSE");
  static final LocalDate D1 = LocalDate.of(2024, 1, 15);
  static final LocalDate D2 = LocalDate.of(2024, 1, 16);
  static final LocalDate D3 = LocalDate.of(2024, 1, 17);

  static Bar bar(InstrumentId instrument, LocalDate date, String time, String close) {
    return new Bar(instrument, Duration.ofMinutes(5), Price.of("100"), Price.of("101"), Price.of("99"), Price.of(close), BigDecimal.TEN,
        OffsetDateTime.of(date, LocalTime.parse(time), IST));
  }

  static Instrument instrument(InstrumentId id) {
    return new Instrument(id, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null);
  }

  /** A source over bars in memory that counts how often it is read and how far. */
  static class CountingSource implements BarSource {
    final InstrumentBars bars;
    int reads;
    int barsRead;

    CountingSource(InstrumentBars bars) {
      this.bars = bars;
    }

    @Override
    public Instrument instrument() {
      return bars.instrument();
    }

    @Override
    public ZoneOffset offset() {
      return IST;
    }

    @Override
    public long[] openTimes() {
      return bars.bars().stream().mapToLong(b -> b.tsOpen().toEpochSecond()).toArray();
    }

    @Override
    public List<String> warnings() {
      return List.of();
    }

    /** The bar each {@link #readFrom} started at, in call order. */
    final List<Integer> readsFrom = new java.util.ArrayList<>();

    @Override
    public Iterator<Bar> readFrom(int first) {
      readsFrom.add(first);
      return BarSource.super.readFrom(first);
    }

    @Override
    public Iterator<Bar> read() {
      reads++;
      Iterator<Bar> inner = bars.bars().iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return inner.hasNext();
        }

        @Override
        public Bar next() {
          barsRead++;
          return inner.next();
        }
      };
    }
  }

  // AAA trades three sessions, BBB misses D1's 09:20 and all of D3: steps with one or two bars, ends at different steps.
  static final InstrumentBars AAA_BARS = new InstrumentBars(instrument(AAA), Path.of("AAA.csv"), List.of(
      bar(AAA, D1, "09:15", "100"), bar(AAA, D1, "09:20", "100.5"), bar(AAA, D2, "09:15", "101"), bar(AAA, D2, "09:20", "101.5"),
      bar(AAA, D3, "09:15", "102")), List.of());
  static final InstrumentBars BBB_BARS = new InstrumentBars(instrument(BBB), Path.of("BBB.csv"), List.of(
      bar(BBB, D1, "09:15", "200"), bar(BBB, D2, "09:15", "201"), bar(BBB, D2, "09:20", "201.5")), List.of());

  static List<ReplaySchedule.Step> all(ReplaySchedule schedule) {
    List<ReplaySchedule.Step> steps = new ArrayList<>();
    for (int i = 0; i < schedule.steps().size(); i++) steps.add(schedule.steps().get(i));
    return steps;
  }

  @Test
  void aStreamedScheduleHasTheSameStepsAsOneHoldingEveryBar() {
    ReplaySchedule held = ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), null, null);
    CountingSource aaa = new CountingSource(AAA_BARS);
    CountingSource bbb = new CountingSource(BBB_BARS);
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(aaa, bbb), null, null);

    assertEquals(0, aaa.reads + bbb.reads, "nothing is read before a step is asked for");
    assertEquals(held.sessions(), streamed.sessions());
    assertEquals(held.instruments(), streamed.instruments());
    assertEquals(held.barCount(), streamed.barCount());
    assertEquals(held.steps().size(), streamed.steps().size());
    assertEquals(all(held), all(streamed));
    assertEquals(List.of(1, 1), List.of(aaa.reads, bbb.reads), "each source is read once");
    assertEquals(List.of(5, 3), List.of(aaa.barsRead, bbb.barsRead), "and each bar once");
    List<CalendarMismatch> bbbMissesD3 = List.of(new CalendarMismatch(D3, Reason.NO_BARS_ON_TRADING_DAY, List.of(BBB)));
    assertEquals(bbbMissesD3, held.calendarMismatches());
    assertEquals(bbbMissesD3, streamed.calendarMismatches());
  }

  static final InstrumentId CCC = new InstrumentId("CCC-EQ", "NSE");
  static final InstrumentId BTC = new InstrumentId("BTCUSDT", "BYBIT");

  /** Runs {@code build} and answers the warnings ReplaySchedule logged meanwhile. */
  static List<String> warningsOf(Supplier<ReplaySchedule> build, List<ReplaySchedule> built) {
    Logger logger = (Logger) LoggerFactory.getLogger(ReplaySchedule.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      built.add(build.get());
    } finally {
      logger.detachAppender(appender);
    }
    return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void barsOnAClosedDayAndTradingDaysWithoutBarsAreWarnedOncePerDateListingInstrumentsAndNoBarIsDropped() {
    // NSE 2024-01-19 Friday, 01-20 the Saturday session, 01-21 Sunday, 01-22 the Ram Mandir holiday, 01-23 Tuesday.
    LocalDate fri = LocalDate.of(2024, 1, 19);
    LocalDate sat = LocalDate.of(2024, 1, 20);
    LocalDate sun = LocalDate.of(2024, 1, 21);
    LocalDate holiday = LocalDate.of(2024, 1, 22);
    LocalDate tue = LocalDate.of(2024, 1, 23);
    InstrumentBars aaa = new InstrumentBars(instrument(AAA), Path.of("AAA.csv"), List.of(
        bar(AAA, fri, "09:15", "100"), bar(AAA, sun, "09:15", "101"), bar(AAA, holiday, "09:15", "102"), bar(AAA, tue, "09:15", "103")), List.of());
    InstrumentBars ccc = new InstrumentBars(instrument(CCC), Path.of("CCC.csv"), List.of(
        bar(CCC, fri, "09:15", "200"), bar(CCC, holiday, "09:15", "201"), bar(CCC, holiday, "09:20", "202"), bar(CCC, tue, "09:15", "203")),
        List.of());
    List<CalendarMismatch> expected = List.of(
        new CalendarMismatch(sat, Reason.NO_BARS_ON_TRADING_DAY, List.of(AAA, CCC)),
        new CalendarMismatch(sun, Reason.BARS_ON_CLOSED_DAY, List.of(AAA)),
        new CalendarMismatch(holiday, Reason.BARS_ON_CLOSED_DAY, List.of(AAA, CCC)));
    List<String> expectedWarnings = List.of(
        "replay: no bars on 2024-01-20 (SATURDAY), a trading day in the trading calendar, for [AAA-EQ.NSE, CCC-EQ.NSE]",
        "replay: bars on 2024-01-21 (SUNDAY), a day the trading calendar closes, for [AAA-EQ.NSE]; they are replayed as they are",
        "replay: bars on 2024-01-22 (MONDAY), a day the trading calendar closes, for [AAA-EQ.NSE, CCC-EQ.NSE]; they are replayed as they are");

    List<ReplaySchedule> built = new ArrayList<>();
    assertEquals(expectedWarnings, warningsOf(() -> ReplaySchedule.of(List.of(aaa, ccc), null, null), built));
    assertEquals(expectedWarnings, warningsOf(() -> ReplaySchedule.streamed(List.of(new CountingSource(aaa), new CountingSource(ccc)), null, null), built));
    for (ReplaySchedule schedule : built) {
      assertEquals(expected, schedule.calendarMismatches());
      assertEquals(8, schedule.barCount(), "every bar is kept");
      assertEquals(List.of(fri, sun, holiday, tue), schedule.sessions());
      assertEquals(List.of(AAA, CCC), schedule.steps().get(2).bars().stream().map(Bar::instrumentId).toList(), "the holiday's 09:15 step");
    }
  }

  @Test
  void aVenueTradingAroundTheClockHasNoClosedDayAndTheCalendarGivenIsTheOneChecked(@TempDir Path dir) throws Exception {
    LocalDate sat = LocalDate.of(2025, 6, 7);
    InstrumentBars btc = new InstrumentBars(instrument(BTC), Path.of("BTCUSDT.csv"), List.of(
        new Bar(BTC, Duration.ofMinutes(1), Price.of("100"), Price.of("101"), Price.of("99"), Price.of("100"), BigDecimal.ONE,
            OffsetDateTime.of(sat, LocalTime.of(23, 59), ZoneOffset.UTC)),
        new Bar(BTC, Duration.ofMinutes(1), Price.of("100"), Price.of("101"), Price.of("99"), Price.of("100"), BigDecimal.ONE,
            OffsetDateTime.of(sat.plusDays(1), LocalTime.of(0, 0), ZoneOffset.UTC))), List.of());
    assertEquals(List.of(), ReplaySchedule.of(List.of(btc), null, null).calendarMismatches());

    // A calendar that closes 2024-01-16 for NSE: the sample's D2 bars are on a closed day.
    Path file = Files.writeString(dir.resolve("calendar.conf"), """
        ordo.calendar.venues.NSE {
          regular-windows = [{open = "09:15", close = "15:30"}]
          weekend = [SATURDAY, SUNDAY]
          years { "2024" { sources = ["a test"], holidays = [{date = "2024-01-16", name = "a test holiday"}] } }
        }
        """);
    TradingCalendar calendar = TradingCalendar.load(file);
    List<CalendarMismatch> expected = List.of(
        new CalendarMismatch(D2, Reason.BARS_ON_CLOSED_DAY, List.of(AAA, BBB)),
        new CalendarMismatch(D3, Reason.NO_BARS_ON_TRADING_DAY, List.of(BBB)));
    assertEquals(expected, ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), null, null, calendar).calendarMismatches());
    assertEquals(expected,
        ReplaySchedule.streamed(List.of(new CountingSource(AAA_BARS), new CountingSource(BBB_BARS)), null, null, calendar).calendarMismatches());
  }

  @Test
  void onlyTheReplayedRangeIsChecked() {
    // D2 alone: BBB's missing D3 is outside the range.
    assertEquals(List.of(), ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), D2, D2).calendarMismatches());
    assertEquals(List.of(), ReplaySchedule.streamed(List.of(new CountingSource(AAA_BARS), new CountingSource(BBB_BARS)), D2, D2).calendarMismatches());
  }

  @Test
  void slotsTellAStepsBarsWithoutReadingThemAndSkippedStepsAreNotRead() {
    ReplaySchedule held = ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), null, null);
    CountingSource aaa = new CountingSource(AAA_BARS);
    CountingSource bbb = new CountingSource(BBB_BARS);
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(aaa, bbb), null, null);
    for (int i = 0; i < held.steps().size(); i++) assertEquals(held.slots(i), streamed.slots(i), "slots of step " + i);
    assertEquals(List.of(new ReplaySchedule.Slot(AAA, OffsetDateTime.of(D1, LocalTime.of(9, 20), IST), true)), streamed.slots(1),
        "D1 09:20: only AAA, its session's last bar");
    assertEquals(0, aaa.barsRead + bbb.barsRead, "slots read no bar");

    ReplaySchedule.Step last = streamed.steps().get(streamed.steps().size() - 1);
    assertEquals(held.steps().get(held.steps().size() - 1), last, "a step after skipped ones has its own bars");
  }

  @Test
  void aResumedStreamedScheduleOpensEachSourceAtItsFirstBarNeededAndTellsStepTimesWithoutReading() {
    ReplaySchedule held = ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), null, null);
    CountingSource aaa = new CountingSource(AAA_BARS);
    CountingSource bbb = new CountingSource(BBB_BARS);
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(aaa, bbb), null, null);
    int last = held.steps().size() - 1;
    for (int i = 0; i <= last; i++) {
      assertEquals(held.steps().get(i).at(), streamed.stepTime(i), "time of step " + i);
      assertEquals(held.steps().get(i).sessionIndex(), streamed.stepSessionIndex(i), "session of step " + i);
    }
    assertEquals(0, aaa.reads + bbb.reads, "step times and sessions read no bar");

    assertEquals(held.steps().get(last), streamed.steps().get(last));
    assertEquals(List.of(List.of(0), List.of(0)), List.of(aaa.readsFrom, bbb.readsFrom), "a jump within the steps kept reads them all");

    // a replay resumed late in a long session: the source is opened at the first of the KEPT steps before the one asked for
    ReplaySchedule.Step[] expected = ReplaySchedule.of(List.of(longSession()), null, null).steps().toArray(ReplaySchedule.Step[]::new);
    CountingSource one = new CountingSource(longSession());
    ReplaySchedule many = ReplaySchedule.streamed(List.of(one), null, null);
    assertEquals(expected[40], many.steps().get(40));
    assertEquals(List.of(25), one.readsFrom, "steps 25-40 read (16 kept), 0-24 passed unread");
    assertEquals(16, one.barsRead - 25, "the rows before are skipped by the source, not read as bars by the schedule");
    assertEquals(expected[25], many.steps().get(25), "the steps kept are at hand");
    assertEquals(expected[41], many.steps().get(41));
  }

  @Test
  void aSourceCountsItsBarsOpeningAtOrBeforeATime() {
    CountingSource aaa = new CountingSource(AAA_BARS); // D1 09:15, 09:20; D2 09:15, 09:20; D3 09:15
    assertEquals(0, aaa.countUpTo(OffsetDateTime.of(D1, LocalTime.of(9, 10), IST)), "before the first");
    assertEquals(1, aaa.countUpTo(OffsetDateTime.of(D1, LocalTime.of(9, 15), IST)), "at the first");
    assertEquals(2, aaa.countUpTo(OffsetDateTime.of(D1, LocalTime.of(15, 0), IST)), "between two bars");
    assertEquals(2, aaa.countUpTo(OffsetDateTime.of(D1, LocalTime.of(9, 20), IST).withOffsetSameInstant(java.time.ZoneOffset.UTC)),
        "the same instant in another offset");
    assertEquals(5, aaa.countUpTo(OffsetDateTime.of(D3, LocalTime.of(16, 0), IST)), "after the last");
    assertEquals(0, aaa.reads, "told from the open times, without reading");
  }

  @Test
  void aDateRangeKeepsItsSessionsAndEndsTheLastSessionInsideIt() {
    ReplaySchedule held = ReplaySchedule.of(List.of(AAA_BARS, BBB_BARS), D2, D2);
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(new CountingSource(AAA_BARS), new CountingSource(BBB_BARS)), D2, D2);
    assertEquals(List.of(D2), streamed.sessions());
    assertEquals(4, streamed.barCount());
    assertEquals(all(held), all(streamed));
  }

  @Test
  void stepsAreReadForwardAndAPassedStepIsRefused() {
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(new CountingSource(AAA_BARS), new CountingSource(BBB_BARS)), null, null);
    ReplaySchedule.Step first = streamed.steps().get(0);
    assertEquals(first, streamed.steps().get(0), "a recent step is kept");
    streamed.steps().get(streamed.steps().size() - 1);
    assertEquals(first, streamed.steps().get(0), "within the steps kept");
    ReplaySchedule many = ReplaySchedule.streamed(List.of(new CountingSource(longSession())), null, null);
    many.steps().get(40);
    IllegalStateException passed = assertThrows(IllegalStateException.class, () -> many.steps().get(0));
    assertTrue(passed.getMessage().contains("was passed"), passed.getMessage());
  }

  @Test
  void aSourceThatNoLongerHoldsItsBarsFailsTheStepThatNeedsThem() {
    InstrumentBars checked = AAA_BARS;
    InstrumentBars changed = new InstrumentBars(instrument(AAA), Path.of("AAA.csv"), List.of(
        bar(AAA, D1, "09:15", "100"), bar(AAA, D1, "09:25", "100.5")), List.of());
    BarSource source = new CountingSource(checked) {
      @Override
      public Iterator<Bar> read() {
        return changed.bars().iterator();
      }
    };
    ReplaySchedule streamed = ReplaySchedule.streamed(List.of(source), null, null);
    streamed.steps().get(0);
    IllegalStateException moved = assertThrows(IllegalStateException.class, () -> streamed.steps().get(1));
    assertTrue(moved.getMessage().contains("not at the time it had when checked"), moved.getMessage());
    IllegalStateException ended = assertThrows(IllegalStateException.class, () -> streamed.steps().get(2));
    assertTrue(ended.getMessage().contains("ended before bar"), ended.getMessage());
  }

  static InstrumentBars longSession() {
    List<Bar> bars = new ArrayList<>();
    LocalTime time = LocalTime.of(9, 15);
    for (int i = 0; i < 50; i++, time = time.plusMinutes(5)) bars.add(bar(AAA, D1, time.toString(), "100"));
    return new InstrumentBars(instrument(AAA), Path.of("AAA.csv"), bars, List.of());
  }
}
