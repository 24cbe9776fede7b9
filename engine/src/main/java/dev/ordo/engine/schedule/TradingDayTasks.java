package dev.ordo.engine.schedule;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.FailedOrderRetention;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The tasks of an account's trading day (see {@code docs/accounts.md}). */
public final class TradingDayTasks {

  /** Names of the tasks. */
  public static final String PRE_OPEN_LOGIN = "pre-open-login";
  public static final String RECONCILE = "reconcile";
  public static final String EOD_CLEANUP = "eod-cleanup";

  private TradingDayTasks() {}

  /**
   * {@code pre-open-login}: makes sure the account has a broker session before the open, by asking its
   * {@link AuthSession} for a token, so the login is single-flight with every other caller (a valid
   * session is kept; an expired or missing one triggers the one login). Fails with the session's reason
   * when no token can be had; tried 3 times, 30 s apart.
   *
   * @param at      time of day in the venue's zone (NSE: 08:55, twenty minutes before the open)
   * @param timeout how long to wait for the session's answer
   */
  public static DayTask preOpenLogin(ActorRef<AuthSession.Command> session, Scheduler scheduler, LocalTime at, Duration timeout) {
    return new DayTask(PRE_OPEN_LOGIN, at, new DayTask.RetryPolicy(3, Duration.ofSeconds(30)), (now, day) ->
        AskPattern.<AuthSession.Command, AuthSession.TokenReply>ask(session, AuthSession.GetToken::new, timeout, scheduler)
            .thenCompose(reply -> {
              if (reply instanceof AuthSession.Unavailable unavailable)
                throw new IllegalStateException("no broker session: " + unavailable.reason());
              return AskPattern.<AuthSession.Command, AuthSession.Status>ask(session, AuthSession.GetStatus::new, timeout, scheduler);
            })
            .thenApply(status -> "broker session ready (issued " + status.tokenIssuedAt() + ", " + status.logins() + " login(s) since start)"));
  }

  /**
   * {@code reconcile}: one run of the account's {@link Reconciler} on demand (fills of the broker's trade
   * book delivered, unknown and working orders resolved, positions compared). Run by hand only, tried
   * once; fails when the run fails.
   *
   * @param timeout how long one run may take
   */
  public static DayTask reconcile(ActorRef<Reconciler.Command> reconciler, Scheduler scheduler, Duration timeout) {
    return new DayTask(RECONCILE, null, DayTask.RetryPolicy.once(), (now, day) ->
        AskPattern.<Reconciler.Command, Reconciler.Report>ask(reconciler, replyTo -> new Reconciler.Reconcile("task", replyTo), timeout,
            scheduler).thenApply(report -> {
              if (report.failure() != null) throw new IllegalStateException("reconciliation failed: " + report.failure());
              return report.fillsDelivered() + " fill(s) delivered, " + report.ordersResolved() + " order(s) resolved, "
                  + report.discrepancies() + " discrepanc" + (report.discrepancies() == 1 ? "y" : "ies");
            }));
  }

  /**
   * {@code eod-cleanup}: removes the records of failed orders from every symbol trader of the account by
   * the rule of {@link FailedOrderRetention} (placed today: kept; yesterday: kept until the open; older or
   * without a time: removed), each removal journaled by its trader. Tried 3 times, 10 s apart.
   *
   * @param instruments         the account's instruments, read at each run
   * @param at                  time of day in the venue's zone (18:00)
   * @param yesterdaysKeptUntil the open (NSE: 09:15), until which yesterday's failed orders are kept
   * @param timeout             how long one trader may take to answer
   */
  public static DayTask eodCleanup(AccountId account, Supplier<Set<InstrumentId>> instruments, ClusterSharding sharding, LocalTime at,
      LocalTime yesterdaysKeptUntil, Duration timeout) {
    return new DayTask(EOD_CLEANUP, at, new DayTask.RetryPolicy(3, Duration.ofSeconds(10)), (now, day) -> {
      List<CompletableFuture<SymbolTrader.FailedOrdersRemoval>> asks = new ArrayList<>();
      for (InstrumentId instrument : instruments.get())
        asks.add(sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument))
            .<SymbolTrader.FailedOrdersRemoval>ask(replyTo -> new SymbolTrader.RemoveFailedOrders(now, yesterdaysKeptUntil, replyTo), timeout)
            .toCompletableFuture());
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
        List<String> removed = new ArrayList<>();
        for (CompletableFuture<SymbolTrader.FailedOrdersRemoval> ask : asks) ask.join().removed().forEach(id -> removed.add(id.value()));
        return removed.isEmpty() ? "no failed order records to remove (" + asks.size() + " traders)"
            : removed.size() + " failed order record(s) removed: " + String.join(", ", removed);
      });
    });
  }
}
