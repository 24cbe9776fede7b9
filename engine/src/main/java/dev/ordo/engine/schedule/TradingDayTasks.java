package dev.ordo.engine.schedule;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.FailedOrderRetention;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
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
  public static final String MARKET_OPEN_EXITS = "market-open-exits";
  public static final String SCAN = "scan";

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
   * {@code market-open-exits}: at the open, first a reconciliation (when the account has a reconciler),
   * so a sale that completed at the broker while the engine did not know (a take-profit filled while
   * disconnected) closes its transaction with that sale's fill; then every expert of the account closes
   * its OPENED transactions held overnight with an exit plan ({@link dev.ordo.engine.expert.Expert.ExitOvernight}):
   * working orders canceled, what they hold sold at market. A position sold already is never sold again.
   * Tried 3 times, 10 s apart.
   *
   * @param reconciler the account's reconciler, or null
   * @param experts    the ids of the account's experts, read at each run
   * @param zone       the venue's zone: "overnight" is a transaction opened on an earlier day there
   * @param at         time of day in the venue's zone (NSE: 09:15, the open)
   */
  public static DayTask marketOpenExits(ActorRef<Reconciler.Command> reconciler, Supplier<java.util.concurrent.CompletionStage<List<String>>> experts,
      ClusterSharding sharding, Scheduler scheduler, java.time.ZoneId zone, LocalTime at, Duration timeout) {
    return new DayTask(MARKET_OPEN_EXITS, at, new DayTask.RetryPolicy(3, Duration.ofSeconds(10)), (now, day) -> experts.get().thenCompose(ids -> {
      // An account without experts holds nothing overnight with an exit plan: no reconciliation (it would deliver the whole trade book again)
      if (ids.isEmpty()) return CompletableFuture.completedFuture("no experts: no position held overnight to sell");
      java.util.concurrent.CompletionStage<String> reconciled = reconciler == null ? CompletableFuture.completedFuture("no reconciler")
          : AskPattern.<Reconciler.Command, Reconciler.Report>ask(reconciler, replyTo -> new Reconciler.Reconcile("market-open exits", replyTo),
              timeout, scheduler).thenApply(report -> {
                if (report.failure() != null) throw new IllegalStateException("reconciliation before the exits failed: " + report.failure());
                return "reconciled (" + report.fillsDelivered() + " fill(s) of the trade book delivered, each applied once; "
                    + report.discrepancies() + " discrepanc" + (report.discrepancies() == 1 ? "y" : "ies") + ")";
              });
      return reconciled.thenCompose(first -> {
        List<CompletableFuture<dev.ordo.engine.expert.Expert.OvernightExits>> asks = new ArrayList<>();
        for (String id : ids)
          asks.add(sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, id)
              .<dev.ordo.engine.expert.Expert.OvernightExits>ask(replyTo -> new dev.ordo.engine.expert.Expert.ExitOvernight(day, zone, replyTo),
                  timeout).toCompletableFuture());
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
          List<String> closing = new ArrayList<>();
          for (var ask : asks) closing.addAll(ask.join().closing());
          return first + "; " + (closing.isEmpty() ? "no position held overnight to sell (" + ids.size() + " expert(s))"
              : closing.size() + " transaction(s) held overnight sent to sell: " + String.join(", ", closing));
        });
      });
    }));
  }

  /**
   * {@code eod-cleanup}: the end of the account's trading day. First, on a simulated venue, its working
   * DAY orders expire ({@code expireDayOrders}, as NSE expires them at the session's end; a live broker
   * does it itself); when at least one expired, a reconciliation follows so their owners (symbol traders,
   * experts) learn it from the order book (not every day: a run delivers the whole trade book again).
   * Then the records of failed orders are removed from every symbol trader of the account by the rule of
   * {@link FailedOrderRetention} (placed today: kept; yesterday: kept until the open; older or without a
   * time: removed), each removal journaled by its trader. The outcome says how many orders expired.
   * Tried 3 times, 10 s apart; a try after the orders expired finds none left to expire and does not
   * reconcile (the next reconciliation resolves them).
   *
   * @param instruments         the account's instruments, read at each run
   * @param expireDayOrders     expires the venue's working DAY orders at the given instant, completing with
   *                            the ClientOrderIds expired; null when the broker expires them itself
   * @param reconciler          the account's reconciler (null: none, nothing reconciled)
   * @param at                  time of day in the venue's zone (18:00)
   * @param yesterdaysKeptUntil the open (NSE: 09:15), until which yesterday's failed orders are kept
   * @param timeout             how long one trader, or the reconciliation, may take to answer
   */
  public static DayTask eodCleanup(AccountId account, Supplier<Set<InstrumentId>> instruments,
      Function<Instant, CompletionStage<List<ClientOrderId>>> expireDayOrders, ActorRef<Reconciler.Command> reconciler,
      ClusterSharding sharding, Scheduler scheduler, LocalTime at, LocalTime yesterdaysKeptUntil, Duration timeout) {
    return new DayTask(EOD_CLEANUP, at, new DayTask.RetryPolicy(3, Duration.ofSeconds(10)), (now, day) ->
        expireDayOrders(expireDayOrders, reconciler, scheduler, now, timeout).thenCompose(expired ->
            removeFailedOrders(account, instruments, sharding, now, yesterdaysKeptUntil, timeout).thenApply(removed ->
                expired.isEmpty() ? removed : expired + "; " + removed)));
  }

  /**
   * Expires the venue's DAY orders at {@code now}, then reconciles when some expired; completes with what
   * it did ("" when the broker expires them itself).
   */
  private static CompletionStage<String> expireDayOrders(Function<Instant, CompletionStage<List<ClientOrderId>>> expireDayOrders,
      ActorRef<Reconciler.Command> reconciler, Scheduler scheduler, Instant now, Duration timeout) {
    if (expireDayOrders == null) return CompletableFuture.completedFuture("");
    return expireDayOrders.apply(now).thenCompose(expired -> {
      if (expired.isEmpty()) return CompletableFuture.completedFuture("0 DAY orders expired");
      String what = expired.size() + " DAY order(s) expired (" + expired.stream().map(ClientOrderId::value).collect(Collectors.joining(", "))
          + ")";
      if (reconciler == null) return CompletableFuture.completedFuture(what);
      return AskPattern.<Reconciler.Command, Reconciler.Report>ask(reconciler, replyTo -> new Reconciler.Reconcile("eod-cleanup expiry", replyTo),
          timeout, scheduler).thenApply(report -> {
            if (report.failure() != null) throw new IllegalStateException(what + ", reconciliation failed: " + report.failure());
            return what + ", reconciled (" + report.ordersResolved() + " order(s) resolved)";
          });
    });
  }

  /** The failed-order cleanup of every symbol trader of {@code account}; completes with what it removed. */
  private static CompletionStage<String> removeFailedOrders(AccountId account, Supplier<Set<InstrumentId>> instruments,
      ClusterSharding sharding, Instant now, LocalTime yesterdaysKeptUntil, Duration timeout) {
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
  }

  /**
   * {@code scan}: one run of the account's {@link dev.ordo.engine.scanner.Scanner} for the task's trading day
   * (daily bars of the days before it, breakouts sent to its expert as BUY recommendations). Its outcome is the
   * scan's one-line summary (instruments read, cached, failed, stale; each breakout and what the expert made of
   * it). Fails when every read failed or the expert did not answer; tried twice, 30 s apart.
   *
   * @param at      time of day in the venue's zone (after the open: the expert's entry is a market order)
   * @param timeout how long the whole scan may take
   */
  public static DayTask scan(ActorRef<dev.ordo.engine.scanner.Scanner.Command> scanner, Scheduler scheduler, LocalTime at, Duration timeout) {
    return new DayTask(SCAN, at, new DayTask.RetryPolicy(2, Duration.ofSeconds(30)), (now, day) ->
        AskPattern.<dev.ordo.engine.scanner.Scanner.Command, dev.ordo.engine.scanner.Scanner.Report>ask(scanner,
            replyTo -> new dev.ordo.engine.scanner.Scanner.Scan(day, replyTo), timeout, scheduler).thenApply(report -> {
              if (report.failure() != null) throw new IllegalStateException("scan failed: " + report.failure());
              return report.summary();
            }));
  }
}
