package dev.ordo.engine.marketdata;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The bars of several instruments merged in time order into steps: one step per distinct bar
 * open instant. Each step lists its bars and the bars among them that are the last of their
 * instrument's session (the next bar of that instrument is on another local date, or there is
 * none).
 */
public final class ReplaySchedule {

  /**
   * One step of the replay.
   *
   * @param at           the bars' open instant
   * @param bars         bars opening at {@code at}, ordered by instrument
   * @param sessionEnds  those of {@code bars} that close their instrument's session
   * @param sessionIndex 0-based index of the step's local date among all sessions of the schedule
   */
  public record Step(Instant at, List<Bar> bars, List<Bar> sessionEnds, int sessionIndex) {}

  private final List<Step> steps;
  private final List<LocalDate> sessions;
  private final Map<InstrumentId, Instrument> instruments;

  private ReplaySchedule(List<Step> steps, List<LocalDate> sessions, Map<InstrumentId, Instrument> instruments) {
    this.steps = List.copyOf(steps);
    this.sessions = List.copyOf(sessions);
    this.instruments = Map.copyOf(instruments);
  }

  /**
   * Builds the schedule of {@code data} restricted to bars whose local date is within
   * {@code from}..{@code to} (inclusive; null for no bound).
   *
   * @throws IllegalArgumentException when two files hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule of(List<InstrumentBars> data, LocalDate from, LocalDate to) {
    TreeMap<Instant, List<Bar>> byInstant = new TreeMap<>();
    TreeMap<Instant, List<Bar>> endsByInstant = new TreeMap<>();
    TreeSet<LocalDate> dates = new TreeSet<>();
    Map<InstrumentId, Instrument> instruments = new TreeMap<>();
    for (InstrumentBars file : data) {
      if (instruments.put(file.instrument().id(), file.instrument()) != null)
        throw new IllegalArgumentException("instrument " + file.instrument().id() + " appears in two files (second: " + file.source() + ")");
      List<Bar> bars = file.bars().stream().filter(b -> inRange(b.tsOpen().toLocalDate(), from, to)).toList();
      for (int i = 0; i < bars.size(); i++) {
        Bar bar = bars.get(i);
        Instant at = bar.tsOpen().toInstant();
        byInstant.computeIfAbsent(at, k -> new ArrayList<>()).add(bar);
        dates.add(bar.tsOpen().toLocalDate());
        boolean last = i + 1 == bars.size() || !bars.get(i + 1).tsOpen().toLocalDate().equals(bar.tsOpen().toLocalDate());
        if (last) endsByInstant.computeIfAbsent(at, k -> new ArrayList<>()).add(bar);
      }
    }
    if (byInstant.isEmpty()) throw new IllegalArgumentException("no bars between " + from + " and " + to);
    List<LocalDate> sessions = new ArrayList<>(dates);
    Map<LocalDate, Integer> sessionIndex = new java.util.HashMap<>();
    for (int i = 0; i < sessions.size(); i++) sessionIndex.put(sessions.get(i), i);
    List<Step> steps = new ArrayList<>(byInstant.size());
    for (Map.Entry<Instant, List<Bar>> entry : byInstant.entrySet()) {
      List<Bar> bars = entry.getValue();
      bars.sort((a, b) -> a.instrumentId().compareTo(b.instrumentId()));
      List<Bar> ends = endsByInstant.getOrDefault(entry.getKey(), List.of());
      LocalDate date = bars.get(0).tsOpen().toLocalDate();
      steps.add(new Step(entry.getKey(), List.copyOf(bars), List.copyOf(ends), sessionIndex.get(date)));
    }
    return new ReplaySchedule(steps, sessions, instruments);
  }

  private static boolean inRange(LocalDate date, LocalDate from, LocalDate to) {
    return (from == null || !date.isBefore(from)) && (to == null || !date.isAfter(to));
  }

  public List<Step> steps() {
    return steps;
  }

  /** The distinct local dates of the schedule, oldest first. */
  public List<LocalDate> sessions() {
    return sessions;
  }

  /** Static data of every instrument in the schedule. */
  public Map<InstrumentId, Instrument> instruments() {
    return instruments;
  }

  /** Total number of bars. */
  public long barCount() {
    return steps.stream().mapToLong(s -> s.bars().size()).sum();
  }
}
