package dev.ordo.engine.broker;

import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker for actor tests: counts logins, expires tokens on demand, records the order in which calls ran. */
public final class FakeBroker implements Broker {

  final AtomicInteger logins = new AtomicInteger();
  final AtomicInteger loginAttempts = new AtomicInteger();
  final AtomicInteger authRejections = new AtomicInteger();
  final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile String validToken;
  /** Logins fail while this is positive (decremented by each attempt). */
  final AtomicInteger failingLogins = new AtomicInteger();
  /** When set, logins hang until it completes. */
  volatile CompletableFuture<Void> loginGate;
  /** When set, calls are answered only once it completes (the token is checked then). */
  volatile CompletableFuture<Void> callGate;
  final AtomicInteger received = new AtomicInteger();
  /** Daily bars it serves ({@link #dailyBars}), by instrument, oldest first. */
  public final Map<dev.ordo.engine.model.InstrumentId, List<dev.ordo.engine.model.Bar>> daily = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger dailyInFlight = new AtomicInteger();
  private final AtomicInteger maxDailyInFlight = new AtomicInteger();

  /** The calls answered, in the order the broker ran them (placements by ClientOrderId, daily reads as "dailyBars SYMBOL"). */
  public List<String> callLog() {
    return List.copyOf(calls);
  }

  /** The most daily-bar reads that were in flight at once. */
  public int maxDailyInFlight() {
    return maxDailyInFlight.get();
  }

  /** From now on, every call hangs until {@link #releaseCalls}: a broker that stopped answering. */
  public void holdCalls() {
    callGate = new CompletableFuture<>();
  }

  /** Answers the held calls and every later one at once. */
  public void releaseCalls() {
    CompletableFuture<Void> gate = callGate;
    if (gate != null) gate.complete(null);
  }

  /** Calls received so far (answered or not). */
  public int callsReceived() {
    return received.get();
  }

  /** Every token issued so far stops being valid (the broker's 900901 from now on). */
  void expireTokens() {
    validToken = null;
  }

  @Override
  public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
    loginAttempts.incrementAndGet();
    CompletableFuture<Void> gate = loginGate != null ? loginGate : CompletableFuture.completedFuture(null);
    return gate.thenApply(ignored -> {
      if (failingLogins.getAndDecrement() > 0) return BrokerResult.<SessionToken>error(new BrokerError.Unavailable("502 OMS down"));
      SessionToken token = new SessionToken("token-" + logins.incrementAndGet(), "sid", Instant.EPOCH);
      validToken = token.value();
      return BrokerResult.ok(token);
    });
  }

  private <T> CompletionStage<BrokerResult<T>> call(SessionToken token, String name, T value) {
    received.incrementAndGet();
    CompletableFuture<Void> gate = callGate != null ? callGate : CompletableFuture.completedFuture(null);
    return gate.thenApply(ignored -> {
      if (!token.value().equals(validToken)) {
        authRejections.incrementAndGet();
        return BrokerResult.<T>error(new BrokerError.AuthExpired("900901 Invalid Credentials"));
      }
      calls.add(name);
      return BrokerResult.ok(value);
    });
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
    return call(token, request.clientOrderId().value(), VenueOrderId.of("V-" + request.clientOrderId()));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
    return call(token, "modify " + order, order);
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
    return call(token, "cancel " + order, order);
  }

  @Override
  public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
    return call(token, "orderBook", List.of());
  }

  @Override
  public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
    return call(token, "trades", List.of());
  }

  @Override
  public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
    return call(token, "positions", List.of());
  }

  @Override
  public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
    return call(token, "limits", new AccountLimits(Map.of(), Map.of()));
  }

  @Override
  public CompletionStage<BrokerResult<List<dev.ordo.engine.model.Bar>>> dailyBars(SessionToken token, dev.ordo.engine.model.InstrumentId instrument,
      java.time.LocalDate before, int count) {
    if (!daily.containsKey(instrument))
      return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.Rejected("no daily bars of " + instrument)));
    maxDailyInFlight.accumulateAndGet(dailyInFlight.incrementAndGet(), Math::max);
    List<dev.ordo.engine.model.Bar> all = daily.getOrDefault(instrument, List.of()).stream()
        .filter(bar -> bar.tsOpen().toLocalDate().isBefore(before)).toList();
    return call(token, "dailyBars " + instrument.symbol(), all.subList(Math.max(0, all.size() - count), all.size()))
        .whenComplete((result, failure) -> dailyInFlight.decrementAndGet());
  }

  @Override
  public void subscribeOrderUpdates(OrderUpdateListener listener) {}

  /** A market buy of one unit of the test instrument. */
  public static OrderRequest order(String id) {
    return new OrderRequest(ClientOrderId.of(id), dev.ordo.engine.TestBars.INSTRUMENT, dev.ordo.engine.model.OrderSide.BUY,
        dev.ordo.engine.model.OrderType.MARKET, dev.ordo.engine.model.Quantity.of(1), null, null, dev.ordo.engine.model.TimeInForce.DAY);
  }
}
