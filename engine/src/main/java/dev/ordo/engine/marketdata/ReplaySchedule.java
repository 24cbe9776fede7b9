package dev.ordo.engine.marketdata;

import dev.ordo.engine.calendar.TradingCalendar;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Both check the bars against the {@link TradingCalendar} (the shipped one unless another is given):
 * a date with bars that the calendar closes, and a calendar trading day within the replayed range (its
 * first to its last date) on which an instrument has no bar, are each logged once as a warning naming
 * the instruments, and kept in {@link #calendarMismatches()}. No bar is dropped: the replay plays the
 * data as it is.
 */
public final class ReplaySchedule {

  private static final Logger log = LoggerFactory.getLogger(ReplaySchedule.class);

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

  /**
   * A date on which the bars and the trading calendar disagree; the bars are replayed all the same.
   *
   * @param date        the date, in the instruments' venue's zone
   * @param reason      bars on a day the calendar closes, or none on one of its trading days
   * @param instruments the instruments concerned, in order
   */
  public record CalendarMismatch(LocalDate date, Reason reason, List<InstrumentId> instruments) {
    /** What disagrees. */
    public enum Reason {
      /** The instruments have bars on a date their venue's calendar closes (a holiday, a weekend day). */
      BARS_ON_CLOSED_DAY,
      /** The date is a trading day of the instruments' venue, within the replayed range, and they have no bar on it. */
      NO_BARS_ON_TRADING_DAY
    }

    public CalendarMismatch {
      instruments = List.copyOf(instruments);
    }

    /** The warning logged for it. */
    public String message() {
      String day = date + " (" + date.getDayOfWeek() + ")";
      return reason == Reason.BARS_ON_CLOSED_DAY
          ? "replay: bars on " + day + ", a day the trading calendar closes, for " + instruments + "; they are replayed as they are"
          : "replay: no bars on " + day + ", a trading day in the trading calendar, for " + instruments;
    }
  }

  private final List<Step> steps;
  private final List<LocalDate> sessions;
  private final Map<InstrumentId, Instrument> instruments;
  private final long barCount;
  private final List<CalendarMismatch> calendarMismatches;

  private ReplaySchedule(List<Step> steps, List<LocalDate> sessions, Map<InstrumentId, Instrument> instruments, long barCount,
      List<CalendarMismatch> calendarMismatches) {
    this.steps = steps;
    this.sessions = List.copyOf(sessions);
    this.instruments = Map.copyOf(instruments);
    this.barCount = barCount;
    this.calendarMismatches = List.copyOf(calendarMismatches);
  }

  /**
   * Builds the schedule of {@code data} restricted to bars whose local date is within
   * {@code from}..{@code to} (inclusive; null for no bound).
   *
   * @throws IllegalArgumentException when two files hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule of(List<InstrumentBars> data, LocalDate from, LocalDate to) {
    return of(data, from, to, TradingCalendar.standard());
  }

  /**
   * As {@link #of(List, LocalDate, LocalDate)}, the bars checked against {@code calendar}.
   *
   * @throws IllegalArgumentException when two files hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule of(List<InstrumentBars> data, LocalDate from, LocalDate to, TradingCalendar calendar) {
    TreeMap<Instant, List<Bar>> byInstant = new TreeMap<>();
    Map<InstrumentId, TreeSet<LocalDate>> venueDates = new TreeMap<>();
    TreeMap<Instant, List<Bar>> endsByInstant = new TreeMap<>();
    TreeSet<LocalDate> dates = new TreeSet<>();
    Map<InstrumentId, Instrument> instruments = new TreeMap<>();
    for (InstrumentBars file : data) {
      if (instruments.put(file.instrument().id(), file.instrument()) != null)
        throw new IllegalArgumentException("instrument " + file.instrument().id() + " appears in two files (second: " + file.source() + ")");
      List<Bar> bars = file.bars().stream().filter(b -> inRange(b.tsOpen().toLocalDate(), from, to)).toList();
      java.time.ZoneId zone = calendar.zone(file.instrument().id().venue());
      TreeSet<LocalDate> traded = venueDates.computeIfAbsent(file.instrument().id(), k -> new TreeSet<>());
      for (int i = 0; i < bars.size(); i++) {
        Bar bar = bars.get(i);
        Instant at = bar.tsOpen().toInstant();
        traded.add(LocalDate.ofInstant(at, zone));
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
    return new ReplaySchedule(List.copyOf(steps), sessions, instruments, steps.stream().mapToLong(step -> step.bars().size()).sum(),
        checkCalendar(venueDates, calendar));
  }

  /**
   * The schedule of {@code sources} restricted to bars whose local date is within {@code from}..{@code to}
   * (inclusive; null for no bound), reading the bars only as its steps are asked for: {@link #steps()}
   * must then be read forward (a step more than {@value StreamedSteps#KEPT} behind the furthest one
   * asked for is gone; a jump forward reads only the last of the steps it passes).
   *
   * @throws IllegalArgumentException when two sources hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule streamed(List<? extends BarSource> sources, LocalDate from, LocalDate to) {
    return streamed(sources, from, to, TradingCalendar.standard());
  }

  /**
   * As {@link #streamed(List, LocalDate, LocalDate)}, the bars checked against {@code calendar}.
   *
   * @throws IllegalArgumentException when two sources hold the same instrument, or nothing is left in the range
   */
  public static ReplaySchedule streamed(List<? extends BarSource> sources, LocalDate from, LocalDate to, TradingCalendar calendar) {
    Map<InstrumentId, Instrument> instruments = new TreeMap<>();
    Map<InstrumentId, TreeSet<LocalDate>> venueDates = new TreeMap<>();
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
      java.time.ZoneId zone = calendar.zone(source.instrument().id().venue());
      TreeSet<LocalDate> traded = venueDates.computeIfAbsent(source.instrument().id(), k -> new TreeSet<>());
      for (int i = 0; i < opens.length; i++) {
        if (!inRange(days[i], from, to)) continue;
        traded.add(LocalDate.ofInstant(Instant.ofEpochSecond(opens[i]), zone));
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
    return new ReplaySchedule(new StreamedSteps(List.copyOf(sources), plans), sessions, instruments, barCount,
        checkCalendar(venueDates, calendar));
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
      if (index > furthest + KEPT) {
        // a jump forward (a resumed replay): the steps before the last KEPT up to it are passed without reading their bars
        furthest = index - KEPT;
        recent.clear();
      }
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
      if (readers[s] == null) {
        // a resumed replay starts late in the files: the bars before are skipped without being parsed
        readers[s] = sources.get(s).readFrom(index);
        nextIndex[s] = index;
      }
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

  /**
   * The dates on which the instruments' bars ({@code traded}: each instrument's dates with bars, in its
   * venue's zone) and {@code calendar} disagree, each logged once as a warning: dates with bars that the
   * calendar closes, and calendar trading days from the first to the last date with bars on which an
   * instrument has none.
   */
  private static List<CalendarMismatch> checkCalendar(Map<InstrumentId, TreeSet<LocalDate>> traded, TradingCalendar calendar) {
    LocalDate first = null;
    LocalDate last = null;
    for (TreeSet<LocalDate> dates : traded.values()) {
      if (dates.isEmpty()) continue;
      if (first == null || dates.first().isBefore(first)) first = dates.first();
      if (last == null || dates.last().isAfter(last)) last = dates.last();
    }
    TreeMap<LocalDate, List<InstrumentId>> closed = new TreeMap<>();
    TreeMap<LocalDate, List<InstrumentId>> missing = new TreeMap<>();
    for (Map.Entry<InstrumentId, TreeSet<LocalDate>> entry : traded.entrySet()) {
      InstrumentId instrument = entry.getKey();
      for (LocalDate date : entry.getValue())
        if (!calendar.isTradingDay(instrument.venue(), date)) closed.computeIfAbsent(date, d -> new ArrayList<>()).add(instrument);
      for (LocalDate date = first; first != null && !date.isAfter(last); date = date.plusDays(1))
        if (!entry.getValue().contains(date) && calendar.isTradingDay(instrument.venue(), date))
          missing.computeIfAbsent(date, d -> new ArrayList<>()).add(instrument);
    }
    List<CalendarMismatch> mismatches = new ArrayList<>();
    closed.forEach((date, instruments) -> mismatches.add(new CalendarMismatch(date, CalendarMismatch.Reason.BARS_ON_CLOSED_DAY, instruments)));
    missing.forEach((date, instruments) -> mismatches.add(new CalendarMismatch(date, CalendarMismatch.Reason.NO_BARS_ON_TRADING_DAY, instruments)));
    mismatches.sort(java.util.Comparator.comparing(CalendarMismatch::date).thenComparing(CalendarMismatch::reason));
    for (CalendarMismatch mismatch : mismatches) log.warn(mismatch.message());
    return mismatches;
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

  /** The instant of step {@code index}, without reading its bars. */
  public Instant stepTime(int index) {
    if (steps instanceof StreamedSteps streamed) return streamed.plans.get(index).at();
    return steps.get(index).at();
  }

  /** The session index (in {@link #sessions()}) of step {@code index}, without reading its bars. */
  public int stepSessionIndex(int index) {
    if (steps instanceof StreamedSteps streamed) return streamed.plans.get(index).sessionIndex();
    return steps.get(index).sessionIndex();
  }

  /** Total number of bars. */
  public long barCount() {
    return barCount;
  }

  /**
   * The dates on which the bars and the trading calendar disagree, by date (each was logged as a
   * warning when the schedule was built); every bar is in the schedule all the same.
   */
  public List<CalendarMismatch> calendarMismatches() {
    return calendarMismatches;
  }
}
