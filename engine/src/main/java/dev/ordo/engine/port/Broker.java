package dev.ordo.engine.port;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The broker port: one account's trading API, asynchronous, with errors as typed
 * {@link BrokerResult}s. Every call but {@link #login} takes the session token from
 * {@code AuthSession}; an expired token answers {@link BrokerError.AuthExpired}. Implementations:
 * the embedded paper broker and the networked Kotak-Neo-shaped adapter. Broker wire types stay
 * in the adapter.
 */
public interface Broker {

  /** Logs in (Kotak Neo: TOTP then MPIN) and returns a new session token. */
  CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials);

  /** Places a new order; answers the broker's order id. */
  CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request);

  /**
   * Changes the trigger and/or limit price of a working order (null keeps the current one).
   * Answers {@link BrokerError.Rejected} when the order is not open.
   */
  CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit);

  /** Cancels a working order; {@link BrokerError.Rejected} when it is not open. */
  CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order);

  /** The day's order book, including closed orders. */
  CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token);

  /** The trade book: every fill of the account. */
  CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token);

  /** Positions by instrument. */
  CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token);

  /** Cash limits. */
  CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token);

  /**
   * The last {@code count} (or fewer) completed daily bars of {@code instrument} whose day (in the
   * exchange's time) is before {@code before}, oldest first: a scanner's input. The paper broker serves
   * them from a folder of daily bar files, never a day of its clock's today or later. The Kotak Neo API
   * has no daily history (its quotes give today's OHLC only; {@code ../shared/specs/kotak-neo-api.md}),
   * so by default this answers {@link BrokerError.Rejected}.
   */
  default CompletionStage<BrokerResult<List<Bar>>> dailyBars(SessionToken token, InstrumentId instrument, LocalDate before, int count) {
    return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.Rejected(
        "this broker serves no daily bars (Kotak Neo's API has no daily history)")));
  }

  /** Registers the receiver of pushed fills. */
  void subscribeOrderUpdates(OrderUpdateListener listener);
}
