package dev.ordo.app.api;

import dev.ordo.engine.model.AccountId;
import java.time.ZoneId;

/**
 * The answer of {@code POST /accounts/{account}/tasks/{task}/run}: the run, once it ended (its outcome
 * may be FAILED: the task ran and failed), or with status 409 the run in progress that this one would
 * have doubled.
 *
 * @param error  null when the task ran; {@code conflict} when it was already running
 * @param detail why it did not run, else null
 * @param run    the run that ended, or the one in progress
 */
public record TaskRunAnswer(String error, String detail, AccountId account, String task, StatusView.TaskRunView run) {

  /** A run that ended. */
  public static TaskRunAnswer ran(AccountId account, dev.ordo.engine.schedule.TaskScheduler.TaskRun run, ZoneId zone) {
    return new TaskRunAnswer(null, null, account, run.task(), StatusView.TaskRunView.of(run, zone));
  }

  /** A task already running. */
  public static TaskRunAnswer alreadyRunning(AccountId account, dev.ordo.engine.schedule.TaskScheduler.TaskRun running, ZoneId zone) {
    return new TaskRunAnswer("conflict", "task " + running.task() + " is running (started " + running.startedAt() + " by "
        + running.requestedBy() + "); it is not started twice", account, running.task(), StatusView.TaskRunView.of(running, zone));
  }
}
