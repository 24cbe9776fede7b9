package dev.ordo.app.api;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /status}: the engine, its accounts and instruments, the replay, the market-data and
 * order feeds and the broker session. Times that belong to no one instrument (the replay clock, the
 * login) carry the offset of the instruments' common venue zone, or UTC when they span zones.
 *
 * @param replay     the replay's progress, null in live mode
 * @param marketData the replay's bar delivery, or live the market-data stream's connection
 * @param orderFeed  the order-update connection, null for the paper replay
 * @param auth       the broker session (a token is never shown)
 * @param gateway    the account's broker gateway: its queues and calls
 * @param reconciliation the reconciler's counters, null for the paper replay (which has none)
 */
public record StatusView(State state, List<AccountId> accounts, List<InstrumentId> instruments, Replay replay, Feed marketData, Feed orderFeed,
    Auth auth, Gateway gateway, Reconciliation reconciliation) {

  /**
   * This status as a caller who sees only the accounts {@code sees} accepts: other accounts are
   * left out, and so are the replay, the feeds and the broker session when they are another
   * account's.
   */
  public StatusView visibleTo(Predicate<AccountId> sees) {
    List<AccountId> visible = accounts.stream().filter(sees).toList();
    boolean serviceVisible = auth == null || sees.test(auth.account());
    boolean marketDataVisible = marketData == null || sees.test(marketData.account());
    return new StatusView(state, visible, instruments, serviceVisible ? replay : null, marketDataVisible ? marketData : null,
        orderFeed == null || sees.test(orderFeed.account()) ? orderFeed : null, serviceVisible ? auth : null,
        gateway == null || sees.test(gateway.account()) ? gateway : null,
        reconciliation == null || sees.test(reconciliation.account()) ? reconciliation : null);
  }

  /** The engine answers only while it runs. */
  public enum State {
    RUNNING
  }

  /**
   * The replay's progress.
   *
   * @param state         READY, RUNNING, STOPPED, FINISHED or FAILED
   * @param replayTime    the replay clock: the close of the last bar delivered
   * @param barsDelivered bars handed to the symbol traders
   * @param error         why the replay failed, else null
   */
  public record Replay(ReplayDriver.State state, int stepsDone, int stepsTotal, int sessionsDone, int sessionsTotal, OffsetDateTime replayTime,
      long barsDelivered, long fills, long tradesClosed, String error) {

    /** {@code progress} with its clock in {@code zone}; null for null. */
    public static Replay of(ReplayDriver.Progress progress, ZoneId zone) {
      if (progress == null) return null;
      return new Replay(progress.state(), progress.stepsDone(), progress.stepsTotal(), progress.sessionsDone(), progress.sessionsTotal(),
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
   */
  public record Gateway(AccountId account, Map<BrokerGateway.Priority, Integer> queued, long started, long retried, long refused) {

    /** {@code status} as shown; null for null. */
    public static Gateway of(BrokerGateway.Status status) {
      if (status == null) return null;
      Map<BrokerGateway.Priority, Integer> queued = new EnumMap<>(BrokerGateway.Priority.class);
      for (BrokerGateway.Priority p : BrokerGateway.Priority.values()) queued.put(p, status.queued().getOrDefault(p, 0));
      return new Gateway(status.account(), queued, status.started(), status.retried(), status.refused());
    }
  }

  /**
   * An account's reconciliations with its broker.
   *
   * @param discrepancies differences found between the engine and the broker (each journaled), since the account's first run
   */
  public record Reconciliation(AccountId account, long discrepancies) {}
}
