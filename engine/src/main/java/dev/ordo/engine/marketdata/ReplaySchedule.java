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
 *
 * <p>Two forms: {@link #of} holds every bar; {@link #streamed} holds only each step's instant and
 * instruments and reads the bars from their {@link BarSource}s as the steps are asked for, in order
 * (a few steps back stay at hand): the engine's replay of a year of 20 instruments then holds a few
 * bars per instrument instead of 367,071.
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

  /**
   * Which bar a step holds, without the bar: enough to tell whether a resumed replay still needs the
   * step, so a streamed schedule skips the steps already applied without reading their bars.
   *
   * @param endsSession the bar is the last of its instrument's session
   */
  public record Slot(InstrumentId instrument, java.time.OffsetDateTime tsOpen, boolean endsSession) {}

  private final List<Step> steps;
  private final List<LocalDate> sessions;
  private final Map<InstrumentId, Instrument> instruments;
  private final long barCount;

  private ReplaySchedule(List<Step> steps, List<LocalDate> sessions, Map<InstrumentId, Instrument> instruments, long barCount) {
    this.steps = steps;
    this.sessions = List.copyOf(sessions);
    this.instruments = Map.copyOf(instruments);
    this.barCount = barCount;
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
    return new ReplaySchedule(List.copyOf(steps), sessions, instruments, steps.stream().mapToLong(step -> step.bars().size()).sum());
  }

  /**
   * The schedule of {@code sources} restricted to bars whose local date is within {@code from}..{@code to}
   * (inclusive; null for no bound), reading the bars only as its steps are asked for: {@link #steps()}
   * must then be read forward (a step more than {@value StreamedSteps#KEPT} behind the furthest one
   * asked for is gone).
   *
   * @throws IllegalArgumentException when two sources hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule streamed(List<? extends BarSource> sources, LocalDate from, LocalDate to) {
    Map<InstrumentId, Instrument> instruments = new TreeMap<>();
    TreeMap<Long, List<int[]>> byInstant = new TreeMap<>(); // {source, bar index, 1 when it ends its session}
    TreeSet<LocalDate> dates = new TreeSet<>();
    long barCount = 0;
    for (int s = 0; s < sources.size(); s++) {
      BarSource source = sources.get(s);
      if (instruments.put(source.instrument().id(), source.instrument()) != null)
        throw new IllegalArgumentException("instrument " + source.instrument().id() + " appears in two files");
      long[] opens = source.openTimes();
      java.time.ZoneOffset offset = source.offset();
      LocalDate[] days = new LocalDate[opens.length];
      for (int i = 0; i < opens.length; i++) days[i] = LocalDate.ofInstant(Instant.ofEpochSecond(opens[i]), offset);
      for (int i = 0; i < opens.length; i++) {
        if (!inRange(days[i], from, to)) continue;
        boolean last = i + 1 == opens.length || !days[i + 1].equals(days[i]) || !inRange(days[i + 1], from, to);
        byInstant.computeIfAbsent(opens[i], k -> new ArrayList<>()).add(new int[] {s, i, last ? 1 : 0});
        dates.add(days[i]);
        barCount++;
      }
    }
    if (byInstant.isEmpty()) throw new IllegalArgumentException("no bars between " + from + " and " + to);
    List<LocalDate> sessions = new ArrayList<>(dates);
    Map<LocalDate, Integer> sessionIndex = new java.util.HashMap<>();
    for (int i = 0; i < sessions.size(); i++) sessionIndex.put(sessions.get(i), i);
    List<StreamedSteps.Plan> plans = new ArrayList<>(byInstant.size());
    for (Map.Entry<Long, List<int[]>> entry : byInstant.entrySet()) {
      List<int[]> bars = entry.getValue();
      bars.sort((a, b) -> sources.get(a[0]).instrument().id().compareTo(sources.get(b[0]).instrument().id()));
      int first = bars.get(0)[0];
      LocalDate date = LocalDate.ofInstant(Instant.ofEpochSecond(entry.getKey()), sources.get(first).offset());
      plans.add(new StreamedSteps.Plan(Instant.ofEpochSecond(entry.getKey()), bars.toArray(int[][]::new), sessionIndex.get(date)));
    }
    return new ReplaySchedule(new StreamedSteps(List.copyOf(sources), plans), sessions, instruments, barCount);
  }

  /**
   * The steps of a streamed schedule: each step's plan (instant, which bar of which source, which end
   * their session), its bars read from the sources when the step is first asked for.
   */
  private static final class StreamedSteps extends java.util.AbstractList<Step> {
    static final int KEPT = 16;

    record Plan(Instant at, int[][] bars, int sessionIndex) {}

    private final List<? extends BarSource> sources;
    private final List<Plan> plans;
    private final java.util.Iterator<Bar>[] readers;
    private final int[] nextIndex;
    private final java.util.ArrayDeque<Step> recent = new java.util.ArrayDeque<>();
    private int furthest = -1;

    @SuppressWarnings("unchecked")
    StreamedSteps(List<? extends BarSource> sources, List<Plan> plans) {
      this.sources = sources;
      this.plans = plans;
      this.readers = new java.util.Iterator[sources.size()];
      this.nextIndex = new int[sources.size()];
    }

    @Override
    public int size() {
      return plans.size();
    }

    List<Slot> slots(int index) {
      Plan plan = plans.get(index);
      List<Slot> slots = new ArrayList<>(plan.bars().length);
      for (int[] ref : plan.bars()) {
        BarSource source = sources.get(ref[0]);
        slots.add(new Slot(source.instrument().id(),
            java.time.OffsetDateTime.ofInstant(Instant.ofEpochSecond(source.openTimes()[ref[1]]), source.offset()), ref[2] == 1));
      }
      return slots;
    }

    @Override
    public Step get(int index) {
      java.util.Objects.checkIndex(index, plans.size());
      while (furthest < index) {
        furthest++;
        recent.addLast(materialize(plans.get(furthest)));
        if (recent.size() > KEPT) recent.removeFirst();
      }
      int back = furthest - index;
      if (back >= recent.size())
        throw new IllegalStateException("step " + index + " of a streamed replay schedule was passed (now at step " + furthest + ")");
      java.util.Iterator<Step> it = recent.descendingIterator();
      for (int i = 0; i < back; i++) it.next();
      return it.next();
    }

    private Step materialize(Plan plan) {
      List<Bar> bars = new ArrayList<>(plan.bars().length);
      List<Bar> ends = new ArrayList<>();
      for (int[] ref : plan.bars()) {
        Bar bar = barAt(ref[0], ref[1]);
        bars.add(bar);
        if (ref[2] == 1) ends.add(bar);
      }
      return new Step(plan.at(), List.copyOf(bars), List.copyOf(ends), plan.sessionIndex());
    }

    /** Bar {@code index} of source {@code s}, skipping the bars before it (outside the date range). */
    private Bar barAt(int s, int index) {
      if (readers[s] == null) readers[s] = sources.get(s).read();
      while (true) {
        if (!readers[s].hasNext())
          throw new IllegalStateException(sources.get(s).instrument().id() + ": the bar file ended before bar " + (index + 1)
              + " it held when checked; was it changed during the run?");
        Bar bar = readers[s].next();
        int at = nextIndex[s]++;
        if (at < index) continue;
        if (bar.tsOpen().toEpochSecond() != sources.get(s).openTimes()[index])
          throw new IllegalStateException(sources.get(s).instrument().id() + ": bar " + (index + 1) + " opens at " + bar.tsOpen()
              + ", not at the time it had when checked; was the bar file changed during the run?");
        return bar;
      }
    }
  }

  private static boolean inRange(LocalDate date, LocalDate from, LocalDate to) {
    return (from == null || !date.isBefore(from)) && (to == null || !date.isAfter(to));
  }

  /** The steps in time order; those of a {@link #streamed} schedule are to be read forward. */
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

  /** The bars of step {@code index} without reading them, in the order of the step's bars. */
  public List<Slot> slots(int index) {
    if (steps instanceof StreamedSteps streamed) return streamed.slots(index);
    Step step = steps.get(index);
    return step.bars().stream().map(bar -> new Slot(bar.instrumentId(), bar.tsOpen(), step.sessionEnds().contains(bar))).toList();
  }

  /** Total number of bars. */
  public long barCount() {
    return barCount;
  }
}
