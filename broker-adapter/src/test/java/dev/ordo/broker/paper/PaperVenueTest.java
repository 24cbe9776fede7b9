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
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.venue.Product;
import dev.ordo.engine.venue.VenueOrder;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paper venue's journal: each command journals what the book decided, and replaying the journal rebuilds the same book. */
class PaperVenueTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  static final AccountId ACCOUNT = AccountId.of("paper-test");
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:15:00+05:30");
  static final Map<String, BigDecimal> CASH = Map.of("INR", new BigDecimal("1000000"));

  ReplayClock clock;
  TestProbe<List<Fill>> published;
  EventSourcedBehaviorTestKit<PaperVenue.Command, PaperVenue.Event, PaperVenue.State> kit;
  SessionToken token;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new ReplayClock(T0.toInstant());
    published = testKit.createTestProbe();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        PaperVenue.create(ACCOUNT, Map.of(TCS, new Instrument(TCS, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null)), VenueRules.defaults(),
            clock, fills -> {
          published.ref().tell(fills);
          return CompletableFuture.completedFuture(Done.getInstance());
        }),
        // Events and state must come back equal from their JSON; commands are local to the JVM.
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true).withVerifyCommands(false));
    kit.clear();
    kit.<Done>runCommand(replyTo -> new PaperVenue.Open(CASH, replyTo));
    token = login();
  }

  SessionToken login() {
    BrokerResult<SessionToken> login = kit.<BrokerResult<SessionToken>>runCommand(PaperVenue.Login::new).reply();
    return ((BrokerResult.Ok<SessionToken>) login).value();
  }

  static Bar bar(OffsetDateTime open, String o, String h, String l, String c) {
    return new Bar(TCS, Duration.ofMinutes(5), Price.of(o), Price.of(h), Price.of(l), Price.of(c), BigDecimal.ONE, open);
  }

  static OrderRequest request(String id, OrderSide side, OrderType type, long quantity, String trigger) {
    return new OrderRequest(ClientOrderId.of(id), TCS, side, type, Quantity.of(quantity), trigger == null ? null : Price.of(trigger), null,
        TimeInForce.DAY);
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<PaperVenue.Command, PaperVenue.Event, PaperVenue.State, BrokerResult<VenueOrderId>> place(
      OrderRequest request) {
    return kit.runCommand(replyTo -> new PaperVenue.Place(token, request, replyTo));
  }

  static VenueOrder order(long n, OrderRequest r, Instant at, OrderStatus status, String reason, String reserved) {
    return new VenueOrder(VenueOrderId.of(Long.toString(1_000_000_000L + n)), r.clientOrderId(), TCS, r.side(), r.type(), r.quantity(),
        Quantity.ZERO, null, r.trigger(), r.limit(), status, reason, at, new BigDecimal(reserved), "INR", Product.MIS);
  }

  @Test
  void fundsTheAccountOnce() {
    kit.clear();
    var first = kit.<Done>runCommand(replyTo -> new PaperVenue.Open(CASH, replyTo));
    assertEquals(new PaperVenue.AccountFunded(ACCOUNT, CASH, T0.toInstant()), first.event());
    assertTrue(kit.<Done>runCommand(replyTo -> new PaperVenue.Open(Map.of("INR", BigDecimal.TEN), replyTo)).hasNoEvents());
    assertEquals(CASH, kit.getState().book().cash());
  }

  @Test
  void refusesAnOrderOffTheTickGridOrAboveTheFreezeQuantityAsTheVenueBookDoesAndJournalsIt() {
    record Case(OrderRequest request, String reason) {}
    List<Case> cases = List.of(
        new Case(request("C1", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3499.99"), "trigger price 3499.99 is not a multiple of the tick size 0.05"),
        new Case(request("C2", OrderSide.SELL, OrderType.STOP_MARKET, 100_001, "3500"), "quantity 100001 exceeds the freeze quantity 100000"));
    long n = 0;
    for (Case c : cases) {
      var rejected = place(c.request());
      assertEquals(new PaperVenue.OrderRejected(ACCOUNT, order(++n, c.request(), T0.toInstant(), OrderStatus.REJECTED, c.reason(), "0"),
          T0.toInstant()), rejected.event());
      assertEquals(BrokerResult.error(new BrokerError.Rejected(c.reason())), rejected.reply());
    }
    assertEquals(List.of(), kit.getState().openOrders());
  }

  @Test
  void journalsTheBooksDecisionOnAPlacementAndAnswersIt() {
    OrderRequest entry = request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500");
    var accepted = place(entry);
    assertEquals(new PaperVenue.OrderAccepted(ACCOUNT, order(1, entry, T0.toInstant(), OrderStatus.ACCEPTED, null, "35000"), T0.toInstant()),
        accepted.event());
    assertEquals(BrokerResult.ok(VenueOrderId.of("1000000001")), accepted.reply());
    assertEquals(0, kit.getState().book().cash().get("INR").compareTo(new BigDecimal("965000")), "35000 reserved");

    OrderRequest tooBig = request("C2", OrderSide.BUY, OrderType.STOP_MARKET, 1000, "3500");
    String reason = "insufficient funds: order needs 3500000 INR, available 965000";
    var rejected = place(tooBig);
    assertEquals(new PaperVenue.OrderRejected(ACCOUNT, order(2, tooBig, T0.toInstant(), OrderStatus.REJECTED, reason, "0"), T0.toInstant()),
        rejected.event());
    assertEquals(BrokerResult.error(new BrokerError.Rejected(reason)), rejected.reply());

    var forged = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Place(new SessionToken("forged", "sid", Instant.EPOCH),
        entry, replyTo));
    assertTrue(forged.hasNoEvents());
    assertInstanceOf(BrokerError.AuthExpired.class, ((BrokerResult.Err<VenueOrderId>) forged.reply()).error());
  }

  @Test
  void journalsModificationsAndCancellationsAndRefusesWhatTheBookRefuses() {
    place(request("C1", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3500"));
    VenueOrderId id = VenueOrderId.of("1000000001");
    clock.advanceTo(T0.plusMinutes(5).toInstant());
    var modified = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Modify(token, id, Price.of("3510"), null, replyTo));
    assertEquals(new PaperVenue.OrderModified(ACCOUNT, id, Price.of("3510"), null, T0.plusMinutes(5).toInstant()), modified.event());
    assertEquals(BrokerResult.ok(id), modified.reply());
    var zero = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Modify(token, id, Price.of("0"), null, replyTo));
    assertTrue(zero.hasNoEvents());
    assertEquals(BrokerResult.error(new BrokerError.Rejected("prices must be positive")), zero.reply());

    var canceled = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Cancel(token, id, replyTo));
    assertEquals(new PaperVenue.OrderCanceled(ACCOUNT, id, T0.plusMinutes(5).toInstant()), canceled.event());
    var again = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Cancel(token, id, replyTo));
    assertTrue(again.hasNoEvents(), "a cancel sent again (a restart cut the first answer) journals nothing more");
    assertEquals(BrokerResult.ok(id), again.reply(), "and is answered canceled, as the first");
    assertEquals(Price.of("3510"), kit.getState().book().order(id).orElseThrow().trigger());
  }

  @Test
  void journalsOneTradeExecutedPerFillOfAMatchAndPublishesThemBeforeAnswering() {
    clock.advanceTo(T0.plusMinutes(5).toInstant());
    place(request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500"));
    var before = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(bar(T0, "3490", "3510", "3480", "3500"), replyTo));
    assertTrue(before.hasNoEvents(), "the bar it was placed after does not fill it");
    assertEquals(BrokerResult.ok(0), before.reply());

    clock.advanceTo(T0.plusMinutes(10).toInstant());
    Bar b = bar(T0.plusMinutes(5), "3502", "3510", "3495", "3505");
    var matched = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(b, replyTo));
    Fill fill = new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), VenueOrderId.of("1000000001"), TCS, OrderSide.BUY, Quantity.of(10),
        Price.of("3502"), T0.plusMinutes(5));
    assertEquals(new PaperVenue.TradeExecuted(ACCOUNT, fill, T0.plusMinutes(10).toInstant()), matched.event());
    assertEquals(BrokerResult.ok(1), matched.reply());
    assertEquals(List.of(fill), published.receiveMessage());

    var again = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(b, replyTo));
    assertTrue(again.hasNoEvents(), "matched already: not matched again");
    assertEquals(List.of(fill), published.receiveMessage(), "but its fills are delivered again");
    assertEquals(BrokerResult.ok(1), again.reply());
  }

  @Test
  void matchesTheBarsOfAStepInOneCommandNumberingTheTradesInOrderAndAnswersOnce() {
    clock.advanceTo(T0.plusMinutes(5).toInstant());
    place(request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500"));
    place(request("C2", OrderSide.BUY, OrderType.STOP_MARKET, 5, "3508"));
    clock.advanceTo(T0.plusMinutes(15).toInstant());
    Bar first = bar(T0.plusMinutes(5), "3502", "3506", "3495", "3505");
    Bar second = bar(T0.plusMinutes(10), "3505", "3512", "3500", "3510");
    var matched = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBars(List.of(first, second), replyTo));
    Fill c1 = new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), VenueOrderId.of("1000000001"), TCS, OrderSide.BUY, Quantity.of(10),
        Price.of("3502"), T0.plusMinutes(5));
    Fill c2 = new Fill(TradeId.of("T2"), ClientOrderId.of("C2"), VenueOrderId.of("1000000002"), TCS, OrderSide.BUY, Quantity.of(5),
        Price.of("3508"), T0.plusMinutes(10));
    Instant now = T0.plusMinutes(15).toInstant();
    assertEquals(List.of(new PaperVenue.TradeExecuted(ACCOUNT, c1, now), new PaperVenue.TradeExecuted(ACCOUNT, c2, now)), matched.events());
    assertEquals(List.of(c1, c2), published.receiveMessage(), "published together before the answer");
    assertEquals(BrokerResult.ok(2), matched.reply());

    var again = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBars(List.of(first, second), replyTo));
    assertTrue(again.hasNoEvents(), "matched already: not matched again");
    assertEquals(List.of(c1, c2), published.receiveMessage(), "but their fills are delivered again");
    assertEquals(BrokerResult.ok(2), again.reply());
  }

  @Test
  void journalsTheAcceptanceAndTheFillOfAMarketOrderAfterTheClose() {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3498.35");
    kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(last, replyTo));
    kit.<Done>runCommand(replyTo -> new PaperVenue.CloseSession(last, replyTo));
    Instant now = last.tsClose().toInstant();
    clock.advanceTo(now);
    OrderRequest sell = request("C9", OrderSide.SELL, OrderType.MARKET, 5, null);
    var placed = place(sell);
    Fill fill = new Fill(TradeId.of("T1"), ClientOrderId.of("C9"), VenueOrderId.of("1000000001"), TCS, OrderSide.SELL, Quantity.of(5),
        Price.of("3498.35"), last.tsOpen());
    assertEquals(List.of(new PaperVenue.OrderAccepted(ACCOUNT, order(1, sell, now, OrderStatus.ACCEPTED, null, "0"), now),
        new PaperVenue.TradeExecuted(ACCOUNT, fill, now)), placed.events());
    assertEquals(List.of(fill), published.receiveMessage(), "published before the placement is answered");
    assertEquals(BrokerResult.ok(VenueOrderId.of("1000000001")), placed.reply());
  }

  @Test
  void theEndOfTheTradingDayExpiresEveryWorkingDayOrderAndOnlyThoseAndTheyStayExpiredAfterARestart() {
    OrderRequest dayBuy = request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3600");
    OrderRequest gtcSell = new OrderRequest(ClientOrderId.of("C2"), TCS, OrderSide.SELL, OrderType.LIMIT, Quantity.of(5), null,
        Price.of("3900"), TimeInForce.GTC);
    OrderRequest daySell = new OrderRequest(ClientOrderId.of("C3"), TCS, OrderSide.SELL, OrderType.LIMIT, Quantity.of(5), null,
        Price.of("3800"), TimeInForce.DAY);
    OrderRequest filled = request("C4", OrderSide.BUY, OrderType.STOP_MARKET, 1, "3500");
    place(dayBuy);
    place(gtcSell);
    place(daySell);
    place(filled);
    kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(bar(T0, "3502", "3510", "3495", "3505"), replyTo));
    published.receiveMessage();
    assertEquals(0, kit.getState().book().cash().get("INR").compareTo(new BigDecimal("1000000").subtract(new BigDecimal("36000"))
        .subtract(new BigDecimal("3502"))), "C1 holds 10 x 3600; C4 paid 3502");

    Instant evening = T0.withHour(18).withMinute(0).toInstant();
    clock.advanceTo(evening);
    var expired = kit.<List<ClientOrderId>>runCommand(replyTo -> new PaperVenue.ExpireDayOrders(evening, replyTo));
    assertEquals(List.of(new PaperVenue.OrderExpired(ACCOUNT, VenueOrderId.of("1000000001"), evening),
        new PaperVenue.OrderExpired(ACCOUNT, VenueOrderId.of("1000000003"), evening)), expired.events(), "the working DAY orders, in order");
    assertEquals(List.of(ClientOrderId.of("C1"), ClientOrderId.of("C3")), expired.reply());
    PaperVenue.State after = kit.getState();
    assertEquals(OrderStatus.EXPIRED, after.book().order(ClientOrderId.of("C1")).orElseThrow().status());
    assertEquals(OrderStatus.EXPIRED, after.book().order(ClientOrderId.of("C3")).orElseThrow().status());
    assertEquals(OrderStatus.FILLED, after.book().order(ClientOrderId.of("C4")).orElseThrow().status(), "a filled order is not touched");
    assertEquals(List.of(ClientOrderId.of("C2")), after.openOrders().stream().map(VenueOrder::clientOrderId).toList(), "the GTC order works on");
    assertEquals(0, after.book().cash().get("INR").compareTo(new BigDecimal("1000000").subtract(new BigDecimal("3502"))),
        "C1's reservation released");
    assertEquals(OrderStatus.EXPIRED, after.book().orderBook().stream().filter(r -> r.clientOrderId().equals(ClientOrderId.of("C3")))
        .findFirst().orElseThrow().status(), "the order book says EXPIRED");

    var again = kit.<List<ClientOrderId>>runCommand(replyTo -> new PaperVenue.ExpireDayOrders(evening, replyTo));
    assertTrue(again.hasNoEvents(), "nothing left to expire");
    assertEquals(List.of(), again.reply());
    var cancel = kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Cancel(token, VenueOrderId.of("1000000003"), replyTo));
    assertEquals(BrokerResult.error(new BrokerError.Rejected("order 1000000003 is not open: EXPIRED")), cancel.reply());

    assertEquals(after, kit.restart().state(), "expired after a restart too");
    clock.advanceTo(T0.plusDays(1).toInstant());
    var nextDay = kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(bar(T0.plusDays(1), "3850", "3950", "3650", "3900"),
        replyTo));
    assertEquals(BrokerResult.ok(1), nextDay.reply(), "only the GTC sell fills; the expired buy and sell, crossed by the bar, do not");
    assertEquals(ClientOrderId.of("C2"), ((PaperVenue.TradeExecuted) nextDay.event()).fill().clientOrderId());
  }

  @Test
  void anOrderJournaledBeforeTheTimeInForceWasKeptIsADayOrder() throws Exception {
    var mapper = org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(testKit.system())
        .getOrCreate("jackson-json", java.util.Optional.empty());
    VenueOrder current = order(1, request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500"), T0.toInstant(), OrderStatus.ACCEPTED,
        null, "35000");
    com.fasterxml.jackson.databind.node.ObjectNode json = mapper.valueToTree(current);
    assertEquals("DAY", json.get("timeInForce").asText());
    json.remove("timeInForce");
    VenueOrder old = mapper.treeToValue(json, VenueOrder.class);
    assertEquals(TimeInForce.DAY, old.timeInForce());
    assertEquals(current.clientOrderId(), old.clientOrderId());
  }

  @Test
  void recoversTheSameBookFromItsJournal() {
    place(request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500"));
    place(request("C2", OrderSide.BUY, OrderType.STOP_MARKET, 1000, "3500"));
    place(request("C3", OrderSide.BUY, OrderType.STOP_MARKET, 5, "3600"));
    kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Cancel(token, VenueOrderId.of("1000000003"), replyTo));
    kit.<BrokerResult<Integer>>runCommand(replyTo -> new PaperVenue.MatchBar(bar(T0, "3502", "3510", "3495", "3505"), replyTo));
    place(request("C4", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3490"));
    kit.<BrokerResult<VenueOrderId>>runCommand(replyTo -> new PaperVenue.Modify(token, VenueOrderId.of("1000000004"), Price.of("3495"), null,
        replyTo));
    PaperVenue.State before = kit.getState();
    assertEquals(4, before.orderSequence());
    assertEquals(1, before.trades().size());
    assertEquals(List.of(VenueOrderId.of("1000000004")), before.openOrders().stream().map(VenueOrder::venueOrderId).toList());
    assertEquals(0, before.cash().get("INR").compareTo(new BigDecimal("964980")), "1000000 - 35020 paid");
    assertEquals(before, kit.restart().state());
  }
}
