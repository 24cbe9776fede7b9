package dev.ordo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instrument multiplier makes valid bar files of real series under other names, moved by whole weeks within the year. */
class InstrumentMultiplierTest {

  private static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");

  @Test
  void copiesAreTheRealBarsMovedByWholeWeeksAndReadBackAsValidFiles(@TempDir Path folder) {
    List<InstrumentBars> real = BarFileReader.readFolder(SAMPLE);
    List<InstrumentBars> copies = InstrumentMultiplier.multiply(real, real.size() * 3);
    assertEquals(real.size() * 3, copies.size());
    assertEquals(real.size() * 3, copies.stream().map(c -> c.instrument().id()).distinct().count(), "every copy has its own name");

    long written = InstrumentMultiplier.writeFolder(copies, folder, null, null);
    List<InstrumentBars> read = BarFileReader.readFolder(folder);
    assertEquals(real.size() * 3, read.size());
    assertEquals(real.stream().mapToLong(r -> r.bars().size()).sum() * 3, written);

    InstrumentBars tcs = real.stream().filter(r -> r.instrument().id().symbol().equals("TCS-EQ")).findFirst().orElseThrow();
    InstrumentBars copy2 = read.stream().filter(r -> r.instrument().id().symbol().equals("TCS-C2-EQ")).findFirst().orElseThrow();
    assertEquals(tcs.bars().size(), copy2.bars().size());
    // the same prices and volumes, each bar two weeks later (the sample spans far less than the 52-week cycle: no wrap)
    for (int i = 0; i < tcs.bars().size(); i++) {
      Bar original = tcs.bars().get(i);
      Bar moved = copy2.bars().get(i);
      assertEquals(original.tsOpen().plusWeeks(2), moved.tsOpen());
      assertEquals(original.open(), moved.open());
      assertEquals(original.high(), moved.high());
      assertEquals(original.low(), moved.low());
      assertEquals(original.close(), moved.close());
      assertEquals(0, original.volume().compareTo(moved.volume()));
    }
  }

  @Test
  void aCopyPastTheCycleWrapsBackIntoTheRealYearKeepingWeekdaysAndTimes() {
    InstrumentBars tcs = BarFileReader.read(SAMPLE.resolve("TCS.csv"));
    InstrumentBars copy = InstrumentMultiplier.copy(tcs, 51);
    Set<Object> times = new HashSet<>();
    for (int i = 0; i < copy.bars().size(); i++) {
      Bar bar = copy.bars().get(i);
      assertTrue(times.add(bar.tsOpen().toInstant()), "no two bars of a copy at one time");
      if (i > 0) assertTrue(bar.tsOpen().isAfter(copy.bars().get(i - 1).tsOpen()), "in time order");
      assertTrue(!bar.tsOpen().toLocalDate().isBefore(tcs.bars().get(0).tsOpen().toLocalDate()), "not before the real data");
      assertTrue(bar.tsOpen().toLocalDate().isBefore(tcs.bars().get(0).tsOpen().toLocalDate().plusDays(InstrumentMultiplier.CYCLE_DAYS)));
    }
    Set<DayOfWeek> realDays = new HashSet<>();
    tcs.bars().forEach(b -> realDays.add(b.tsOpen().getDayOfWeek()));
    copy.bars().forEach(b -> assertTrue(realDays.contains(b.tsOpen().getDayOfWeek())));
    assertEquals(tcs.bars().stream().map(b -> b.tsOpen().toLocalTime()).collect(java.util.stream.Collectors.toSet()),
        copy.bars().stream().map(b -> b.tsOpen().toLocalTime()).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void ticksRebuildTheirBar() {
    Bar bar = BarFileReader.read(SAMPLE.resolve("TCS.csv")).bars().get(3);
    var ticks = Ticks.of(bar);
    assertEquals(Ticks.PER_BAR, ticks.size());
    assertEquals(bar.open(), ticks.get(0).price());
    assertEquals(bar.close(), ticks.get(Ticks.PER_BAR - 1).price());
    assertEquals(bar.high(), ticks.stream().map(t -> t.price()).max(Comparable::compareTo).orElseThrow());
    assertEquals(bar.low(), ticks.stream().map(t -> t.price()).min(Comparable::compareTo).orElseThrow());
    assertEquals(0, bar.volume().compareTo(ticks.stream().map(t -> t.size().value()).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add)));
    ticks.forEach(t -> assertTrue(!t.tsEvent().isBefore(bar.tsOpen().toInstant()) && t.tsEvent().isBefore(bar.tsClose().toInstant())));
  }
}
