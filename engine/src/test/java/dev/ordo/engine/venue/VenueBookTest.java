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
import java.util.function.BiFunction;
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
    return accepted(n, r, r.limit(), at, reserved);
  }

  /** Accepted with {@code limit} (a market buy's protection price). */
  static VenueOrder accepted(long n, OrderRequest r, Price limit, Instant at, String reserved) {
    return new VenueOrder(id(n), r.clientOrderId(), r.instrumentId(), r.side(), r.type(), r.quantity(), Quantity.ZERO, null, r.trigger(),
        limit, OrderStatus.ACCEPTED, null, at, new BigDecimal(reserved), "INR", Product.MIS);
  }

  static VenueBook.PositionKey mis(InstrumentId instrument) {
    return new VenueBook.PositionKey(instrument, Product.MIS);
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
            "insufficient funds: order needs 3500000 INR, available 1000000"),
        new Case(request("C10", OrderSide.BUY, OrderType.LIMIT, 5, null, "3500.03"), priced, "price 3500.03 is not a multiple of the tick size 0.05"),
        new Case(request("C11", OrderSide.SELL, OrderType.STOP_MARKET, 5, "3499.99", null), priced,
            "trigger price 3499.99 is not a multiple of the tick size 0.05"),
        new Case(request("C12", OrderSide.BUY, OrderType.STOP_LIMIT, 5, "3500", "3500.01"), priced,
            "price 3500.01 is not a multiple of the tick size 0.05"),
        new Case(request("C13", OrderSide.BUY, OrderType.MARKET, 99_999_999_999L, null, null), priced,
            "quantity 99999999999 exceeds the freeze quantity 100000"),
        new Case(request("C14", OrderSide.SELL, OrderType.MARKET, 100_001, null, null), priced, "quantity 100001 exceeds the freeze quantity 100000"),
        new Case(request("C15", OrderSide.BUY, OrderType.MARKET, 300, null, null), priced,
            "insufficient funds: order needs 1102500.00 INR, available 1000000"));
    for (Case c : cases) {
      VenueBook.Placement placement = FUNDED.place(id(1), c.request(), T0.toInstant(), c.market(), TRADE_IDS);
      OrderRequest r = c.request();
      String currency = r.instrumentId().symbol().equals("NOPE-EQ") ? "?" : "INR";
      VenueOrder rejected = new VenueOrder(id(1), r.clientOrderId(), r.instrumentId(), r.side(), r.type(), r.quantity(), Quantity.ZERO, null,
          r.trigger(), r.limit(), OrderStatus.REJECTED, c.reason(), T0.toInstant(), BigDecimal.ZERO, currency, Product.MIS);
      assertEquals(new VenueBook.Placement(rejected, Optional.empty()), placement, c.reason());
      VenueBook after = FUNDED.withPlacement(placement);
      assertEquals(new VenueBook(List.of(), List.of(rejected), List.of(), FUNDED.cash(), Map.of(), 1, 0), after,
          "kept in the order book, cash untouched: " + c.reason());
    }
  }

  @Test
  void aBuyReservesQuantityTimesProtectionPriceLimitOrTriggerAndASellNothing() {
    VenueMarket priced = MARKET.barMatched(bar(T0, "3500", "3505", "3495", "3498"));
    Instant at = T0.plusMinutes(5).toInstant();
    OrderRequest market = request("C1", OrderSide.BUY, OrderType.MARKET, 10, null, null);
    OrderRequest limit = request("C2", OrderSide.BUY, OrderType.LIMIT, 10, null, "3490");
    OrderRequest stopLimit = request("C3", OrderSide.BUY, OrderType.STOP_LIMIT, 10, "3510", "3515");
    OrderRequest stop = request("C4", OrderSide.BUY, OrderType.STOP_MARKET, 10, "3520", null);
    OrderRequest sell = request("C5", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3400", null);
    VenueBook book = FUNDED;
    for (OrderRequest r : List.of(market, limit, stopLimit, stop, sell)) book = placed(book, r, at, priced);
    assertEquals(List.of(accepted(1, market, Price.of("3672.90"), at, "36729.00"), accepted(2, limit, at, "34900"),
        accepted(3, stopLimit, at, "35150"), accepted(4, stop, at, "35200"), accepted(5, sell, at, "0")), book.openOrders(),
        "the market buy holds its protection price: 3498 x 1.05 = 3672.90");
    assertAmount("1000000", book.cash().get("INR").add(book.reserved().get("INR")), "available plus reserved");
    assertAmount("141979", book.reserved().get("INR"), "reserved");
    assertAmount("858021", book.limits().available().get("INR"), "available");
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
        null, Price.of("3500"), null, OrderStatus.CANCELED, null, T0.toInstant(), BigDecimal.ZERO, "INR", Product.MIS);
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
    assertEquals(Optional.of("insufficient funds: order needs 950050 INR, available 950000"),
        book.modifyRefusal(id(1), null, Price.of("20001"), null, MARKET), "a higher limit holds more: 50 x 20001 - 50000");

    VenueBook modified = book.withModified(id(1), null, Price.of("990"), Quantity.of(75));
    VenueOrder order = modified.order(id(1)).orElseThrow();
    assertEquals(Price.of("990"), order.limit());
    assertEquals(Quantity.of(75), order.quantity());
    assertAmount("74250", order.reservedCash(), "the new quantity times the new limit");
    assertAmount("925750", modified.cash().get("INR"), "24250 more held");

    VenueBook partly = modified.withFill(fill("T1", order, 25, "985", T0.plusMinutes(5)));
    assertEquals(Optional.of("quantity 25 must exceed the filled quantity 25"), partly.modifyRefusal(id(1), null, null, Quantity.of(25), MARKET));
    VenueBook smaller = partly.withModified(id(1), null, null, Quantity.of(50));
    assertAmount("24750", smaller.order(id(1)).orElseThrow().reservedCash(), "25 left to fill at 990");
    assertAmount("950625", smaller.cash().get("INR"), "1000000 - 24625 paid - 24750 held");
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
        Quantity.of(10), Price.of("3502"), Price.of("3500"), null, OrderStatus.FILLED, null, T0.toInstant(), BigDecimal.ZERO, "INR", Product.MIS);
    assertEquals(new VenueBook(List.of(), List.of(filled), fills, Map.of("INR", new BigDecimal("964980")),
        Map.of(mis(TCS), new PositionReport(TCS, new BigDecimal("10"), BigDecimal.ZERO, new BigDecimal("35020"), BigDecimal.ZERO, new BigDecimal("10"))),
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
        first.positions().get(mis(TCS)));

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
        done.positions().get(mis(TCS)));

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
    assertEquals(accepted(2, buy, Price.of("3673.30"), afterClose, "7346.60"), bought.order(),
        "reserved at the protection price of the last close, 3498.35 x 1.05 rounded up to the tick");
    assertEquals(Price.of("3498.35"), bought.fill().orElseThrow().lastPx(), "filled at the close");
    assertEquals(Optional.of(TradeId.of("T2")), bought.fill().map(Fill::tradeId));

    OrderRequest limit = request("C3", OrderSide.SELL, OrderType.LIMIT, 5, null, "3400");
    assertEquals(Optional.empty(), book.place(id(2), limit, afterClose, closed, TRADE_IDS).fill(), "only market orders trade after the close");
    VenueMarket reopened = closed.barMatched(bar(T0.plusDays(1), "3510", "3515", "3505", "3512"));
    assertEquals(Optional.empty(), book.place(id(2), sell, afterClose, reopened, TRADE_IDS).fill(), "the next session's bar reopens it");
    assertEquals(Optional.of(Price.of("3512")), reopened.lastPrice(TCS));
  }

  @Test
  void aMarketBuyBeyondTheCashIsRefusedWhateverTheFreezeQuantity() {
    VenueMarket unfrozen = VenueMarket.listing(MARKET.instruments(), new VenueRules(Quantity.of(1_000_000_000_000L), new BigDecimal("0.05")))
        .barMatched(bar(T0, "3500", "3505", "3495", "3500"));
    VenueBook.Placement placement = FUNDED.place(id(1), request("C1", OrderSide.BUY, OrderType.MARKET, 99_999_999_999L, null, null),
        T0.toInstant(), unfrozen, TRADE_IDS);
    assertEquals("insufficient funds: order needs 367499999996325.00 INR, available 1000000", placement.order().rejectReason(),
        "99,999,999,999 x 3675 (3500 + 5% market protection)");
    assertEquals(Optional.empty(), placement.fill());
  }

  @Test
  void aMarketBuyNeverPaysMoreThanItHoldsSoCashCannotGoBelowZero() {
    VenueMarket priced = MARKET.barMatched(bar(T0, "3500", "3505", "3495", "3500"));
    VenueBook exact = VenueBook.empty().withDeposit(Map.of("INR", new BigDecimal("36750")));
    OrderRequest buy = request("C1", OrderSide.BUY, OrderType.MARKET, 10, null, null);
    assertEquals("insufficient funds: order needs 40425.00 INR, available 36750",
        exact.place(id(1), request("C0", OrderSide.BUY, OrderType.MARKET, 11, null, null), T0.toInstant(), priced, TRADE_IDS).order()
            .rejectReason());
    Instant at = T0.plusMinutes(5).toInstant();
    VenueBook book = placed(exact, buy, at, priced);
    assertEquals(accepted(1, buy, Price.of("3675"), at, "36750.00"), book.order(id(1)).orElseThrow(), "all the cash held at 3500 x 1.05");
    assertAmount("0", book.cash().get("INR"), "nothing left");

    Bar gap = bar(T0.plusMinutes(5), "3700", "3720", "3680", "3710");
    assertEquals(List.of(), book.match(gap, TRADE_IDS), "the bar never traded at or below the protection price 3675: no fill");
    Bar back = bar(T0.plusMinutes(10), "3690", "3695", "3660", "3670");
    List<Fill> fills = book.match(back, TRADE_IDS);
    assertEquals(List.of(new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.BUY, Quantity.of(10), Price.of("3675"),
        T0.plusMinutes(10))), fills, "opened above the protection price, traded through it: filled at it");
    assertAmount("0", book.withFills(fills).cash().get("INR"), "paid exactly what it held");

    Bar lower = bar(T0.plusMinutes(5), "3600", "3610", "3590", "3605");
    VenueBook cheaper = book.withFills(book.match(lower, TRADE_IDS));
    assertEquals(Price.of("3600"), cheaper.trades().get(0).lastPx(), "at the open when the open is within the protection");
    assertAmount("750", cheaper.cash().get("INR"), "36750 held - 36000 paid");
  }

  @Test
  void aMarketOrderPlacedTheNextMorningBeforeTheFirstBarWaitsForItsOpen() {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3498.35");
    VenueMarket closed = MARKET.barMatched(last).sessionClosed(last);
    OrderRequest sell = request("C1", OrderSide.SELL, OrderType.MARKET, 5, null, null);
    Instant nextOpen = T0.plusDays(1).toInstant();
    VenueBook.Placement placement = FUNDED.place(id(1), sell, nextOpen, closed, TRADE_IDS);
    assertEquals(new VenueBook.Placement(accepted(1, sell, nextOpen, "0"), Optional.empty()), placement,
        "at 09:15 the next day: not yesterday's close, the session is about to open");
    VenueBook book = FUNDED.withPlacement(placement);
    Bar first = bar(T0.plusDays(1), "3510", "3515", "3505", "3512");
    assertEquals(List.of(new Fill(TradeId.of("T1"), ClientOrderId.of("C1"), id(1), TCS, OrderSide.SELL, Quantity.of(5), Price.of("3510"),
        T0.plusDays(1))), book.match(first, TRADE_IDS), "filled at the first bar's open");
  }

  @Test
  void productsAreKeptApartAndACncSellNeedsTheSharesHeldForDelivery() {
    Bar last = bar(T0.withHour(15).withMinute(25), "3500", "3505", "3495", "3500");
    VenueMarket closed = MARKET.barMatched(last).sessionClosed(last);
    Instant at = last.tsClose().plusMinutes(10).toInstant();
    VenueBook book = FUNDED.withPlacement(FUNDED.place(id(1), request("C1", OrderSide.BUY, OrderType.MARKET, 10, null, null), Product.CNC, at,
        closed, TRADE_IDS));
    book = book.withPlacement(book.place(id(2), request("C2", OrderSide.SELL, OrderType.MARKET, 4, null, null), Product.MIS, at, closed,
        TRADE_IDS));
    assertEquals(Map.of(
        new VenueBook.PositionKey(TCS, Product.CNC), new PositionReport(TCS, new BigDecimal("10"), BigDecimal.ZERO, new BigDecimal("35000"),
            BigDecimal.ZERO, new BigDecimal("10")),
        new VenueBook.PositionKey(TCS, Product.MIS), new PositionReport(TCS, BigDecimal.ZERO, new BigDecimal("4"), BigDecimal.ZERO,
            new BigDecimal("14000"), new BigDecimal("-4"))), book.positions(), "a delivery buy and an intraday sell are two positions");
    assertEquals(2, book.positionReports().size());

    VenueBook held = book;
    BiFunction<OrderRequest, Product, String> rejection = (r, product) ->
        held.place(id(held.orderSequence() + 1), r, product, at, closed, TRADE_IDS).order().rejectReason();
    assertEquals("insufficient holdings: CNC sell of 11 TCS-EQ.NSE exceeds the 10 held for delivery",
        rejection.apply(request("C3", OrderSide.SELL, OrderType.MARKET, 11, null, null), Product.CNC));
    assertEquals("product NRML is not allowed for TCS-EQ.NSE", rejection.apply(request("C4", OrderSide.BUY, OrderType.LIMIT, 1, null, "3000"),
        Product.NRML));
    assertEquals("product CNC is not allowed for NIFTY24JANFUT.NFO",
        rejection.apply(request("C5", NIFTY, OrderSide.BUY, OrderType.LIMIT, 25, null, "21500"), Product.CNC));

    OrderRequest working = request("C6", OrderSide.SELL, OrderType.LIMIT, 6, null, "4000");
    VenueBook selling = held.withPlacement(held.place(id(3), working, Product.CNC, at, closed, TRADE_IDS));
    assertEquals(OrderStatus.ACCEPTED, selling.order(id(3)).orElseThrow().status());
    assertEquals("insufficient holdings: CNC sell of 5 TCS-EQ.NSE exceeds the 4 held for delivery",
        selling.place(id(4), request("C7", OrderSide.SELL, OrderType.MARKET, 5, null, null), Product.CNC, at, closed, TRADE_IDS).order()
            .rejectReason(), "the working CNC sell of 6 already takes its shares");
    assertEquals(Optional.of("insufficient holdings: CNC sell of 11 TCS-EQ.NSE exceeds the 10 held for delivery"),
        selling.modifyRefusal(id(3), null, null, Quantity.of(11), closed));
    assertEquals(Optional.empty(), selling.modifyRefusal(id(3), null, null, Quantity.of(10), closed));
    assertTrue(selling.place(id(4), request("C8", OrderSide.SELL, OrderType.MARKET, 5, null, null), Product.MIS, at, closed, TRADE_IDS)
        .accepted(), "an intraday sell needs no holdings");
  }

  @Test
  void modifyRefusesPricesOffTheTickGridAndQuantitiesAboveTheFreezeQuantity() {
    VenueMarket small = VenueMarket.listing(MARKET.instruments(), new VenueRules(Quantity.of(500), new BigDecimal("0.05")));
    VenueBook book = placed(FUNDED, request("C1", OrderSide.SELL, OrderType.STOP_MARKET, 10, "3500", null), T0.toInstant(), small);
    assertEquals(Optional.of("trigger price 3499.99 is not a multiple of the tick size 0.05"),
        book.modifyRefusal(id(1), Price.of("3499.99"), null, null, small));
    assertEquals(Optional.of("price 3400.02 is not a multiple of the tick size 0.05"), book.modifyRefusal(id(1), null, Price.of("3400.02"), null,
        small));
    assertEquals(Optional.of("quantity 501 exceeds the freeze quantity 500"), book.modifyRefusal(id(1), null, null, Quantity.of(501), small));
    assertEquals(Optional.empty(), book.modifyRefusal(id(1), Price.of("3499.95"), null, Quantity.of(500), small));
    assertEquals("quantity 501 exceeds the freeze quantity 500",
        book.place(id(2), request("C2", OrderSide.SELL, OrderType.MARKET, 501, null, null), T0.toInstant(), small, TRADE_IDS).order()
            .rejectReason(), "the freeze quantity is the venue's setting");
  }
}
