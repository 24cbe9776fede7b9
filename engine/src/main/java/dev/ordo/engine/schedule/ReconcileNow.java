package dev.ordo.engine.schedule;

import dev.ordo.engine.broker.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code reconcile}: one run of the account's {@link Reconciler} on demand (fills of the broker's trade
 * book delivered, unknown and working orders resolved, positions compared). Run by hand only. Fails
 * when the run fails.
 */
public final class ReconcileNow implements DayTask {

  /** The task's name. */
  public static final String NAME = "reconcile";

  private final ActorRef<Reconciler.Command> reconciler;
  private final Scheduler scheduler;
  private final Duration timeout;

  /** @param timeout how long one run may take */
  public ReconcileNow(ActorRef<Reconciler.Command> reconciler, Scheduler scheduler, Duration timeout) {
    this.reconciler = reconciler;
    this.scheduler = scheduler;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LocalTime at() {
    return null;
  }

  @Override
  public RetryPolicy retry() {
    return RetryPolicy.once();
  }

  @Override
  public CompletionStage<String> run(Instant now, LocalDate day) {
    return AskPattern.<Reconciler.Command, Reconciler.Report>ask(reconciler, replyTo -> new Reconciler.Reconcile("task", replyTo), timeout,
        scheduler).thenApply(report -> {
          if (report.failure() != null) throw new IllegalStateException("reconciliation failed: " + report.failure());
          return report.fillsDelivered() + " fill(s) delivered, " + report.ordersResolved() + " order(s) resolved, " + report.discrepancies()
              + " discrepanc" + (report.discrepancies() == 1 ? "y" : "ies");
        });
  }
}
