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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Broker} that times the logins of the broker it wraps into {@code ordo_broker_call_seconds{call="login",
 * priority="NONE"}} ({@link BrokerCallMetrics}): the broker session logs in directly, outside the gateway's queue. The other
 * calls pass the gateway, which times them with their priority ({@link BrokerCallMetrics} as its listener); here they are only
 * passed on.
 */
public final class MeteredBroker implements Broker {

  private final Broker broker;
  private final BrokerCallMetrics metrics;
  private final AccountId account;

  public MeteredBroker(Broker broker, io.micrometer.core.instrument.MeterRegistry registry, AccountId account) {
    this.broker = broker;
    this.metrics = new BrokerCallMetrics(registry);
    this.account = account;
  }

  @Override
  public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
    // a duration for monitoring, on the monotonic clock: the login's answer comes on the broker's thread, not an actor's
    long start = System.nanoTime();
    return broker.login(credentials).whenComplete((result, failure) -> metrics.record(account, "login", BrokerCallMetrics.NO_PRIORITY,
        failure != null || result == null ? "failed" : result instanceof BrokerResult.Err<?> err ? BrokerCallMetrics.kind(err.error()) : "ok",
        Duration.ofNanos(System.nanoTime() - start)));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
    return broker.placeOrder(token, request);
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
    return broker.modifyOrder(token, order, trigger, limit);
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
    return broker.cancelOrder(token, order);
  }

  @Override
  public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
    return broker.orderBook(token);
  }

  @Override
  public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
    return broker.trades(token);
  }

  @Override
  public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
    return broker.positions(token);
  }

  @Override
  public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
    return broker.limits(token);
  }

  @Override
  public CompletionStage<BrokerResult<List<dev.ordo.engine.model.Bar>>> dailyBars(SessionToken token, dev.ordo.engine.model.InstrumentId instrument,
      java.time.LocalDate before, int count) {
    return broker.dailyBars(token, instrument, before, count);
  }

  @Override
  public void subscribeOrderUpdates(OrderUpdateListener listener) {
    broker.subscribeOrderUpdates(listener);
  }

  @Override
  public String toString() {
    return broker.toString();
  }
}
