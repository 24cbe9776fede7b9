package dev.ordo.app.api;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.schedule.TaskScheduler;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /status}: the engine, its instruments, the replay, and each account: its trading
 * service's state and heartbeat, its market-data and order feeds, broker session, gateway,
 * reconciliation, the tasks of its trading day and its trading state (ACTIVE or HALTED) with its risk limits. Times that belong to no one instrument (the replay
 * clock, the login, the heartbeat) carry the offset of the instruments' common venue zone, or UTC when
 * they span zones.
 *
 * @param instruments the instruments of every account, sorted
 * @param accounts    every account of the process, started or not, by id
 */
public record StatusView(State state, List<InstrumentId> instruments, List<AccountStatus> accounts) {

  /**
   * This status as a caller who sees only the accounts {@code sees} accepts: other accounts are left
   * out, and so are their instruments.
   */
  public StatusView visibleTo(Predicate<AccountId> sees) {
    List<AccountStatus> visible = accounts.stream().filter(a -> sees.test(a.account())).toList();
    return new StatusView(state, visible.stream().flatMap(a -> a.instruments().stream()).distinct().sorted().toList(), visible);
  }

  /**
   * An account's trading service as {@code /status} shows it: the manager's states, and {@code STALE} for
   * a running service whose last heartbeat is older than twice its interval.
   */
  public enum ServiceState {
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED,
    STALE,
    UNREACHABLE
  }

  /**
   * One account.
   *
   * @param service        its trading service's state
   * @param reason         why it FAILED or STOPPED, else null
   * @param since          when it entered its state
   * @param changedBy      who started or stopped it last ({@code engine} at boot, else the API token's subject)
   * @param lastHeartbeat  the service's last beat, null before the first or while it does not run
   * @param instruments    the instruments it trades, sorted
   * @param replay         its replay's progress, null live
   * @param marketData     the replay's bar delivery, or live the market-data stream's connection; null while it does not run
   * @param orderFeed      the order-update connection, null for the paper replay
   * @param auth           the broker session (a token is never shown)
   * @param gateway        the broker gateway: its queues and calls
   * @param reconciliation the reconciler's counters, null without one
   * @param scanner        its scanner's counters and last scan, null without one
   * @param nextTask       the next scheduled task run, null when none
   * @param tasks          the tasks of its trading day, runnable by hand with {@code POST /accounts/{account}/tasks/{task}/run}
   * @param risk           its trading state (ACTIVE or HALTED), pre-trade limits and today's realized P&amp;L; null when its risk
   *                       actor does not answer
   */
  public record AccountStatus(AccountId account, ServiceState service, String reason, OffsetDateTime since, String changedBy, String node,
      OffsetDateTime lastHeartbeat, List<InstrumentId> instruments, Replay replay, Feed marketData, Feed orderFeed, Auth auth, Gateway gateway, Reconciliation reconciliation,
      ScannerView scanner, OffsetDateTime nextTask, List<TaskView> tasks, RiskView risk) {

    /** This status with {@code next} as its risk. */
    public AccountStatus withRisk(RiskView next) {
      return new AccountStatus(account, service, reason, since, changedBy, node, lastHeartbeat, instruments, replay, marketData, orderFeed, auth, gateway,
          reconciliation, scanner, nextTask, tasks, next);
    }
  }

  /**
   * An account's scanner ({@code docs/scanner.md}).
   *
   * @param expert     the expert its breakouts go to
   * @param universe   instruments it scans
   * @param scans      scans since the start, failed ones included
   * @param reads      daily-bar reads sent to the broker since the start
   * @param cacheHits  instruments served from its cache since the start
   * @param running    a scan is in progress
   * @param lastDay    the trading day of the last scan, null before the first
   * @param lastSummary what the last scan found and what became of each breakout, null before the first
   * @param lastFailure why the last scan failed, else null
   * @param lastFinishedAt when the last scan ended (engine clock), null before the first
   */
  public record ScannerView(String expert, int universe, long scans, long reads, long cacheHits, boolean running, java.time.LocalDate lastDay,
      String lastSummary, String lastFailure, OffsetDateTime lastFinishedAt) {

    /** {@code status} with its times in {@code zone}. */
    public static ScannerView of(dev.ordo.engine.scanner.Scanner.Status status, ZoneId zone) {
      dev.ordo.engine.scanner.Scanner.Report last = status.last();
      return new ScannerView(status.expertId(), status.universe(), status.scans(), status.reads(), status.cacheHits(), status.running(),
          last == null ? null : last.day(), last == null ? null : last.summary(), last == null ? null : last.failure(),
          last == null ? null : ApiTimes.of(last.finishedAt(), zone));
    }
  }

  /**
   * A task of an account's trading day.
   *
   * @param at      its time of day in the venue's zone ({@code 08:55}), null for a task run by hand only
   * @param nextRun its next scheduled run, null when none
   * @param lastRun its last run that ended, null before the first
   * @param running its run in progress, else null
   */
  public record TaskView(String task, String at, OffsetDateTime nextRun, TaskRunView lastRun, TaskRunView running) {

    /** {@code status} with its times in {@code zone}. */
    public static TaskView of(TaskScheduler.TaskStatus status, ZoneId zone) {
      return new TaskView(status.task(), status.at() == null ? null : status.at().toString(), ApiTimes.of(status.nextRun(), zone),
          TaskRunView.of(status.lastRun(), zone), TaskRunView.of(status.running(), zone));
    }
  }

  /**
   * A run of a task.
   *
   * @param day         the trading day it ran for
   * @param trigger     SCHEDULED or MANUAL
   * @param requestedBy {@code scheduler}, or the subject who ran it by hand
   * @param finishedAt  null while it runs
   * @param outcome     SUCCEEDED or FAILED, null while it runs
   * @param attempts    tries made
   * @param detail      what it did or why it failed, null while it runs
   */
  public record TaskRunView(java.time.LocalDate day, TaskScheduler.Trigger trigger, String requestedBy, OffsetDateTime startedAt,
      OffsetDateTime finishedAt, TaskScheduler.Outcome outcome, int attempts, String detail) {

    /** {@code run} with its times in {@code zone}; null for null. */
    public static TaskRunView of(TaskScheduler.TaskRun run, ZoneId zone) {
      if (run == null) return null;
      return new TaskRunView(run.day(), run.trigger(), run.requestedBy(), ApiTimes.of(run.startedAt(), zone), ApiTimes.of(run.finishedAt(), zone),
          run.outcome(), run.attempts(), run.detail());
    }
  }

  /** The engine answers only while it runs. */
  public enum State {
    RUNNING
  }

  /**
   * The replay's progress.
   *
   * @param account       the account whose replay it is
   * @param state         READY, RUNNING, PAUSED (its account's service is stopped), STOPPED, FINISHED or FAILED
   * @param replayTime    the replay clock: the close of the last bar delivered
   * @param barsDelivered bars handed to the symbol traders
   * @param error         why the replay failed, else null
   */
  public record Replay(AccountId account, ReplayDriver.State state, int stepsDone, int stepsTotal, int sessionsDone, int sessionsTotal, OffsetDateTime replayTime,
      long barsDelivered, long fills, long tradesClosed, String error) {

    /** {@code progress} of {@code account}'s replay with its clock in {@code zone}; null for null. */
    public static Replay of(AccountId account, ReplayDriver.Progress progress, ZoneId zone) {
      if (progress == null) return null;
      return new Replay(account, progress.state(), progress.stepsDone(), progress.stepsTotal(), progress.sessionsDone(), progress.sessionsTotal(),
          ApiTimes.of(progress.replayTime(), zone), progress.barsDelivered(), progress.fills(), progress.tradesClosed(), progress.error());
    }
  }

  /**
   * A market-data or order feed, the same shape for the replay and the live streams.
   *
   * @param state           live, the stream connection's state; for the replay {@code CONNECTED} while the
   *                        replay feeds bars, else {@code DISCONNECTED}
   * @param subscriptions   the subscription set, sorted
   * @param eventsDelivered replayed market events handled by the traders (0 live)
   * @param lastEventTime   open time of the latest replayed bar closed (null live), venue's offset
   * @param connects        stream connections opened (0 for the replay)
   * @param failures        stream attempts failed, drops and stale connections replaced (0 for the replay)
   * @param ticks           ticks received from the stream (0 for the replay)
   */
  public record Feed(AccountId account, MarketDataConnection.State state, List<InstrumentId> subscriptions, long eventsDelivered,
      OffsetDateTime lastEventTime, long connects, long failures, long ticks) {

    /** A live stream's connection. */
    public static Feed of(MarketDataConnection.Status stream) {
      return new Feed(stream.account(), stream.state(), stream.subscriptions(), 0, null, stream.connects(), stream.failures(), stream.ticks());
    }

    /** The replay's bar delivery, its last event time in {@code zone}. */
    public static Feed of(BarDelivery.Status replay, ZoneId zone) {
      return new Feed(replay.account(), replay.feedConnected() ? MarketDataConnection.State.CONNECTED : MarketDataConnection.State.DISCONNECTED,
          replay.subscriptions(), replay.eventsDelivered(), replay.lastEventTime() == null ? null
              : replay.lastEventTime().atZoneSameInstant(zone).toOffsetDateTime(), 0, 0, 0);
    }
  }

  /**
   * The broker session of an account.
   *
   * @param state         LOGGED_OUT, LOGGING_IN, BACKING_OFF or ACTIVE
   * @param logins        successful logins
   * @param failedLogins  failed login attempts
   * @param waiting       calls waiting for a login now
   * @param tokenIssuedAt when the current token was issued, null without one
   */
  public record Auth(AccountId account, AuthSession.State state, int logins, int failedLogins, int waiting, OffsetDateTime tokenIssuedAt) {

    /** {@code status} with its time in {@code zone}; null for null. */
    public static Auth of(AuthSession.Status status, ZoneId zone) {
      if (status == null) return null;
      return new Auth(status.account(), status.state(), status.logins(), status.failedLogins(), status.waiting(),
          ApiTimes.of(status.tokenIssuedAt(), zone));
    }
  }

  /**
   * An account's broker gateway.
   *
   * @param queued  calls waiting for a rate-limit permit, by priority (CRITICAL, NORMAL, SCAN)
   * @param started calls started (retries included)
   * @param retried calls retried once after a re-login
   * @param refused calls refused because their priority's queue was full
   * @param inFlight calls started and not answered yet
   */
  public record Gateway(AccountId account, Map<BrokerGateway.Priority, Integer> queued, long started, long retried, long refused, int inFlight) {

    /** {@code status} as shown; null for null. */
    public static Gateway of(BrokerGateway.Status status) {
      if (status == null) return null;
      Map<BrokerGateway.Priority, Integer> queued = new EnumMap<>(BrokerGateway.Priority.class);
      for (BrokerGateway.Priority p : BrokerGateway.Priority.values()) queued.put(p, status.queued().getOrDefault(p, 0));
      return new Gateway(status.account(), queued, status.started(), status.retried(), status.refused(), status.inFlight());
    }
  }

  /**
   * An account's reconciliations with its broker.
   *
   * @param discrepancies differences found between the engine and the broker (each journaled), since the account's first run
   * @param runs          runs ended since the engine started, failed ones included
   * @param failedRuns    runs that failed since the engine started
   * @param lastRunAt     when the last run ended, null before the first
   * @param lastFailure   why the last run failed, null when it did not
   */
  public record Reconciliation(AccountId account, long discrepancies, long runs, long failedRuns, OffsetDateTime lastRunAt, String lastFailure) {

    /** {@code state} and {@code stats} (null when the reconciler did not answer) of {@code account}'s reconciler, times in {@code zone}. */
    public static Reconciliation of(AccountId account, dev.ordo.engine.broker.Reconciler.State state, dev.ordo.engine.broker.Reconciler.Stats stats,
        ZoneId zone) {
      dev.ordo.engine.broker.Reconciler.Report last = stats == null ? null : stats.lastRun();
      return new Reconciliation(account, state.discrepancies(), stats == null ? 0 : stats.runs(), stats == null ? 0 : stats.failedRuns(),
          last == null ? null : ApiTimes.of(last.finishedAt(), zone), last == null ? null : last.failure());
    }
  }
}
