package dev.ordo.broker.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.time.ReplayClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The paper broker through its port: calls reach the venue, fills reach the listeners before a
 * match or placement answers. The venue's rules are in {@code VenueBookTest}, its journal in
 * {@link PaperVenueTest}.
 */
class PaperBrokerTest {

  static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:15:00+05:30");
  static int accounts;

  ReplayClock clock;
  PaperBroker broker;
  SessionToken token;
  List<Fill> published;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() throws Exception {
    clock = new ReplayClock(T0.toInstant());
    broker = PaperBroker.start(testKit.system(), AccountId.of("test" + (++accounts)),
        Map.of(TCS, new Instrument(TCS, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null)), Map.of("INR", new BigDecimal("1000000")),
        clock, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    published = new CopyOnWriteArrayList<>();
    broker.subscribeOrderUpdates((account, fill) -> {
      published.add(fill);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    token = ((BrokerResult.Ok<SessionToken>) get(broker.login(null))).value();
  }

  static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Bar bar(OffsetDateTime open, String o, String h, String l, String c) {
    return new Bar(TCS, Duration.ofMinutes(5), Price.of(o), Price.of(h), Price.of(l), Price.of(c), BigDecimal.ONE, open);
  }

  OrderRequest buyStop(String id, String trigger, long quantity) {
    return new OrderRequest(ClientOrderId.of(id), TCS, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(quantity), Price.of(trigger), null,
        TimeInForce.DAY);
  }

  @Test
  void aCallWithAnUnknownTokenAnswersAuthExpired() throws Exception {
    SessionToken forged = new SessionToken("forged", "sid", Instant.EPOCH);
    BrokerResult<VenueOrderId> result = get(broker.placeOrder(forged, buyStop("C1", "3500", 10)));
    assertInstanceOf(BrokerError.AuthExpired.class, ((BrokerResult.Err<VenueOrderId>) result).error());
  }

  @Test
  void matchesAnOrderOnlyAgainstBarsOpeningAfterItsAcceptanceAndDebitsCash() throws Exception {
    clock.advanceTo(T0.plusMinutes(5).toInstant());
    assertInstanceOf(BrokerResult.Ok.class, get(broker.placeOrder(token, buyStop("C1", "3500", 10))));
    assertEquals(0, get(broker.matchBar(bar(T0, "3490", "3510", "3480", "3500"))), "the bar it was placed after does not fill it");
    assertEquals(1, get(broker.matchBar(bar(T0.plusMinutes(5), "3502", "3510", "3495", "3505"))));
    Fill fill = published.get(0);
    assertEquals(Price.of("3502"), fill.lastPx(), "max(trigger 3500, open 3502)");
    assertEquals(T0.plusMinutes(5), fill.tsEvent());
    var limits = ((BrokerResult.Ok<dev.ordo.engine.port.AccountLimits>) get(broker.limits(token))).value();
    assertEquals(0, limits.available().get("INR").compareTo(new BigDecimal("1000000").subtract(new BigDecimal("35020"))));
    var positions = ((BrokerResult.Ok<List<dev.ordo.engine.port.PositionReport>>) get(broker.positions(token))).value();
    assertEquals(0, positions.get(0).netQuantity().compareTo(BigDecimal.TEN));

    VenueOrderId id = fill.venueOrderId();
    BrokerResult<VenueOrderId> cancel = get(broker.cancelOrder(token, id));
    BrokerError.Rejected rejected = assertInstanceOf(BrokerError.Rejected.class, ((BrokerResult.Err<VenueOrderId>) cancel).error());
    assertTrue(rejected.detail().contains("not open"), rejected.detail());
    assertEquals(0, broker.tradesClosed(), "an entry closes nothing");

    Bar last = bar(T0.plusMinutes(10), "3505", "3506", "3500", "3503");
    get(broker.matchBar(last));
    get(broker.closeSession(last));
    get(broker.placeOrder(token, new OrderRequest(ClientOrderId.of("C2"), TCS, OrderSide.SELL, OrderType.MARKET, Quantity.of(10), null,
        null, TimeInForce.DAY)));
    assertEquals(1, broker.tradesClosed());
    var flat = ((BrokerResult.Ok<List<dev.ordo.engine.port.PositionReport>>) get(broker.positions(token))).value();
    assertEquals(0, flat.get(0).netQuantity().signum());
    var cash = ((BrokerResult.Ok<dev.ordo.engine.port.AccountLimits>) get(broker.limits(token))).value().available().get("INR");
    assertEquals(0, cash.compareTo(new BigDecimal("1000000").subtract(new BigDecimal("35020")).add(new BigDecimal("35030"))));
  }

  @Test
  void aMatchAlreadyDoneIsNotMatchedAgainButItsFillsAreDeliveredAgain() throws Exception {
    get(broker.placeOrder(token, buyStop("C1", "3500", 10)));
    Bar b = bar(T0, "3502", "3510", "3495", "3505");
    assertEquals(1, get(broker.matchBar(b)));
    assertEquals(1, get(broker.matchBar(b)));
    assertEquals(2, published.size());
    assertEquals(published.get(0).tradeId(), published.get(1).tradeId(), "same trade id: applied once downstream");
    var trades = ((BrokerResult.Ok<List<Fill>>) get(broker.trades(token))).value();
    assertEquals(1, trades.size());
  }

  @Test
  void refusesABuyBeyondTheCash() throws Exception {
    BrokerResult<VenueOrderId> result = get(broker.placeOrder(token, buyStop("C1", "3500", 1000)));
    BrokerError.Rejected rejected = assertInstanceOf(BrokerError.Rejected.class, ((BrokerResult.Err<VenueOrderId>) result).error());
    assertTrue(rejected.detail().contains("insufficient funds"), rejected.detail());
    var book = ((BrokerResult.Ok<List<dev.ordo.engine.port.OrderReport>>) get(broker.orderBook(token))).value();
    assertEquals(1, book.size(), "a rejected order stays in the order book");
  }

  @Test
  void aMarketOrderAfterTheCloseFillsAtTheClosingPriceStampedWithTheLastBar() throws Exception {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3498.35");
    get(broker.matchBar(last));
    get(broker.closeSession(last));
    OrderRequest sell = new OrderRequest(ClientOrderId.of("C9"), TCS, OrderSide.SELL, OrderType.MARKET, Quantity.of(5), null, null,
        TimeInForce.DAY);
    assertInstanceOf(BrokerResult.Ok.class, get(broker.placeOrder(token, sell)));
    assertEquals(1, published.size(), "filled before the placement was answered");
    assertEquals(Price.of("3498.35"), published.get(0).lastPx());
    assertEquals(last.tsOpen(), published.get(0).tsEvent());
  }

  @Test
  void aPlacementOrCancelSentAgainAfterARestartGetsTheFirstAnswerAndChangesNothing() throws Exception {
    VenueOrderId first = ((BrokerResult.Ok<VenueOrderId>) get(broker.placeOrder(token, buyStop("C1", "3500", 10)))).value();
    assertEquals(BrokerResult.ok(first), get(broker.placeOrder(token, buyStop("C1", "3500", 10))), "the same order, not a second one");
    BrokerResult<VenueOrderId> refused = get(broker.placeOrder(token, buyStop("C2", "3500", 1000)));
    assertEquals(refused, get(broker.placeOrder(token, buyStop("C2", "3500", 1000))), "the same refusal");
    var book = ((BrokerResult.Ok<List<dev.ordo.engine.port.OrderReport>>) get(broker.orderBook(token))).value();
    assertEquals(2, book.size(), "C1 and C2 once each: " + book);

    assertEquals(BrokerResult.ok(first), get(broker.cancelOrder(token, first)));
    assertEquals(BrokerResult.ok(first), get(broker.cancelOrder(token, first)), "a cancel of a canceled order: canceled");
    assertEquals(0, get(broker.matchBar(bar(T0.plusMinutes(5), "3502", "3510", "3495", "3505"))), "and it stays canceled");
  }

  @Test
  void theEndOfTheTradingDayExpiresItsDayOrdersWhichThenNeitherFillNorCancel() throws Exception {
    VenueOrderId id = ((BrokerResult.Ok<VenueOrderId>) get(broker.placeOrder(token, buyStop("C1", "3500", 10)))).value();
    Instant evening = T0.withHour(18).toInstant();
    clock.advanceTo(evening);
    assertEquals(List.of(ClientOrderId.of("C1")), get(broker.expireDayOrders(evening)));
    assertEquals(List.of(), get(broker.expireDayOrders(evening)), "expired once");
    var book = ((BrokerResult.Ok<List<dev.ordo.engine.port.OrderReport>>) get(broker.orderBook(token))).value();
    assertEquals(dev.ordo.engine.model.OrderStatus.EXPIRED, book.get(0).status());
    assertEquals(0, get(broker.matchBar(bar(T0.plusDays(1), "3502", "3510", "3495", "3505"))), "the next day's bar crosses it: no fill");
    assertEquals(List.of(), published);
    BrokerError.Rejected refused = assertInstanceOf(BrokerError.Rejected.class,
        ((BrokerResult.Err<VenueOrderId>) get(broker.cancelOrder(token, id))).error());
    assertEquals("order " + id + " is not open: EXPIRED", refused.detail());
    var cash = ((BrokerResult.Ok<dev.ordo.engine.port.AccountLimits>) get(broker.limits(token))).value().available().get("INR");
    assertEquals(0, cash.compareTo(new BigDecimal("1000000")), "its reservation released");
  }

  @Test
  void theMarketPrimedAfterARestartDecidesAMarketOrderAsBeforeTheRestart() throws Exception {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3498.35");
    OrderRequest sell = new OrderRequest(ClientOrderId.of("C9"), TCS, OrderSide.SELL, OrderType.MARKET, Quantity.of(5), null, null,
        TimeInForce.DAY);
    get(broker.primeMarket(List.of(last), java.util.Set.of(TCS)));
    assertInstanceOf(BrokerResult.Ok.class, get(broker.placeOrder(token, sell)));
    assertEquals(1, published.size(), "the session closed before the restart: filled at its close at once");
    assertEquals(Price.of("3498.35"), published.get(0).lastPx());
  }
}
