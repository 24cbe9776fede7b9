package dev.ordo.sim;

import java.util.concurrent.atomic.AtomicLong;

/** The simulator's counters, served at {@code GET /sim/stats}. Thread-safe. */
public final class SimStats {

  final AtomicLong logins = new AtomicLong();
  final AtomicLong authRejections = new AtomicLong();
  final AtomicLong tokenExpiries = new AtomicLong();
  final AtomicLong ordersPlaced = new AtomicLong();
  final AtomicLong duplicateClientOrderIds = new AtomicLong();
  final AtomicLong wsConnections = new AtomicLong();
  final AtomicLong subscriptions = new AtomicLong();
  final AtomicLong fills = new AtomicLong();
  final AtomicLong injectedErrors = new AtomicLong();
  final AtomicLong ambiguousAnswers = new AtomicLong();
  final AtomicLong wsDrops = new AtomicLong();
  final AtomicLong wsStalls = new AtomicLong();
  final AtomicLong wrongTotps = new AtomicLong();
  final AtomicLong lockedOutLogins = new AtomicLong();

  /**
   * A snapshot of the counters.
   *
   * @param tokenExpiries           tokens that reached their time to live
   * @param duplicateClientOrderIds orders whose tag repeats an earlier order's
   * @param subscriptions           scrips subscribed over all market-data sockets
   * @param wrongTotps              login attempts with a wrong TOTP (for the right user)
   * @param lockedOutLogins         login attempts refused because the user was locked out (the locking attempt included)
   */
  public record Snapshot(long logins, long authRejections, long tokenExpiries, long ordersPlaced, long duplicateClientOrderIds,
      long wsConnections, long subscriptions, long fills, long injectedErrors, long ambiguousAnswers, long wsDrops, long wsStalls,
      long wrongTotps, long lockedOutLogins) {}

  public Snapshot snapshot() {
    return new Snapshot(logins.get(), authRejections.get(), tokenExpiries.get(), ordersPlaced.get(), duplicateClientOrderIds.get(),
        wsConnections.get(), subscriptions.get(), fills.get(), injectedErrors.get(), ambiguousAnswers.get(), wsDrops.get(), wsStalls.get(),
        wrongTotps.get(), lockedOutLogins.get());
  }
}
