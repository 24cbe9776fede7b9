package dev.ordo.engine.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed schedule gives the same steps as the one holding every bar, reading each source once and forward. */
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
