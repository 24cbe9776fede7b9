package dev.ordo.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.schedule.TaskScheduler.DueRuns;
import dev.ordo.engine.schedule.TaskScheduler.Outcome;
import dev.ordo.engine.schedule.TaskScheduler.TaskFinished;
import dev.ordo.engine.schedule.TaskScheduler.TaskRun;
import dev.ordo.engine.schedule.TaskScheduler.TaskStarted;
import dev.ordo.engine.schedule.TaskScheduler.Trigger;
import dev.ordo.engine.time.ReplayClock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on a manual clock (the replay clock) with the journal in memory and tasks whose runs
 * the test ends: once per trading day in time order, nothing repeated or skipped across a restart, an
 * interrupted run run again, retries, runs by hand, and a task never started twice.
 */
class TaskSchedulerTest {

  static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.load()));
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  static final ZoneId IST = ZoneId.of("Asia/Kolkata");
  /** Monday 2024-01-15 .. ; Wednesday 2024-01-17 is a holiday of this test's calendar. */
  static final LocalDate MON = LocalDate.of(2024, 1, 15);
  static final LocalDate TUE = MON.plusDays(1);
  static final LocalDate WED = MON.plusDays(2);
  static final LocalDate THU = MON.plusDays(3);
  static final LocalDate FRI = MON.plusDays(4);
  static final LocalDate NEXT_MON = MON.plusDays(7);
  static final Predicate<LocalDate> TRADING_DAY = d -> d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY
      && !d.equals(WED);
  static int accounts;

  AccountId account;
  ReplayClock clock;
  FakeTask login;
  FakeTask cleanup;
  FakeTask reconcile;
  ActorRef<TaskScheduler.Command> scheduler;

  @BeforeEach
  void setUp() {
    account = AccountId.of("sched" + (++accounts));
    clock = new ReplayClock(at(MON, "08:00"));
    login = new FakeTask("pre-open-login", LocalTime.of(8, 55), DayTask.RetryPolicy.once());
    cleanup = new FakeTask("eod-cleanup", LocalTime.of(18, 0), DayTask.RetryPolicy.once());
    reconcile = new FakeTask("reconcile", null, DayTask.RetryPolicy.once());
    scheduler = spawn(false);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  ActorRef<TaskScheduler.Command> spawn(boolean selfTimed) {
    return testKit.spawn(TaskScheduler.create(account, List.of(login.task(), cleanup.task(), reconcile.task()), IST, TRADING_DAY, clock, selfTimed));
  }

  static Instant at(LocalDate day, String time) {
    return LocalDateTime.of(day, LocalTime.parse(time)).atZone(IST).toInstant();
  }

  String pid() {
    return TaskScheduler.persistenceId(account).id();
  }

  /** Moves the clock to {@code day} {@code time} and sends RunDue, ending each run it starts with "done"; answers the runs. */
  DueRuns runDue(LocalDate day, String time) {
    clock.advanceTo(at(day, time));
    TestProbe<DueRuns> probe = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.RunDue(clock.instant(), probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  void expectRun(String task, LocalDate day, Trigger trigger, String by, Instant started, Outcome outcome, int attempts, String detail) {
    journal.expectNextPersisted(pid(), new TaskStarted(account, task, day, trigger, by, started));
    journal.expectNextPersisted(pid(), new TaskFinished(account, task, day, trigger, outcome, attempts, detail, started));
  }

  @Test
  void runsEachScheduledTaskOncePerTradingDayInTheOrderOfTheirTimes() {
    DueRuns monday = runDue(MON, "09:15");
    assertEquals(List.of("pre-open-login"), monday.runs().stream().map(TaskRun::task).toList());
    assertEquals(at(MON, "18:00"), monday.nextDue(), "the cleanup, first due on the scheduler's first day");
    expectRun("pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "09:15"), Outcome.SUCCEEDED, 1, "pre-open-login done 1");

    assertEquals(List.of(), runDue(MON, "12:00").runs(), "nothing more is due on Monday before 18:00");
    journal.expectNothingPersisted(pid());

    DueRuns tuesday = runDue(TUE, "09:15");
    assertEquals(List.of("eod-cleanup " + MON, "pre-open-login " + TUE), tuesday.runs().stream().map(r -> r.task() + " " + r.day()).toList());
    expectRun("eod-cleanup", MON, Trigger.SCHEDULED, "scheduler", at(TUE, "09:15"), Outcome.SUCCEEDED, 1, "eod-cleanup done 1");
    expectRun("pre-open-login", TUE, Trigger.SCHEDULED, "scheduler", at(TUE, "09:15"), Outcome.SUCCEEDED, 1, "pre-open-login done 2");
    assertEquals(at(TUE, "18:00"), tuesday.nextDue());
  }

  @Test
  void skipsHolidaysAndWeekendsAndRunsAMissedTaskOnceForItsLatestDay() {
    runDue(MON, "09:15");
    runDue(TUE, "18:00");
    journal.clearAll();
    DueRuns wednesday = runDue(WED, "09:15");
    assertEquals(List.of(), wednesday.runs(), "Wednesday is a holiday: no pre-open login");
    assertEquals(at(THU, "08:55"), wednesday.nextDue());
    journal.expectNothingPersisted(pid());

    // the engine was down from Thursday morning to the next Monday: Friday's cleanup runs once, not Thursday's too
    DueRuns monday = runDue(NEXT_MON, "09:15");
    assertEquals(List.of("eod-cleanup " + FRI, "pre-open-login " + NEXT_MON),
        monday.runs().stream().map(r -> r.task() + " " + r.day()).toList());
    assertEquals(3, login.runs, "Monday's, Tuesday's and the next Monday's logins");
  }

  @Test
  void aRestartMidDayNeitherRepeatsADoneRunNorSkipsOneNotYetDue() {
    runDue(MON, "09:15");
    expectRun("pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "09:15"), Outcome.SUCCEEDED, 1, "pre-open-login done 1");
    restart();
    assertEquals(List.of(), runDue(MON, "12:00").runs(), "the login of the day is not repeated after a restart");
    restart();
    DueRuns evening = runDue(MON, "18:00");
    assertEquals(List.of("eod-cleanup"), evening.runs().stream().map(TaskRun::task).toList(), "restarted before its time, it still runs");
    expectRun("eod-cleanup", MON, Trigger.SCHEDULED, "scheduler", at(MON, "18:00"), Outcome.SUCCEEDED, 1, "eod-cleanup done 1");
    assertEquals(1, login.runs);
  }

  @Test
  void aRunInterruptedByAStopRunsAgainAfterTheRestart() {
    login.hold();
    clock.advanceTo(at(MON, "09:15"));
    TestProbe<DueRuns> probe = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.RunDue(clock.instant(), probe.ref()));
    journal.expectNextPersisted(pid(), new TaskStarted(account, "pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "09:15")));
    probe.expectNoMessage(Duration.ofMillis(100));
    LoggingTestKit.warn("was interrupted by a stop").expect(testKit.system(), () -> {
      restart();
      return null;
    });
    TaskScheduler.Status status = status();
    assertNull(status.tasks().get(0).lastRun(), "it never ended");
    login.release();
    DueRuns again = runDue(MON, "09:20");
    assertEquals(List.of("pre-open-login"), again.runs().stream().map(TaskRun::task).toList());
    expectRun("pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "09:20"), Outcome.SUCCEEDED, 1, "pre-open-login done 2");
  }

  @Test
  void aFailedRunIsTriedAgainByItsPolicyAndCountsForItsDayWhenItGivesUp() {
    login = new FakeTask("pre-open-login", LocalTime.of(8, 55), new DayTask.RetryPolicy(3, Duration.ofMillis(10)));
    scheduler = spawn(false);
    login.failNext("broker down", "broker down");
    DueRuns first = runDue(MON, "09:15");
    assertEquals(Outcome.SUCCEEDED, first.runs().get(0).outcome());
    expectRun("pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "09:15"), Outcome.SUCCEEDED, 3, "pre-open-login done 3");

    login.failNext("broker down", "broker down", "still down");
    DueRuns second = runDue(TUE, "09:15");
    TaskRun failed = second.runs().stream().filter(r -> r.task().equals("pre-open-login")).findFirst().orElseThrow();
    assertEquals(Outcome.FAILED, failed.outcome());
    assertEquals("still down", failed.detail());
    assertEquals(3, failed.attempts());
    assertEquals(List.of(), runDue(TUE, "10:00").runs(), "a run that failed after its tries is not repeated that day");
    assertEquals(failed, status().tasks().get(0).lastRun(), "and /status shows it");
  }

  @Test
  void aRunByHandAnswersItsOutcomeAndDoesNotTakeTheDaysScheduledRun() {
    runDue(MON, "09:15");
    journal.clearAll();
    clock.advanceTo(at(MON, "17:00"));
    TestProbe<TaskScheduler.RunAnswer> answer = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.RunNow("eod-cleanup", "alice", answer.ref()));
    TaskScheduler.Ran ran = assertInstanceOf(TaskScheduler.Ran.class, answer.receiveMessage());
    assertEquals(new TaskRun("eod-cleanup", MON, Trigger.MANUAL, "alice", at(MON, "17:00"), at(MON, "17:00"), Outcome.SUCCEEDED, 1,
        "eod-cleanup done 1"), ran.run());
    expectRun("eod-cleanup", MON, Trigger.MANUAL, "alice", at(MON, "17:00"), Outcome.SUCCEEDED, 1, "eod-cleanup done 1");
    assertEquals(List.of("eod-cleanup"), runDue(MON, "18:00").runs().stream().map(TaskRun::task).toList(),
        "the scheduled cleanup still runs at 18:00");

    scheduler.tell(new TaskScheduler.RunNow("market-close-party", "alice", answer.ref()));
    assertEquals(new TaskScheduler.UnknownTask("market-close-party", List.of("pre-open-login", "eod-cleanup", "reconcile")),
        answer.receiveMessage());
  }

  @Test
  void aTaskStillRunningIsNotStartedTwice() {
    cleanup.hold();
    clock.advanceTo(at(MON, "17:59"));
    TestProbe<TaskScheduler.RunAnswer> byHand = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.RunNow("eod-cleanup", "alice", byHand.ref()));
    TestProbe<TaskScheduler.RunAnswer> second = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.RunNow("eod-cleanup", "bob", second.ref()));
    TaskScheduler.AlreadyRunning busy = assertInstanceOf(TaskScheduler.AlreadyRunning.class, second.receiveMessage());
    assertEquals("alice", busy.running().requestedBy());

    DueRuns evening = LoggingTestKit.warn("is still running").expect(testKit.system(), () -> runDue(MON, "18:00"));
    assertEquals(List.of("pre-open-login"), evening.runs().stream().map(TaskRun::task).toList(), "the cleanup's scheduled run is skipped");
    cleanup.release();
    assertInstanceOf(TaskScheduler.Ran.class, byHand.receiveMessage());
    assertEquals(1, cleanup.runs);
  }

  @Test
  void selfTimedItRunsWhatIsDueWhenItStarts() {
    testKit.stop(scheduler);
    clock.advanceTo(at(MON, "08:56"));
    scheduler = spawn(true);
    journal.expectNextPersisted(pid(), new TaskStarted(account, "pre-open-login", MON, Trigger.SCHEDULED, "scheduler", at(MON, "08:56")));
    journal.expectNextPersisted(pid(), new TaskFinished(account, "pre-open-login", MON, Trigger.SCHEDULED, Outcome.SUCCEEDED, 1,
        "pre-open-login done 1", at(MON, "08:56")));
    assertEquals(at(MON, "18:00"), status().nextDue());
  }

  TaskScheduler.Status status() {
    TestProbe<TaskScheduler.Status> probe = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  void restart() {
    testKit.stop(scheduler);
    scheduler = spawn(false);
  }

  /** A task that counts its runs; held, its run ends only when released; told to fail, its next runs fail with the given reasons. */
  static final class FakeTask {
    final String name;
    final LocalTime at;
    final DayTask.RetryPolicy retry;
    final Deque<String> failures = new ArrayDeque<>();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile int runs;

    FakeTask(String name, LocalTime at, DayTask.RetryPolicy retry) {
      this.name = name;
      this.at = at;
      this.retry = retry;
    }

    DayTask task() {
      return new DayTask(name, at, retry, this::run);
    }

    void hold() {
      gate = new CompletableFuture<>();
    }

    void release() {
      gate.complete(null);
    }

    void failNext(String... reasons) {
      synchronized (failures) {
        failures.addAll(List.of(reasons));
      }
    }

    CompletionStage<String> run(Instant now, LocalDate day) {
      int n = ++runs;
      String failure;
      synchronized (failures) {
        failure = failures.poll();
      }
      if (failure != null) return CompletableFuture.failedFuture(new IllegalStateException(failure));
      return gate.thenApply(ignored -> name + " done " + n);
    }
  }
}
