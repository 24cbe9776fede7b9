package dev.ordo.app.metrics;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link Broker} that times every call of the broker it wraps into the histogram
 * {@code ordo_broker_call_seconds{account, call, outcome}}: {@code call} is {@code login},
 * {@code place_order}, {@code modify_order}, {@code cancel_order}, {@code order_book}, {@code trades},
 * {@code positions} or {@code limits}; {@code outcome} is {@code ok}, or the error's kind
 * ({@code auth_expired}, {@code rejected}, {@code rate_limited}, {@code unavailable}, {@code timeout},
 * {@code failed} for an exception). The time is from the call to its answer, as the gateway sees it.
 */
public final class MeteredBroker implements Broker {

  private final Broker broker;
  private final MeterRegistry registry;
  private final String account;

  public MeteredBroker(Broker broker, MeterRegistry registry, AccountId account) {
    this.broker = broker;
    this.registry = registry;
    this.account = account.value();
  }

  @Override
  public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
    return timed("login", () -> broker.login(credentials));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
    return timed("place_order", () -> broker.placeOrder(token, request));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
    return timed("modify_order", () -> broker.modifyOrder(token, order, trigger, limit));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
    return timed("cancel_order", () -> broker.cancelOrder(token, order));
  }

  @Override
  public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
    return timed("order_book", () -> broker.orderBook(token));
  }

  @Override
  public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
    return timed("trades", () -> broker.trades(token));
  }

  @Override
  public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
    return timed("positions", () -> broker.positions(token));
  }

  @Override
  public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
    return timed("limits", () -> broker.limits(token));
  }

  @Override
  public CompletionStage<BrokerResult<List<dev.ordo.engine.model.Bar>>> dailyBars(SessionToken token, dev.ordo.engine.model.InstrumentId instrument,
      java.time.LocalDate before, int count) {
    return timed("daily_bars", () -> broker.dailyBars(token, instrument, before, count));
  }

  @Override
  public void subscribeOrderUpdates(OrderUpdateListener listener) {
    broker.subscribeOrderUpdates(listener);
  }

  @Override
  public String toString() {
    return broker.toString();
  }

  private <T> CompletionStage<BrokerResult<T>> timed(String call, Supplier<CompletionStage<BrokerResult<T>>> send) {
    long start = System.nanoTime();
    return send.get().whenComplete((result, failure) -> Timer.builder("ordo.broker.call")
        .description("broker calls from the call to its answer, by call and outcome")
        .tags("account", account, "call", call, "outcome", outcome(result, failure))
        .publishPercentileHistogram()
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private static String outcome(BrokerResult<?> result, Throwable failure) {
    if (failure != null || result == null) return "failed";
    if (result instanceof BrokerResult.Err<?> err)
      return err.error().getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    return "ok";
  }
}
