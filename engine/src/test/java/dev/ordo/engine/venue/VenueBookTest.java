package dev.ordo.engine.venue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class VenueBookTest {

  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId INFY = new InstrumentId("INFY-EQ", "NSE");
  static final InstrumentId NIFTY = new InstrumentId("NIFTY24JANFUT", "NFO");
  static final VenueMarket MARKET = VenueMarket.listing(Map.of(
      TCS, new Instrument(TCS, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null),
      INFY, new Instrument(INFY, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null),
      NIFTY, new Instrument(NIFTY, new BigDecimal("0.05"), new BigDecimal("25"), "INR", null)));
  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:15:00+05:30");
  static final LongFunction<TradeId> TRADE_IDS = n -> TradeId.of("T" + n);
  static final VenueBook FUNDED = VenueBook.empty().withDeposit(Map.of("INR", new BigDecimal("1000000")));

  static Bar bar(InstrumentId instrument, OffsetDateTime open, String o, String h, String l, String c) {
    return new Bar(instrument, Duration.ofMinutes(5), Price.of(o), Price.of(h), Price.of(l), Price.of(c), BigDecimal.ONE, open);
  }

  static Bar bar(OffsetDateTime open, String o, String h, String l, String c) {
    return bar(TCS, open, o, h, l, c);
  }

  static OrderRequest request(String clientId, InstrumentId instrument, OrderSide side, OrderType type, long quantity, String trigger,
      String limit) {
    return new OrderRequest(ClientOrderId.of(clientId), instrument, side, type, Quantity.of(quantity), trigger == null ? null : Price.of(trigger),
        limit == null ? null : Price.of(limit), TimeInForce.DAY);
  }

  static OrderRequest request(String clientId, OrderSide side, OrderType type, long quantity, String trigger, String limit) {
    return request(clientId, TCS, side, type, quantity, trigger, limit);
  }

  static VenueOrderId id(long n) {
    return VenueOrderId.of(Long.toString(1_000_000_000L + n));
  }

  /** The next order placed on {@code book} at {@code at}, decided and applied. */
  static VenueBook placed(VenueBook book, OrderRequest request, Instant at, VenueMarket market) {
    return book.withPlacement(book.place(id(book.orderSequence() + 1), request, at, market, TRADE_IDS));
  }

  static VenueOrder accepted(long n, OrderRequest r, Instant at, String reserved) {
    return new VenueOrder(id(n), r.clientOrderId(), r.instrumentId(), r.side(), r.type(), r.quantity(), Quantity.ZERO, null, r.trigger(),
        r.limit(), OrderStatus.ACCEPTED, null, at, new BigDecimal(reserved), "INR");
  }

  static void assertAmount(String expected, BigDecimal actual, String what) {
    assertEquals(0, new BigDecimal(expected).compareTo(actual), what + ": expected " + expected + ", got " + actual);
  }

  static Fill fill(String tradeId, VenueOrder order, long quantity, String price, OffsetDateTime at) {
    return new Fill(TradeId.of(tradeId), order.clientOrderId(), order.venueOrderId(), order.instrumentId(), order.side(), Quantity.of(quantity),
        Price.of(price), at);
  }

  @Test
  void rejectsEachBrokenRuleWithItsReasonKeepsTheOrderAndReservesNothing() {
    VenueMarket priced = MARKET.barMatched(bar(T0, "3500", "3505", "3495", "3500"));
    record Case(OrderRequest request, VenueMarket market, String reason) {}
    List<Case> cases = List.of(
        new Case(request("C1", new InstrumentId("NOPE-EQ", "NSE"), OrderSide.SELL, OrderType.MARKET, 5, null, null), priced,
            "unknown instrument NOPE-EQ.NSE"),
        new Case(request("C2", OrderSide.SELL, OrderType.MARKET, 0, null, null), priced, "quantity must be positive, got 0"),
        new Case(request("C3", NIFTY, OrderSide.SELL, OrderType.LIMIT, 30, null, "21500"), priced,
            "quantity 30 is not a multiple of the lot size 25"),
        new Case(request("C4", OrderSide.SELL, OrderType.STOP_MARKET, 5, null, null), priced, "STOP_MARKET order needs a positive trigger price"),
        new Case(request("C5", OrderSide.SELL, OrderType.STOP_MARKET, 5, "0", null), priced, "STOP_MARKET order needs a positive trigger price"),
        new Case(request("C6", OrderSide.BUY, OrderType.LIMIT, 5, null, null), priced, "LIMIT order needs a positive limit price"),
        new Case(request("C7", OrderSide.BUY, OrderType.STOP_LIMIT, 5, "3500", null), priced, "STOP_LIMIT order needs a positive limit price"),
        new Case(request("C8", OrderSide.BUY, OrderType.MARKET, 5, null, null), MARKET, "no price known yet for TCS-EQ.NSE"),
        new Case(request("C9", OrderSide.BUY, OrderType.STOP_MARKET, 1000, "3500", null), priced,
            "insufficient funds: order needs 3500000 INR, available 1000000"));
    for (Case c : cases) {
      VenueBook.Placement placement = FUNDED.place(id(1), c.request(), T0.toInstant(), c.market(), TRADE_IDS);
      OrderRequest r = c.request();
      String currency = r.instrumentId().symbol().equals("NOPE-EQ") ? "?" : "INR";
      VenueOrder rejected = new VenueOrder(id(1), r.clientOrderId(), r.instrumentId(), r.side(), r.type(), r.quantity(), Quantity.ZERO, null,
          r.trigger(), r.limit(), OrderStatus.REJECTED, c.reason(), T0.toInstant(), BigDecimal.ZERO, currency);
      assertEquals(new VenueBook.Placement(rejected, Optional.empty()), placement, c.reason());
      VenueBook after = FUNDED.withPlacement(placement);
      assertEquals(new VenueBook(List.of(), List.of(rejected), List.of(), FUNDED.cash(), Map.of(), 1, 0), after,
          "kept in the order book, cash untouched: " + c.reason());
    }
  }

  @Test
  void aBuyReservesQuantityTimesLastPriceLimitOrTriggerAndASellNothing() {
    VenueMarket priced = MARKET.barMatched(bar(T0, "3500", "3505", "3495", "3498"));
    Instant at = T0.plusMinutes(5).toInstant();
    OrderRequest market = request("C1", OrderSide.BUY, OrderType.MARKET, 10, null, null);
    OrderRequest limit = request("C2", OrderSide.BUY, OrderType.LIMIT, 10, null, "3490");
    OrderRequest stopLimit = request("C3", OrderSide.BUY, OrderType.STOP_LIMIT, 10, "3510", "3515");
    OrderRequest stop = request("C4", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3520", null);
    OrderRequest sell = request("C5", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3400", null);
    VenueBook book = FUNDED;
    for (OrderRequest r : List.of(market, limit, stopLimit, stop, sell)) book = placed(book, r, at, priced);
    assertEquals(List.of(accepted(1, market, at, "34980"), accepted(2, limit, at, "34900"), accepted(3, stopLimit, at, "35150"),
        accepted(4, stop, at, "35200"), accepted(5, sell, at, "0")), book.openOrders());
    assertAmount("1000000", book.cash().get("INR").add(book.reserved().get("INR")), "available plus reserved");
    assertAmount("140230", book.reserved().get("INR"), "reserved");
    assertAmount("859770", book.limits().available().get("INR"), "available");
  }

  @Test
  void theLastReservationThatFitsIsAcceptedAndTheNextRejected() {
    VenueBook book = placed(FUNDED, request("C1", OrderSide.BUY, OrderType.LIMIT, 200, null, "4000"), T0.toInstant(), MARKET);
    assertAmount("200000", book.cash().get("INR"), "800000 held");
    VenueBook.Placement exact = book.place(id(2), request("C2", OrderSide.BUY, OrderType.LIMIT, 50, null, "4000"), T0.toInstant(), MARKET,
        TRADE_IDS);
    assertTrue(exact.accepted(), "needs exactly what is available");
    VenueBook.Placement over = book.withPlacement(exact).place(id(3), request("C3", OrderSide.BUY, OrderType.LIMIT, 1, null, "0.05"),
        T0.toInstant(), MARKET, TRADE_IDS);
    assertEquals("insufficient funds: order needs 0.05 INR, available 0", over.order().rejectReason());
  }

  @Test
  void cancelReleasesTheReservationAndRefusesWhatIsNotOpen() {
    OrderRequest stop = request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500", null);
    VenueBook book = placed(FUNDED, stop, T0.toInstant(), MARKET);
    assertAmount("965000", book.cash().get("INR"), "35000 held");
    assertEquals(Optional.of("unknown order 999"), book.cancelRefusal(VenueOrderId.of("999")));
    assertEquals(Optional.empty(), book.cancelRefusal(id(1)));

    VenueBook canceled = book.withCanceled(id(1));
    VenueOrder closed = new VenueOrder(id(1), stop.clientOrderId(), TCS, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(10), Quantity.ZERO,
        null, Price.of("3500"), null, OrderStatus.CANCELED, null, T0.toInstant(), BigDecimal.ZERO, "INR");
    assertEquals(new VenueBook(List.of(), List.of(closed), List.of(), Map.of("INR", new BigDecimal("1000000")), Map.of(), 1, 0), canceled);
    assertEquals(Map.of(), canceled.reserved());
    assertEquals(Optional.of("order 1000000001 is not open: CANCELED"), canceled.cancelRefusal(id(1)));
    assertEquals(Optional.of("order 1000000001 is not open: CANCELED"), canceled.modifyRefusal(id(1), Price.of("3400"), null, null, MARKET));
    assertThrows(IllegalArgumentException.class, () -> canceled.withCanceled(id(1)));
  }

  @Test
  void modifyChangesPricesScalesABuysReservationWithItsQuantityAndRefusesBrokenValues() {
    OrderRequest limit = request("C1", NIFTY, OrderSide.BUY, OrderType.LIMIT, 50, null, "1000");
    VenueBook book = placed(FUNDED, limit, T0.toInstant(), MARKET);
    assertEquals(Optional.of("unknown order 999"), book.modifyRefusal(VenueOrderId.of("999"), null, Price.of("990"), null, MARKET));
    assertEquals(Optional.of("prices must be positive"), book.modifyRefusal(id(1), null, Price.of("0"), null, MARKET));
    assertEquals(Optional.of("prices must be positive"), book.modifyRefusal(id(1), Price.of("-1"), null, null, MARKET));
    assertEquals(Optional.of("quantity must be positive, got 0"), book.modifyRefusal(id(1), null, null, Quantity.ZERO, MARKET));
    assertEquals(Optional.of("quantity 60 is not a multiple of the lot size 25"), book.modifyRefusal(id(1), null, null, Quantity.of(60), MARKET));
    assertEquals(Optional.empty(), book.modifyRefusal(id(1), null, null, Quantity.of(1000), MARKET), "950000 more: exactly what is left");
    assertEquals(Optional.of("insufficient funds: order needs 975000 INR, available 950000"),
        book.modifyRefusal(id(1), null, null, Quantity.of(1025), MARKET));
    assertEquals(Optional.empty(), book.modifyRefusal(id(1), null, Price.of("990"), Quantity.of(75), MARKET));

    VenueBook modified = book.withModified(id(1), null, Price.of("990"), Quantity.of(75));
    VenueOrder order = modified.order(id(1)).orElseThrow();
    assertEquals(Price.of("990"), order.limit());
    assertEquals(Quantity.of(75), order.quantity());
    assertAmount("75000", order.reservedCash(), "the reservation scales with the quantity, not the new price");
    assertAmount("925000", modified.cash().get("INR"), "25000 more held");

    VenueBook partly = modified.withFill(fill("T1", order, 25, "985", T0.plusMinutes(5)));
    assertEquals(Optional.of("quantity 25 must exceed the filled quantity 25"), partly.modifyRefusal(id(1), null, null, Quantity.of(25), MARKET));
    VenueBook smaller = partly.withModified(id(1), null, null, Quantity.of(50));
    assertAmount("25000", smaller.order(id(1)).orElseThrow().reservedCash(), "25 left to fill hold half of 50000");
    assertAmount("950375", smaller.cash().get("INR"), "1000000 - 24625 paid - 25000 held");
  }

  @Test
  void aFillReleasesTheReservationPaysTheNotionalAndBooksThePositionExactly() {
    OrderRequest entry = request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3500", null);
    VenueBook book = placed(FUNDED, entry, T0.toInstant(), MARKET);
    Bar b1 = bar(T0, "3502", "3510", "3495", "3505");
    List<Fill> fills = book.match(b1, TRADE_IDS);
    assertEquals(List.of(new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.BUY, Quantity.of(10), Price.of("3502"), T0)),
        fills, "max(trigger 3500, open 3502)");
    VenueBook bought = book.withFills(fills);
    VenueOrder filled = new VenueOrder(id(1), ClientOrderId.of("C1"), TCS, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(10),
        Quantity.of(10), Price.of("3502"), Price.of("3500"), null, OrderStatus.FILLED, null, T0.toInstant(), BigDecimal.ZERO, "INR");
    assertEquals(new VenueBook(List.of(), List.of(filled), fills, Map.of("INR", new BigDecimal("964980")),
        Map.of(TCS, new PositionReport(TCS, new BigDecimal("10"), BigDecimal.ZERO, new BigDecimal("35020"), BigDecimal.ZERO, new BigDecimal("10"))),
        1, 1), bought, "35000 released, 35020 paid");

    OrderRequest exit = request("C2", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3490", null);
    VenueBook stopped = placed(bought, exit, T0.plusMinutes(5).toInstant(), MARKET);
    Bar b2 = bar(T0.plusMinutes(5), "3495", "3497", "3480", "3485");
    VenueBook sold = stopped.withFills(stopped.match(b2, TRADE_IDS));
    assertEquals(List.of(new Fill(TradeId.of("T2"), ClientOrderId.of("C2"), id(2), TCS, OrderSide.SELL, Quantity.of(10), Price.of("3490"),
        T0.plusMinutes(5))), sold.trades().subList(1, 2), "min(stop 3490, open 3495)");
    assertAmount("999880", sold.cash().get("INR"), "964980 + 34900 received");
    assertEquals(List.of(new PositionReport(TCS, new BigDecimal("10"), new BigDecimal("10"), new BigDecimal("35020"), new BigDecimal("34900"),
        BigDecimal.ZERO)), sold.positionReports());
    assertEquals(2, sold.tradeSequence());
  }

  @Test
  void partialFillsReleaseTheReservationProRataAndAverageThePrice() {
    OrderRequest limit = request("C1", OrderSide.BUY, OrderType.LIMIT, 10, null, "100");
    VenueBook book = placed(FUNDED, limit, T0.toInstant(), MARKET);
    VenueOrder order = book.order(id(1)).orElseThrow();

    VenueBook first = book.withFill(fill("X1", order, 4, "99", T0));
    VenueOrder partial = first.order(id(1)).orElseThrow();
    assertEquals(OrderStatus.PARTIALLY_FILLED, partial.status());
    assertEquals(List.of(partial), first.openOrders(), "still working, in place");
    assertEquals(Quantity.of(4), partial.filledQuantity());
    assertEquals(Price.of("99"), partial.averagePrice());
    assertAmount("600", partial.reservedCash(), "4 of 10 released");
    assertAmount("999004", first.cash().get("INR"), "1000000 - 1000 held + 400 released - 396 paid");
    assertEquals(new PositionReport(TCS, new BigDecimal("4"), BigDecimal.ZERO, new BigDecimal("396"), BigDecimal.ZERO, new BigDecimal("4")),
        first.positions().get(TCS));

    Bar next = bar(T0.plusMinutes(5), "99", "99.5", "97", "98");
    List<Fill> rest = first.match(next, TRADE_IDS);
    assertEquals(List.of(new Fill(TradeId.of("T2"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.BUY, Quantity.of(6), Price.of("99"),
        T0.plusMinutes(5))), rest, "the remaining 6 at min(limit 100, open 99); the trade sequence counts the first fill");
    VenueBook done = first.withFills(rest);
    VenueOrder filled = done.order(id(1)).orElseThrow();
    assertEquals(OrderStatus.FILLED, filled.status());
    assertEquals(Price.of("99"), filled.averagePrice());
    assertEquals(BigDecimal.ZERO, filled.reservedCash());
    assertAmount("999010", done.cash().get("INR"), "999004 + 600 released - 594 paid");
    assertEquals(new PositionReport(TCS, new BigDecimal("10"), BigDecimal.ZERO, new BigDecimal("990"), BigDecimal.ZERO, new BigDecimal("10")),
        done.positions().get(TCS));

    VenueBook averaged = first.withFill(fill("X2", partial, 6, "98", T0));
    assertEquals(Price.of("98.4"), averaged.order(id(1)).orElseThrow().averagePrice(), "(4 x 99 + 6 x 98) / 10");
    assertThrows(IllegalArgumentException.class, () -> first.withFill(fill("X3", partial, 7, "98", T0)), "more than the 6 left");
  }

  @Test
  void matchesStopLimitAndMarketOrdersOfTheBarsInstrumentInAcceptanceOrder() {
    Instant at = T0.toInstant();
    VenueMarket priced = MARKET.barMatched(bar(T0.minusMinutes(5), "3500", "3505", "3495", "3500"))
        .barMatched(bar(INFY, T0.minusMinutes(5), "1500", "1505", "1495", "1500"));
    VenueBook book = FUNDED;
    book = placed(book, request("C1", OrderSide.BUY, OrderType.STOP_MARKET, 2, "3505", null), at, priced);
    book = placed(book, request("C2", OrderSide.SELL, OrderType.STOP_MARKET, 2, "3490", null), at, priced);
    book = placed(book, request("C3", INFY, OrderSide.BUY, OrderType.MARKET, 2, null, null), at, priced);
    book = placed(book, request("C4", OrderSide.BUY, OrderType.LIMIT, 2, null, "3500"), at, priced);
    book = placed(book, request("C5", OrderSide.SELL, OrderType.MARKET, 2, null, null), at, priced);
    book = placed(book, request("C6", OrderSide.BUY, OrderType.STOP_LIMIT, 2, "3506", "3504"), at, priced);
    Bar b = bar(T0, "3502", "3510", "3495", "3505");
    assertEquals(List.of(
        new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.BUY, Quantity.of(2), Price.of("3505"), T0),
        new Fill(TradeId.of("T2"), ClientOrderId.of("C4"), id(4), TCS, OrderSide.BUY, Quantity.of(2), Price.of("3500"), T0),
        new Fill(TradeId.of("T3"), ClientOrderId.of("C5"), id(5), TCS, OrderSide.SELL, Quantity.of(2), Price.of("3502"), T0)),
        book.match(b, TRADE_IDS), "the sell stop (low 3495 above 3490), the stop-limit (3506 beyond its limit 3504) and INFY stay");
    VenueBook after = book.withFills(book.match(b, TRADE_IDS));
    assertEquals(List.of(id(2), id(3), id(6)), after.openOrders().stream().map(VenueOrder::venueOrderId).toList());
  }

  @Test
  void matchesOnlyOrdersAcceptedAtOrBeforeTheBarOpen() {
    VenueBook book = placed(FUNDED, request("C1", OrderSide.SELL, OrderType.STOP_MARKET, 1, "3500", null), T0.toInstant(), MARKET);
    book = placed(book, request("C2", OrderSide.SELL, OrderType.STOP_MARKET, 1, "3500", null), T0.plusSeconds(1).toInstant(), MARKET);
    Bar b1 = bar(T0, "3502", "3510", "3490", "3495");
    assertEquals(List.of(id(1)), book.match(b1, TRADE_IDS).stream().map(Fill::venueOrderId).toList(), "accepted at the open: matched");
    VenueBook after = book.withFills(book.match(b1, TRADE_IDS));
    Bar b2 = bar(T0.plusMinutes(5), "3495", "3497", "3480", "3485");
    assertEquals(List.of(new Fill(TradeId.of("T2"), ClientOrderId.of("C2"), id(2), TCS, OrderSide.SELL, Quantity.of(1), Price.of("3495"),
        T0.plusMinutes(5))), after.match(b2, TRADE_IDS), "accepted after b1 opened: first matched against b2, at min(3500, open 3495)");
  }

  @Test
  void afterTheCloseAMarketOrderFillsAtOnceAtTheLastCloseStampedWithTheLastBar() {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3498.35");
    VenueMarket closed = MARKET.barMatched(last).sessionClosed(last);
    Instant afterClose = last.tsClose().plusMinutes(10).toInstant();
    OrderRequest sell = request("C1", OrderSide.SELL, OrderType.MARKET, 5, null, null);
    VenueBook.Placement placement = FUNDED.place(id(1), sell, afterClose, closed, TRADE_IDS);
    Fill expected = new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.SELL, Quantity.of(5), Price.of("3498.35"),
        last.tsOpen());
    assertEquals(new VenueBook.Placement(accepted(1, sell, afterClose, "0"), Optional.of(expected)), placement);
    VenueBook book = FUNDED.withPlacement(placement);
    assertEquals(OrderStatus.FILLED, book.order(id(1)).orElseThrow().status());
    assertAmount("1017491.75", book.cash().get("INR"), "5 x 3498.35 received");

    OrderRequest buy = request("C2", OrderSide.BUY, OrderType.MARKET, 2, null, null);
    VenueBook.Placement bought = book.place(id(2), buy, afterClose, closed, TRADE_IDS);
    assertEquals(accepted(2, buy, afterClose, "6996.70"), bought.order(), "reserved at the last close");
    assertEquals(Optional.of(TradeId.of("T2")), bought.fill().map(Fill::tradeId));

    OrderRequest limit = request("C3", OrderSide.SELL, OrderType.LIMIT, 5, null, "3400");
    assertEquals(Optional.empty(), book.place(id(2), limit, afterClose, closed, TRADE_IDS).fill(), "only market orders trade after the close");
    VenueMarket reopened = closed.barMatched(bar(T0.plusDays(1), "3510", "3515", "3505", "3512"));
    assertEquals(Optional.empty(), book.place(id(2), sell, afterClose, reopened, TRADE_IDS).fill(), "the next session's bar reopens it");
    assertEquals(Optional.of(Price.of("3512")), reopened.lastPrice(TCS));
  }
}
