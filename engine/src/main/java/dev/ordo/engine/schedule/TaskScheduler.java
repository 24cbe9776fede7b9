package dev.ordo.engine.schedule;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Runs the tasks of one account's trading day ({@link DayTask}) on the engine's clock: each
 * scheduled task once per trading day at its time of day in the venue's zone, and any task by hand.
 *
 * <ul>
 *   <li>Every run is journaled: {@link TaskStarted} before it starts, {@link TaskFinished} with its
 *       outcome when it ends. A scheduled run counts as done for its day once finished (succeeded, or
 *       failed after its {@link DayTask.RetryPolicy}), so a restart neither repeats it nor skips a run
 *       whose time has not come; a run a crash interrupted (started, never finished) runs again.
 *   <li>{@link RunDue} runs, one after the other in the order of their times, every scheduled run due
 *       at or before its instant and not done, and answers when they have ended: the replay sends it
 *       between two steps, so a replayed day runs its tasks exactly as a live one, at the same point
 *       of the market data. Live ({@code selfTimed}), the scheduler sends it to itself when the next
 *       run is due. A scheduled task missed on several days (the engine was down) runs once, for the
 *       latest; a task that never ran is first due on the day the scheduler first runs.
 *   <li>{@link RunNow} runs one task at once, by hand; it does not count as the day's scheduled run.
 *   <li>A task is never started twice at once: a scheduled run whose task is still running is
 *       skipped for that day, a run by hand is answered {@link AlreadyRunning}.
 * </ul>
 */
public final class TaskScheduler extends EventSourcedBehavior<TaskScheduler.Command, TaskScheduler.Event, TaskScheduler.State> {

  /** Protocol; local (the tasks are objects of this JVM). */
  public sealed interface Command {}

  /** Runs every scheduled run due at or before {@code now} and not done; answered with their runs once all have ended. */
  public record RunDue(Instant now, ActorRef<DueRuns> replyTo) implements Command, NoSerializationVerificationNeeded {}

  /**
   * The runs a {@link RunDue} started, in order, and when the next one is due.
   *
   * @param nextDue null when no task is scheduled
   */
  public record DueRuns(List<TaskRun> runs, Instant nextDue) {}

  /** Runs {@code task} now, asked by {@code requestedBy} (an API subject, {@code operator}); answered when it ends. */
  public record RunNow(String task, String requestedBy, ActorRef<RunAnswer> replyTo) implements Command, OrdoSerializable {}

  /** Answer to {@link RunNow}. */
  public sealed interface RunAnswer extends OrdoSerializable {}

  /** The run ended (succeeded or failed after its tries). */
  public record Ran(TaskRun run) implements RunAnswer {}

  /** No task of that name; {@code tasks} are the account's. */
  public record UnknownTask(String task, List<String> tasks) implements RunAnswer {}

  /** The task is running; it is not started twice. */
  public record AlreadyRunning(TaskRun running) implements RunAnswer {}

  /** Asks for every task's schedule and last run. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, OrdoSerializable {}

  /**
   * The scheduler's status.
   *
   * @param nextDue the next scheduled run, null when none
   */
  public record Status(AccountId account, List<TaskStatus> tasks, Instant nextDue) implements OrdoSerializable {}

  /**
   * One task's schedule and runs.
   *
   * @param at      its time of day in the venue zone, null for a task run by hand only
   * @param nextRun its next scheduled run, null for a task run by hand only
   * @param lastRun its last run that ended, null before the first
   * @param running its run in progress, else null
   */
  public record TaskStatus(String task, LocalTime at, Instant nextRun, TaskRun lastRun, TaskRun running) {}

  private record AttemptEnded(long runId, String detail, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private record Retry(long runId) implements Command, NoSerializationVerificationNeeded {}

  private enum Wake implements Command, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** What started a run. */
  public enum Trigger {
    SCHEDULED,
    MANUAL
  }

  /** How a run ended. */
  public enum Outcome {
    SUCCEEDED,
    FAILED
  }

  /**
   * A run of a task.
   *
   * @param day         the trading day it belongs to
   * @param requestedBy who asked for a run by hand; {@code scheduler} for a scheduled run
   * @param finishedAt  null while it runs
   * @param outcome     null while it runs
   * @param attempts    tries made (0 while the first runs)
   * @param detail      what it did, or why it failed; null while it runs
   */
  public record TaskRun(String task, LocalDate day, Trigger trigger, String requestedBy, Instant startedAt, Instant finishedAt,
      Outcome outcome, int attempts, String detail) implements OrdoSerializable {}

  /** Events of the scheduler. */
  public sealed interface Event extends OrdoSerializable {}

  /** A run started. */
  public record TaskStarted(AccountId account, String task, LocalDate day, Trigger trigger, String requestedBy, Instant tsEvent)
      implements Event {}

  /** A run ended after {@code attempts} tries. */
  public record TaskFinished(AccountId account, String task, LocalDate day, Trigger trigger, Outcome outcome, int attempts, String detail,
      Instant tsEvent) implements Event {}

  /**
   * The scheduler's journaled state.
   *
   * @param firstDay         the day of the first scheduled run, null before it: a task that never ran is due from then
   * @param lastScheduledDay per task, the last day whose scheduled run ended
   * @param lastRuns         per task, its last run that ended
   * @param started          per task, a run started and not (yet) ended; after a restart, one a crash interrupted
   */
  public record State(LocalDate firstDay, Map<String, LocalDate> lastScheduledDay, Map<String, TaskRun> lastRuns, Map<String, TaskRun> started)
      implements OrdoSerializable {
    public State {
      lastScheduledDay = Map.copyOf(lastScheduledDay);
      lastRuns = Map.copyOf(lastRuns);
      started = Map.copyOf(started);
    }
  }

  /** A scheduled run of a task. */
  private record Occurrence(DayTask task, LocalDate day, Instant at) {}

  /** A run in progress in this incarnation. */
  private static final class Running {
    final long id;
    final DayTask task;
    final TaskRun run;
    final List<ActorRef<RunAnswer>> waiters = new ArrayList<>();
    int attempts;

    Running(long id, DayTask task, TaskRun run) {
      this.id = id;
      this.task = task;
      this.run = run;
    }
  }

  /** The {@link RunDue} being answered: the runs still to start, the runs ended, who waits. */
  private static final class Batch {
    final Deque<Occurrence> toRun;
    final List<TaskRun> ran = new ArrayList<>();
    final ActorRef<DueRuns> replyTo;
    final Instant now;

    Batch(Deque<Occurrence> toRun, ActorRef<DueRuns> replyTo, Instant now) {
      this.toRun = toRun;
      this.replyTo = replyTo;
      this.now = now;
    }
  }

  /** How far back a missed scheduled run is still looked for, and ahead for the next one. */
  private static final int DAYS_SEARCHED = 31;

  /** Longest a self-timed scheduler sleeps before it looks at the clock again. */
  private static final Duration MAX_SLEEP = Duration.ofMinutes(10);

  private final AccountId account;
  private final Map<String, DayTask> tasks;
  private final ZoneId zone;
  private final Predicate<LocalDate> tradingDay;
  private final Clock clock;
  private final boolean selfTimed;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Map<Long, Running> running = new HashMap<>();
  private long runIds;
  private Batch batch;

  /**
   * A scheduler of {@code account}'s {@code tasks}.
   *
   * @param zone       the venue's zone, in which the tasks' times of day are read
   * @param tradingDay whether a date is a trading day of the account's venue (its calendar)
   * @param clock      the engine's clock: stamps the events and dates runs by hand
   * @param selfTimed  true live: the scheduler wakes itself when a run is due; false in a replay, whose driver sends {@link RunDue}
   * @throws IllegalArgumentException when two tasks have the same name
   */
  public static Behavior<Command> create(AccountId account, List<DayTask> tasks, ZoneId zone, Predicate<LocalDate> tradingDay, Clock clock,
      boolean selfTimed) {
    Map<String, DayTask> byName = new LinkedHashMap<>();
    for (DayTask task : tasks)
      if (byName.put(task.name(), task) != null) throw new IllegalArgumentException("two tasks are named " + task.name());
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskScheduler(account, byName, zone, tradingDay, clock, selfTimed, context, timers)));
  }

  /** The persistence id of {@code account}'s scheduler. */
  public static PersistenceId persistenceId(AccountId account) {
    return PersistenceId.of("TaskScheduler", account.value());
  }

  private TaskScheduler(AccountId account, Map<String, DayTask> tasks, ZoneId zone, Predicate<LocalDate> tradingDay, Clock clock,
      boolean selfTimed, ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(persistenceId(account), JournalFailures.BACKOFF);
    this.account = account;
    this.tasks = tasks;
    this.zone = zone;
    this.tradingDay = tradingDay;
    this.clock = clock;
    this.selfTimed = selfTimed;
    this.context = context;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return initialState();
  }

  /** A scheduler that never ran a task: what {@link #applyEvent} folds from. */
  public static State initialState() {
    return new State(null, Map.of(), Map.of(), Map.of());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          state.started().values().forEach(run -> context.getLog().warn(
              "Task {} of account {} (day {}, {}) was interrupted by a stop; a scheduled run runs again", run.task(), account, run.day(),
              run.trigger()));
          if (selfTimed) context.getSelf().tell(Wake.INSTANCE);
        })
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(RunDue.class, this::onRunDue)
        .onCommand(Wake.class, (state, wake) -> batch != null ? Effect().none() : onRunDue(state, new RunDue(clock.instant(), null)))
        .onCommand(RunNow.class, this::onRunNow)
        .onCommand(AttemptEnded.class, this::onAttemptEnded)
        .onCommand(ContinueBatch.class, (state, next) -> batch == null ? Effect().none() : startNext(state))
        .onCommand(Retry.class, (state, retry) -> {
          Running run = running.get(retry.runId());
          if (run != null) attempt(run);
          return Effect().none();
        })
        .onCommand(GetStatus.class, (state, request) -> {
          request.replyTo().tell(status(state));
          return Effect().none();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TaskScheduler::applyEvent);
  }

  /**
   * The scheduler's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not the scheduler's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof TaskStarted e) {
      Map<String, TaskRun> started = new TreeMap<>(state.started());
      started.put(e.task(), new TaskRun(e.task(), e.day(), e.trigger(), e.requestedBy(), e.tsEvent(), null, null, 0, null));
      LocalDate first = state.firstDay() == null && e.trigger() == Trigger.SCHEDULED ? e.day() : state.firstDay();
      return new State(first, state.lastScheduledDay(), state.lastRuns(), started);
    }
    if (event instanceof TaskFinished e) {
      Map<String, TaskRun> started = new TreeMap<>(state.started());
      TaskRun begun = started.remove(e.task());
      Instant startedAt = begun == null ? e.tsEvent() : begun.startedAt();
      String requestedBy = begun == null ? null : begun.requestedBy();
      Map<String, TaskRun> lastRuns = new TreeMap<>(state.lastRuns());
      lastRuns.put(e.task(), new TaskRun(e.task(), e.day(), e.trigger(), requestedBy, startedAt, e.tsEvent(), e.outcome(), e.attempts(),
          e.detail()));
      Map<String, LocalDate> lastDay = state.lastScheduledDay();
      if (e.trigger() == Trigger.SCHEDULED) {
        lastDay = new TreeMap<>(lastDay);
        lastDay.merge(e.task(), e.day(), (a, b) -> a.isAfter(b) ? a : b);
      }
      return new State(state.firstDay(), lastDay, lastRuns, started);
    }
    throw new IllegalArgumentException("not the task scheduler's event: " + event);
  }

  // ---------------------------------------------------------------- commands

  private Effect<Event, State> onRunDue(State state, RunDue request) {
    if (batch != null) return Effect().stash();
    List<Occurrence> due = due(state, request.now());
    if (due.isEmpty()) {
      answer(new Batch(new ArrayDeque<>(), request.replyTo(), request.now()), state);
      return Effect().none();
    }
    batch = new Batch(new ArrayDeque<>(due), request.replyTo(), request.now());
    return startNext(state);
  }

  /** Starts the batch's next run, or answers the batch when none is left. */
  private Effect<Event, State> startNext(State state) {
    while (!batch.toRun.isEmpty()) {
      Occurrence next = batch.toRun.poll();
      Running busy = runningTask(next.task().name());
      if (busy != null) {
        context.getLog().warn("Task {} of account {} is still running (since {}): its run of {} is skipped", next.task().name(), account,
            busy.run.startedAt(), next.day());
        continue;
      }
      return start(next.task(), next.day(), Trigger.SCHEDULED, "scheduler", null);
    }
    Batch done = batch;
    batch = null;
    answer(done, state);
    return Effect().unstashAll();
  }

  private void answer(Batch done, State state) {
    Instant nextDue = nextDue(state, done.now);
    if (done.replyTo != null) done.replyTo.tell(new DueRuns(List.copyOf(done.ran), nextDue));
    if (selfTimed) {
      Duration sleep = nextDue == null ? MAX_SLEEP : Duration.between(clock.instant(), nextDue);
      if (sleep.compareTo(MAX_SLEEP) > 0) sleep = MAX_SLEEP;
      if (sleep.isNegative()) sleep = Duration.ZERO;
      timers.startSingleTimer(Wake.INSTANCE, Wake.INSTANCE, sleep);
    }
  }

  private Effect<Event, State> onRunNow(State state, RunNow request) {
    DayTask task = tasks.get(request.task());
    if (task == null) {
      request.replyTo().tell(new UnknownTask(request.task(), List.copyOf(tasks.keySet())));
      return Effect().none();
    }
    Running busy = runningTask(task.name());
    if (busy != null) {
      request.replyTo().tell(new AlreadyRunning(busy.run));
      return Effect().none();
    }
    Instant now = clock.instant();
    return start(task, now.atZone(zone).toLocalDate(), Trigger.MANUAL, request.requestedBy(), request.replyTo());
  }

  private Effect<Event, State> start(DayTask task, LocalDate day, Trigger trigger, String requestedBy, ActorRef<RunAnswer> replyTo) {
    Instant now = clock.instant();
    long id = ++runIds;
    Running run = new Running(id, task, new TaskRun(task.name(), day, trigger, requestedBy, now, null, null, 0, null));
    if (replyTo != null) run.waiters.add(replyTo);
    running.put(id, run);
    context.getLog().debug("Task {} of account {} started ({} for {}, asked by {})", task.name(), account, trigger, day, requestedBy);
    return Effect().persist(new TaskStarted(account, task.name(), day, trigger, requestedBy, now)).thenRun(s -> attempt(run));
  }

  private void attempt(Running run) {
    run.attempts++;
    context.pipeToSelf(run.task.run(clock.instant(), run.run.day()), (detail, failure) -> new AttemptEnded(run.id, detail, failure));
  }

  private Effect<Event, State> onAttemptEnded(State state, AttemptEnded ended) {
    Running run = running.get(ended.runId());
    if (run == null) return Effect().none();
    if (ended.failure() != null && run.attempts < run.task.retry().maxAttempts()) {
      Duration delay = run.task.retry().delayAfter(run.attempts);
      context.getLog().info("Task {} of account {} failed (try {} of {}), tries again in {}: {}", run.task.name(), account, run.attempts,
          run.task.retry().maxAttempts(), delay, reason(ended.failure()));
      timers.startSingleTimer(new Retry(run.id), delay);
      return Effect().none();
    }
    running.remove(run.id);
    Outcome outcome = ended.failure() == null ? Outcome.SUCCEEDED : Outcome.FAILED;
    String detail = ended.failure() == null ? ended.detail() : reason(ended.failure());
    if (outcome == Outcome.FAILED)
      context.getLog().warn("Task {} of account {} failed after {} tr{}: {}", run.task.name(), account, run.attempts,
          run.attempts == 1 ? "y" : "ies", detail);
    else context.getLog().info("Task {} of account {} done ({} for {}): {}", run.task.name(), account, run.run.trigger(), run.run.day(), detail);
    Instant now = clock.instant();
    TaskRun finished = new TaskRun(run.run.task(), run.run.day(), run.run.trigger(), run.run.requestedBy(), run.run.startedAt(), now, outcome,
        run.attempts, detail);
    return Effect().persist(new TaskFinished(account, run.task.name(), run.run.day(), run.run.trigger(), outcome, run.attempts, detail, now))
        .thenRun(s -> run.waiters.forEach(w -> w.tell(new Ran(finished))))
        .thenRun(s -> {
          if (batch != null && run.run.trigger() == Trigger.SCHEDULED) {
            batch.ran.add(finished);
            context.getSelf().tell(new ContinueBatch());
          }
        });
  }

  /** Starts the batch's next run after one ended (a separate command: an effect's side effect cannot return the next effect). */
  private record ContinueBatch() implements Command, NoSerializationVerificationNeeded {}

  private static String reason(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private Running runningTask(String name) {
    for (Running run : running.values()) if (run.task.name().equals(name)) return run;
    return null;
  }

  // ---------------------------------------------------------------- schedule

  /** The scheduled runs due at or before {@code now} and not done, by their time. */
  private List<Occurrence> due(State state, Instant now) {
    LocalDate today = now.atZone(zone).toLocalDate();
    List<Occurrence> due = new ArrayList<>();
    for (DayTask task : tasks.values()) {
      if (task.at() == null) continue;
      LocalDate last = state.lastScheduledDay().get(task.name());
      for (int back = 0; back < DAYS_SEARCHED; back++) {
        LocalDate day = today.minusDays(back);
        if (last != null && !day.isAfter(last)) break;
        // a task that never ran is due from the scheduler's first day (today on its very first run)
        if (last == null && (state.firstDay() == null ? back > 0 : day.isBefore(state.firstDay()))) break;
        if (!tradingDay.test(day)) continue;
        Instant at = day.atTime(task.at()).atZone(zone).toInstant();
        if (at.isAfter(now)) continue;
        due.add(new Occurrence(task, day, at));
        break;
      }
    }
    due.sort(Comparator.comparing(Occurrence::at).thenComparing(o -> o.task().name()));
    return due;
  }

  /** The next scheduled run after {@code now}, null when no task is scheduled. */
  private Instant nextDue(State state, Instant now) {
    Instant next = null;
    for (DayTask task : tasks.values()) {
      Instant at = nextRun(state, task, now);
      if (at != null && (next == null || at.isBefore(next))) next = at;
    }
    return next;
  }

  private Instant nextRun(State state, DayTask task, Instant now) {
    if (task.at() == null) return null;
    LocalDate last = state.lastScheduledDay().get(task.name());
    LocalDate today = now.atZone(zone).toLocalDate();
    for (int ahead = 0; ahead < DAYS_SEARCHED; ahead++) {
      LocalDate day = today.plusDays(ahead);
      if (last != null && !day.isAfter(last)) continue;
      if (!tradingDay.test(day)) continue;
      Instant at = day.atTime(task.at()).atZone(zone).toInstant();
      if (at.isAfter(now)) return at;
    }
    return null;
  }

  private Status status(State state) {
    Instant now = clock.instant();
    List<TaskStatus> list = new ArrayList<>();
    for (DayTask task : tasks.values()) {
      Running busy = runningTask(task.name());
      list.add(new TaskStatus(task.name(), task.at(), nextRun(state, task, now), state.lastRuns().get(task.name()),
          busy == null ? null : busy.run));
    }
    return new Status(account, List.copyOf(list), nextDue(state, now));
  }
}
