package dev.ordo.engine.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One task of an account's trading day, run by its {@link TaskScheduler} at {@link #at()} on each
 * trading day, or by hand. A task must be idempotent: a run interrupted by a crash runs again after
 * the restart.
 *
 * @param name   the task's name as the API shows it ({@code pre-open-login}, {@code eod-cleanup}, ...)
 * @param at     the time of day, in the account's venue zone, at which it runs on each trading day; null when it runs by hand only
 * @param retry  how often a failed run is tried and how long it waits between tries
 * @param action runs the task once: given the engine's clock when the run started (the replay clock in a replay) and the
 *               trading day the run belongs to (its scheduled day; for a run by hand, the day of that instant), it completes
 *               with a one-line account of what it did, or fails with why it could not
 */
public record DayTask(String name, LocalTime at, RetryPolicy retry, Action action) {

  /** What a task does. */
  @FunctionalInterface
  public interface Action {
    CompletionStage<String> run(Instant now, LocalDate day);
  }

  public DayTask {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a task has a name");
    java.util.Objects.requireNonNull(retry, "retry");
    java.util.Objects.requireNonNull(action, "action");
  }

  /** Runs the task once; a failure thrown by the action is a failed run. */
  public CompletionStage<String> run(Instant now, LocalDate day) {
    try {
      return action.run(now, day);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Retry policy of a task.
   *
   * @param maxAttempts tries in all, at least 1
   * @param backoff     wall-clock wait before the second try, doubled for each further one
   */
  public record RetryPolicy(int maxAttempts, Duration backoff) {
    public RetryPolicy {
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      if (backoff == null || backoff.isNegative()) throw new IllegalArgumentException("backoff must be zero or positive, got " + backoff);
    }

    /** Tried once. */
    public static RetryPolicy once() {
      return new RetryPolicy(1, Duration.ZERO);
    }

    /** The wait before try {@code attempt + 1} after try {@code attempt} (1-based) failed. */
    public Duration delayAfter(int attempt) {
      return backoff.multipliedBy(1L << Math.min(attempt - 1, 16));
    }
  }
}
