package dev.ordo.bench;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.TradeTick;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live path's input: {@code instruments} real series (multiplied, {@link InstrumentMultiplier}) cut to their first
 * {@code windows} bar windows (5 minutes each, in time order over all instruments), each window's bars turned into
 * ticks ({@link Ticks}). Within a window the ticks go in tick order: every instrument's first tick (which closes its
 * previous bar: the bar boundary), then every second tick, and so on.
 *
 * @param instruments    the instruments, by index
 * @param windows        the windows, oldest first
 * @param index          each instrument's index
 */
record PipelineInput(List<Instrument> instruments, List<Window> windows, Map<InstrumentId, Integer> index) {

  /**
   * One bar window.
   *
   * @param open        its start
   * @param bars        one bar per instrument trading in it
   * @param ticks       its ticks, in feed order
   * @param sessionEnds the bars of it that are their instrument's last of a session (its next bar is on a later day, or
   *                    there is none in the input)
   */
  record Window(Instant open, List<Bar> bars, List<TradeTick> ticks, List<Bar> sessionEnds) {}

  long tickCount() {
    return windows.stream().mapToLong(w -> w.ticks().size()).sum();
  }

  long barCount() {
    return windows.stream().mapToLong(w -> w.bars().size()).sum();
  }

  /** The input of {@code count} instruments made from {@code real}, cut to its first {@code windowCount} windows. */
  static PipelineInput of(List<InstrumentBars> real, int count, int windowCount) {
    // the first windows lie in the first days of the cycle: copies keep 3 weeks (more than the 10 sessions of the longest input)
    LocalDate start = real.stream().map(file -> file.bars().get(0).tsOpen().toLocalDate()).min(LocalDate::compareTo).orElseThrow();
    List<InstrumentBars> series = InstrumentMultiplier.multiply(real, count, start, start.plusDays(20));
    TreeMap<Instant, List<Bar>> byWindow = new TreeMap<>();
    for (InstrumentBars file : series)
      for (Bar bar : file.bars()) byWindow.computeIfAbsent(bar.tsOpen().toInstant(), t -> new ArrayList<>()).add(bar);
    List<Instant> opens = new ArrayList<>(byWindow.keySet()).subList(0, Math.min(windowCount, byWindow.size()));
    Map<InstrumentId, Bar> previous = new HashMap<>();
    Map<InstrumentId, Integer> index = new LinkedHashMap<>();
    List<Instrument> instruments = new ArrayList<>();
    for (InstrumentBars file : series) {
      index.put(file.instrument().id(), instruments.size());
      instruments.add(file.instrument());
    }
    List<Window> windows = new ArrayList<>();
    List<List<Bar>> ends = new ArrayList<>();
    for (Instant open : opens) {
      List<Bar> bars = byWindow.get(open);
      List<TradeTick> ticks = new ArrayList<>(bars.size() * Ticks.PER_BAR);
      List<List<TradeTick>> perBar = bars.stream().map(Ticks::of).toList();
      for (int t = 0; t < Ticks.PER_BAR; t++) for (List<TradeTick> of : perBar) ticks.add(of.get(t));
      windows.add(new Window(open, bars, ticks, new ArrayList<>()));
      for (Bar bar : bars) {
        Bar before = previous.put(bar.instrumentId(), bar);
        if (before != null && !before.tsOpen().toLocalDate().equals(bar.tsOpen().toLocalDate())) sessionEnd(windows, before);
      }
    }
    for (Bar last : previous.values()) sessionEnd(windows, last);
    return new PipelineInput(List.copyOf(instruments), List.copyOf(windows), Map.copyOf(index));
  }

  private static void sessionEnd(List<Window> windows, Bar last) {
    for (Window w : windows)
      if (w.open().equals(last.tsOpen().toInstant())) {
        w.sessionEnds().add(last);
        return;
      }
  }

  /** The sessions the input spans. */
  long sessions() {
    return windows.stream().flatMap(w -> w.bars().stream()).map(b -> b.tsOpen().toLocalDate()).distinct().count();
  }

  static LocalDate day(Bar bar) {
    return bar.tsOpen().toLocalDate();
  }
}
