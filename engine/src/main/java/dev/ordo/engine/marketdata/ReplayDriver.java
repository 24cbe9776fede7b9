package dev.ordo.engine.marketdata;

import dev.ordo.engine.port.SimulatedExchange;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.time.ReplayClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Replays a {@link ReplaySchedule} into the engine in lock-step, one step (bar open instant) at a
 * time, in four phases that mirror the strategy spec's order within a bar:
 *
 * <ol>
 *   <li>the replay clock moves to the bars' open; {@code BarOpen} goes to the symbol traders
 *       (through {@link BarDelivery});
 *   <li>the paper broker matches working orders against the bars and delivers the fills;
 *   <li>the clock moves to the bars' close; {@code BarClose} goes to the symbol traders;
 *   <li>for bars that end their session: the broker closes the session, then {@code SessionEnd}.
 * </ol>
 *
 * Each phase starts when the previous one has been acknowledged (orders answered, fills
 * journaled), so the trades do not depend on {@code speed} or thread timing. Speed only adds
 * wall-clock pauses between steps of one session. A resumed replay skips, per instrument, the
 * bars and session ends its symbol trader has already applied. {@link Stop} lets the running
 * step finish, so a stopped replay resumes exactly where it stopped.
 */
public final class ReplayDriver {

  private ReplayDriver() {}

  /** Protocol of the driver; local to its JVM. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Starts (or continues) the replay. */
  public enum Start implements Command {
    INSTANCE
  }

  /** Stops after the running step; answered when stopped. */
  public record Stop(ActorRef<Done> replyTo) implements Command {}

  /** Asks for the replay's progress; the one command another node may send (the driver is listed under {@link #serviceKey}). */
  public record GetProgress(ActorRef<Progress> replyTo) implements Command, dev.ordo.engine.OrdoSerializable {}

  /** The receptionist key of {@code account}'s replay driver: a cluster's other nodes find its progress there. */
  public static org.apache.pekko.actor.typed.receptionist.ServiceKey<Command> serviceKey(dev.ordo.engine.model.AccountId account) {
    return org.apache.pekko.actor.typed.receptionist.ServiceKey.create(Command.class, "replay-driver-" + account.value());
  }

  /**
   * Pauses after the running step (the account's service is being stopped); answered when paused. Unlike
   * {@link Stop}, the replay has not ended: {@link Resume} goes on from the next step.
   */
  public record Pause(ActorRef<Done> replyTo) implements Command {}

  /** Goes on after a {@link Pause}, delivering through the account's new service's {@code delivery} and {@code scheduler}. */
  public record Resume(ActorRef<BarDelivery.Command> delivery, ActorRef<TaskScheduler.Command> scheduler) implements Command {}

  /**
   * @param nextDue the account's next scheduled task after the step, null when none; {@code dueKnown} false when the
   *                step did not ask the scheduler
   */
  private record StepFinished(int index, boolean dueKnown, Instant nextDue, Throwable failure) implements Command {}

  private record FinalTasksRun(Throwable failure) implements Command {}

  private enum NextStep implements Command {
    INSTANCE
  }

  /** Replay state. */
  public enum State {
    READY,
    RUNNING,
    /** Paused by a stop of the account's service; goes on when it starts again. */
    PAUSED,
    STOPPED,
    FINISHED,
    FAILED
  }

  /**
   * Progress of the replay.
   *
   * @param replayTime    the replay clock
   * @param sessionsDone  sessions (local dates) completely replayed
   * @param fills         fills delivered by the paper broker since this process started
   * @param tradesClosed  exits (fills that reduced or closed a position) since this process started
   * @param error         why the replay failed, else null
   */
  public record Progress(
      State state, int stepsDone, int stepsTotal, int sessionsDone, int sessionsTotal, Instant replayTime, long barsDelivered, long fills,
      long tradesClosed, String error) implements dev.ordo.engine.OrdoSerializable {}

  /** Told of progress; called from the driver's actor, must not block. */
  public interface Listener {
    void onStep(Progress progress);

    void onEnd(Progress progress);
  }

  /**
   * How fast to replay: {@code factor} times real time, or as fast as the engine goes when null.
   *
   * @param factor replay seconds per wall-clock second, or null for "max"
   */
  public record Speed(Double factor) {
    public static Speed max() {
      return new Speed(null);
    }

    /**
     * Parses {@code max} or {@code <N>x} (e.g. {@code 600x}).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Speed parse(String text) {
      String t = text.trim().toLowerCase(java.util.Locale.ROOT);
      if (t.equals("max")) return max();
      if (t.endsWith("x")) {
        try {
          double f = Double.parseDouble(t.substring(0, t.length() - 1));
          if (f > 0 && Double.isFinite(f)) return new Speed(f);
        } catch (NumberFormatException ignored) {
          // fall through to the error below
        }
      }
      throw new IllegalArgumentException("speed must be 'max' or '<N>x' with N > 0 (e.g. 600x), got '" + text + "'");
    }

    Duration pause(Duration replayTime) {
      if (factor == null) return Duration.ZERO;
      return Duration.ofNanos((long) (replayTime.toNanos() / factor));
    }

    @Override
    public String toString() {
      return factor == null ? "max" : factor + "x";
    }
  }

  /**
   * @param resume     per instrument, what its symbol trader already applied (empty for a fresh journal)
   * @param delivery   delivers the market events to the symbol traders; told the feed started and ended
   * @param broker     the simulated exchange that matches the bars and closes the sessions
   * @param askTimeout how long one phase may take
   */
  public static Behavior<Command> create(ReplaySchedule schedule, Map<InstrumentId, SymbolTrader.Progress> resume,
      ActorRef<BarDelivery.Command> delivery, SimulatedExchange broker, ReplayClock clock, Speed speed, Duration askTimeout,
      Listener listener) {
    return create(schedule, resume, delivery, null, broker, clock, speed, askTimeout, listener);
  }

  /**
   * A driver that also runs the account's scheduled tasks: before a step at or after the next task's
   * time, it sends the account's {@link TaskScheduler} a {@link TaskScheduler.RunDue} at the step's
   * instant and waits for the tasks; after the last step, one at the end of the last session's day
   * (its evening tasks). A replayed day thus runs its tasks at the same point of the market data
   * every time.
   *
   * @param scheduler the account's scheduler, null for none
   */
  public static Behavior<Command> create(ReplaySchedule schedule, Map<InstrumentId, SymbolTrader.Progress> resume,
      ActorRef<BarDelivery.Command> delivery, ActorRef<TaskScheduler.Command> scheduler, SimulatedExchange broker, ReplayClock clock,
      Speed speed, Duration askTimeout, Listener listener) {
    return create(schedule, resume, delivery, scheduler, broker, clock, clock.local(), speed, askTimeout, listener);
  }

  /**
   * A driver whose clock moves go through {@code mover}: in a cluster, every node's clock of the account
   * ({@link dev.ordo.engine.time.ReplayClocks}) moves before a phase starts, so entities on any node read the phase's instant.
   *
   * @param clock the driving node's clock (its progress shows it); {@code mover} moves it with the others
   */
  public static Behavior<Command> create(ReplaySchedule schedule, Map<InstrumentId, SymbolTrader.Progress> resume,
      ActorRef<BarDelivery.Command> delivery, ActorRef<TaskScheduler.Command> scheduler, SimulatedExchange broker, ReplayClock clock,
      ReplayClock.Mover mover, Speed speed, Duration askTimeout, Listener listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Driver(schedule, resume, delivery, scheduler, broker, clock, mover, speed, askTimeout, listener, context, timers).ready()));
  }

  private static final class Driver {
    private final ReplaySchedule schedule;
    private final Map<InstrumentId, SymbolTrader.Progress> resume;
    private ActorRef<BarDelivery.Command> delivery;
    private ActorRef<TaskScheduler.Command> scheduler;
    private final SimulatedExchange broker;
    private final ReplayClock clock;
    private final ReplayClock.Mover mover;
    private final Speed speed;
    private final Duration askTimeout;
    private final Listener listener;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorSystem<?> system;
    private final List<ActorRef<Done>> stopWaiters = new ArrayList<>();
    private final List<ActorRef<Done>> pauseWaiters = new ArrayList<>();
    /** Whether {@link #nextDue} is the scheduler's answer (false until the first step asks it). */
    private boolean dueKnown;
    /** The account's next scheduled task, null when none. */
    private Instant nextDue;
    private boolean finalTasksRun;
    private int next;
    private long barsDelivered;
    private boolean stepRunning;
    private State state = State.READY;
    private String error;

    Driver(ReplaySchedule schedule, Map<InstrumentId, SymbolTrader.Progress> resume, ActorRef<BarDelivery.Command> delivery,
        ActorRef<TaskScheduler.Command> scheduler, SimulatedExchange broker, ReplayClock clock, ReplayClock.Mover mover, Speed speed,
        Duration askTimeout, Listener listener, ActorContext<Command> context,
        TimerScheduler<Command> timers) {
      this.schedule = schedule;
      this.resume = Map.copyOf(resume);
      this.delivery = delivery;
      this.scheduler = scheduler;
      this.broker = broker;
      this.clock = clock;
      this.mover = mover;
      this.speed = speed;
      this.askTimeout = askTimeout;
      this.listener = listener;
      this.context = context;
      this.timers = timers;
      this.system = context.getSystem();
    }

    Behavior<Command> ready() {
      return Behaviors.receive(Command.class)
          .onMessage(Start.class, start -> {
            state = State.RUNNING;
            delivery.tell(new BarDelivery.FeedStateChanged(true));
            context.getLog().info("Replay of {} steps ({} sessions, {} bars) at speed {}", schedule.steps().size(), schedule.sessions().size(),
                schedule.barCount(), speed);
            runNext();
            return Behaviors.same();
          })
          .onMessage(NextStep.class, tick -> {
            runNext();
            return Behaviors.same();
          })
          .onMessage(StepFinished.class, this::onStepFinished)
          .onMessage(FinalTasksRun.class, finished -> {
            stepRunning = false;
            finalTasksRun = true;
            if (finished.failure() != null) context.getLog().warn("The last day's scheduled tasks failed: {}", finished.failure().toString());
            if (!stopWaiters.isEmpty()) stopNow(State.STOPPED);
            else if (!pauseWaiters.isEmpty()) pauseNow();
            else runNext();
            return Behaviors.same();
          })
          .onMessage(Stop.class, stop -> {
            stopWaiters.add(stop.replyTo());
            if (!stepRunning) stopNow(State.STOPPED);
            return Behaviors.same();
          })
          .onMessage(Pause.class, pause -> {
            if (state != State.RUNNING) {
              pause.replyTo().tell(Done.getInstance());
              return Behaviors.same();
            }
            pauseWaiters.add(pause.replyTo());
            if (!stepRunning) pauseNow();
            return Behaviors.same();
          })
          .onMessage(Resume.class, resumed -> {
            delivery = resumed.delivery();
            scheduler = resumed.scheduler();
            dueKnown = false;
            if (state != State.PAUSED) return Behaviors.same();
            state = State.RUNNING;
            delivery.tell(new BarDelivery.FeedStateChanged(true));
            context.getLog().info("Replay resumed at step {} of {}", next, schedule.steps().size());
            runNext();
            return Behaviors.same();
          })
          .onMessage(GetProgress.class, request -> {
            request.replyTo().tell(progress());
            return Behaviors.same();
          })
          .build();
    }

    private void runNext() {
      if (state != State.RUNNING || stepRunning) return;
      while (next < schedule.steps().size()) {
        if (alreadyApplied(next)) {
          next++;
          continue;
        }
        ReplaySchedule.Step step = schedule.steps().get(next);
        List<Bar> bars = step.bars().stream().filter(this::notApplied).toList();
        List<Bar> ends = step.sessionEnds().stream().filter(this::sessionNotEnded).toList();
        if (bars.isEmpty() && ends.isEmpty()) {
          next++;
          continue;
        }
        stepRunning = true;
        int index = next;
        boolean askScheduler = scheduler != null && (!dueKnown || (nextDue != null && !step.at().isBefore(nextDue)));
        CompletionStage<TaskScheduler.DueRuns> tasks = askScheduler ? runTasksThrough(dueKnown ? nextDue : step.at(), step.at())
            : CompletableFuture.completedFuture(null);
        context.pipeToSelf(tasks.thenCompose(due -> runStep(step, bars, ends).thenApply(done -> due)),
            (due, failure) -> new StepFinished(index, due != null, due == null ? null : due.nextDue(), failure));
        barsDelivered += bars.size();
        return;
      }
      if (scheduler != null && !finalTasksRun && !schedule.steps().isEmpty()) {
        stepRunning = true;
        context.pipeToSelf(runFinalTasks(), (done, failure) -> new FinalTasksRun(failure));
        return;
      }
      stopNow(State.FINISHED);
    }

    /**
     * The tasks of the last replayed day's evening, each at its time (the clock moves to it): the
     * replay ends with its last day complete, as a live day would.
     */
    private CompletionStage<Done> runFinalTasks() {
      Instant lastStep = schedule.stepTime(schedule.steps().size() - 1); // its time only: its bars are not read again
      java.time.ZoneId zone = dev.ordo.engine.calendar.VenueZones.commonZone(schedule.instruments().keySet());
      Instant endOfDay = lastStep.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
      Instant first = dueKnown ? nextDue : lastStep;
      if (first == null || !first.isBefore(endOfDay)) return CompletableFuture.completedFuture(Done.getInstance());
      return runTasksThrough(first, endOfDay.minusNanos(1)).thenApply(due -> Done.getInstance());
    }

    /**
     * Runs the scheduler at {@code at} (the clock moved there), then at each next task's time up to
     * {@code until}: every task runs at its own time, as live. Answers the last run's answer (with the
     * next task's time after {@code until}).
     */
    private CompletionStage<TaskScheduler.DueRuns> runTasksThrough(Instant at, Instant until) {
      return mover.advanceTo(at).thenCompose(moved -> runDue(at)).thenCompose(due -> due.nextDue() != null
           && due.nextDue().isAfter(at) && !due.nextDue().isAfter(until)
          ? runTasksThrough(due.nextDue(), until) : CompletableFuture.completedFuture(due));
    }

    private CompletionStage<TaskScheduler.DueRuns> runDue(Instant at) {
      return AskPattern.<TaskScheduler.Command, TaskScheduler.DueRuns>ask(scheduler, replyTo -> new TaskScheduler.RunDue(at, replyTo),
          askTimeout, system.scheduler());
    }

    /** Every bar and session end of step {@code index} was applied before (a resumed replay), told without reading the bars. */
    private boolean alreadyApplied(int index) {
      if (resume.isEmpty()) return false;
      for (ReplaySchedule.Slot slot : schedule.slots(index)) {
        SymbolTrader.Progress p = resume.get(slot.instrument());
        if (p == null || p.lastBarApplied() == null || slot.tsOpen().isAfter(p.lastBarApplied())) return false;
        if (slot.endsSession() && (p.lastSessionEnded() == null || slot.tsOpen().toLocalDate().isAfter(p.lastSessionEnded()))) return false;
      }
      return true;
    }

    private boolean notApplied(Bar bar) {
      SymbolTrader.Progress p = resume.get(bar.instrumentId());
      return p == null || p.lastBarApplied() == null || bar.tsOpen().isAfter(p.lastBarApplied());
    }

    private boolean sessionNotEnded(Bar bar) {
      SymbolTrader.Progress p = resume.get(bar.instrumentId());
      return p == null || p.lastSessionEnded() == null || bar.tsOpen().toLocalDate().isAfter(p.lastSessionEnded());
    }

    private CompletionStage<Done> runStep(ReplaySchedule.Step step, List<Bar> bars, List<Bar> ends) {
      List<BarDelivery.MarketEvent> opens = new ArrayList<>();
      List<BarDelivery.MarketEvent> closes = new ArrayList<>();
      for (Bar bar : bars) {
        opens.add(new BarDelivery.BarOpen(bar.instrumentId(), bar.tsOpen()));
        closes.add(new BarDelivery.BarClose(bar));
      }
      List<BarDelivery.MarketEvent> sessionEnds = new ArrayList<>();
      for (Bar bar : ends) sessionEnds.add(new BarDelivery.SessionEnd(bar.instrumentId(), bar.tsOpen().toLocalDate()));
      Instant closeTime = (bars.isEmpty() ? ends : bars).stream().map(b -> b.tsClose().toInstant()).min(Instant::compareTo).orElse(step.at());
      return mover.advanceTo(step.at())
          .thenCompose(moved -> deliver(opens))
          .thenCompose(done -> bars.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance())
              : broker.matchBars(bars).thenApply(n -> Done.getInstance()))
          .thenCompose(done -> mover.advanceTo(closeTime))
          .thenCompose(moved -> deliver(closes))
          .thenCompose(done -> allOf(ends.stream().map(broker::closeSession).toList()))
          .thenCompose(done -> deliver(sessionEnds));
    }

    private static CompletionStage<Done> allOf(List<CompletionStage<Done>> stages) {
      return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
          .thenApply(ignored -> Done.getInstance());
    }

    private CompletionStage<Done> deliver(List<BarDelivery.MarketEvent> events) {
      if (events.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
      return AskPattern.<BarDelivery.Command, BarDelivery.Delivery>ask(delivery,
              replyTo -> new BarDelivery.Deliver(events, replyTo), askTimeout, system.scheduler())
          .thenApply(answer -> {
            if (answer instanceof BarDelivery.DeliveryFailed failed) throw new IllegalStateException(failed.reason());
            return Done.getInstance();
          });
    }

    private Behavior<Command> onStepFinished(StepFinished finished) {
      stepRunning = false;
      if (finished.dueKnown()) {
        dueKnown = true;
        nextDue = finished.nextDue();
      }
      if (finished.failure() != null) {
        error = "step at " + schedule.stepTime(finished.index()) + " failed: " + finished.failure().getMessage();
        context.getLog().error("Replay stopped: {}", error);
        stopNow(State.FAILED);
        return Behaviors.same();
      }
      next = finished.index() + 1;
      listener.onStep(progress());
      if (!stopWaiters.isEmpty()) {
        stopNow(State.STOPPED);
        return Behaviors.same();
      }
      if (!pauseWaiters.isEmpty()) {
        pauseNow();
        return Behaviors.same();
      }
      if (next >= schedule.steps().size()) {
        runNext();
        return Behaviors.same();
      }
      Duration pause = schedule.stepSessionIndex(next) == schedule.stepSessionIndex(finished.index())
          ? speed.pause(Duration.between(schedule.stepTime(finished.index()), schedule.stepTime(next)))
          : Duration.ZERO;
      if (pause.isZero()) context.getSelf().tell(NextStep.INSTANCE);
      else timers.startSingleTimer(NextStep.INSTANCE, pause);
      return Behaviors.same();
    }

    private void pauseNow() {
      if (state == State.RUNNING) {
        state = State.PAUSED;
        context.getLog().info("Replay paused after step {} of {}", next, schedule.steps().size());
      }
      pauseWaiters.forEach(w -> w.tell(Done.getInstance()));
      pauseWaiters.clear();
    }

    private void stopNow(State end) {
      pauseWaiters.forEach(w -> w.tell(Done.getInstance()));
      pauseWaiters.clear();
      if (state == State.RUNNING || state == State.READY || state == State.PAUSED) {
        state = end;
        if (end != State.STOPPED) delivery.tell(new BarDelivery.FeedStateChanged(false));
        listener.onEnd(progress());
      }
      stopWaiters.forEach(w -> w.tell(Done.getInstance()));
      stopWaiters.clear();
    }

    private Progress progress() {
      int sessionsDone;
      if (next >= schedule.steps().size()) sessionsDone = schedule.sessions().size();
      else sessionsDone = schedule.stepSessionIndex(next);
      return new Progress(state, next, schedule.steps().size(), sessionsDone, schedule.sessions().size(), clock.instant(), barsDelivered,
          broker.fillsPublished(), broker.tradesClosed(), error);
    }
  }
}
