package dev.ordo.engine.venue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BarFillModelTest {

  static final Bar BAR = new Bar(new InstrumentId("X-EQ", "NSE"), Duration.ofMinutes(5), Price.of("100"), Price.of("102"), Price.of("98"),
      Price.of("101"), BigDecimal.ONE, OffsetDateTime.parse("2024-01-16T09:20:00+05:30"));

  static Optional<Price> match(OrderType type, OrderSide side, String trigger, String limit) {
    return BarFillModel.match(type, side, trigger == null ? null : Price.of(trigger), limit == null ? null : Price.of(limit), BAR);
  }

  @Test
  void marketFillsAtTheOpen() {
    assertEquals(Optional.of(Price.of("100")), match(OrderType.MARKET, OrderSide.SELL, null, null));
  }

  @Test
  void aProtectedMarketOrderFillsAtTheOpenWithinItsProtectionElseAtTheProtectionPriceWhenTheBarReachesIt() {
    assertEquals(Optional.of(Price.of("100")), match(OrderType.MARKET, OrderSide.BUY, null, "100"), "open == protection");
    assertEquals(Optional.of(Price.of("99")), match(OrderType.MARKET, OrderSide.BUY, null, "99"), "open above, low 98 below: at 99");
    assertEquals(Optional.of(Price.of("98")), match(OrderType.MARKET, OrderSide.BUY, null, "98"), "low == protection");
    assertTrue(match(OrderType.MARKET, OrderSide.BUY, null, "97.95").isEmpty(), "the whole bar above the protection price");
    assertEquals(Optional.of(Price.of("101")), match(OrderType.MARKET, OrderSide.SELL, null, "101"), "a protected sell likewise");
    assertTrue(match(OrderType.MARKET, OrderSide.SELL, null, "102.05").isEmpty());
  }

  @Test
  void sellStopFillsWhenTheLowReachesItAtTheWorseOfStopAndOpen() {
    assertEquals(Optional.of(Price.of("99")), match(OrderType.STOP_MARKET, OrderSide.SELL, "99", null));
    assertEquals(Optional.of(Price.of("98")), match(OrderType.STOP_MARKET, OrderSide.SELL, "98", null), "low == stop fills");
    assertEquals(Optional.of(Price.of("100")), match(OrderType.STOP_MARKET, OrderSide.SELL, "100.5", null), "gap below the stop: the open");
    assertTrue(match(OrderType.STOP_MARKET, OrderSide.SELL, "97.95", null).isEmpty());
  }

  @Test
  void buyStopFillsWhenTheHighReachesItAtTheWorseOfTriggerAndOpen() {
    assertEquals(Optional.of(Price.of("101")), match(OrderType.STOP_MARKET, OrderSide.BUY, "101", null));
    assertEquals(Optional.of(Price.of("100")), match(OrderType.STOP_MARKET, OrderSide.BUY, "99", null), "gap above the trigger: the open");
    assertTrue(match(OrderType.STOP_MARKET, OrderSide.BUY, "102.05", null).isEmpty());
  }

  @Test
  void limitsFillWhenTheBarTradesThroughAtTheBetterOfLimitAndOpen() {
    assertEquals(Optional.of(Price.of("99")), match(OrderType.LIMIT, OrderSide.BUY, null, "99"));
    assertEquals(Optional.of(Price.of("100")), match(OrderType.LIMIT, OrderSide.BUY, null, "101"));
    assertTrue(match(OrderType.LIMIT, OrderSide.BUY, null, "98").isEmpty(), "touching the low is not trading through");
    assertEquals(Optional.of(Price.of("101")), match(OrderType.LIMIT, OrderSide.SELL, null, "101"));
    assertTrue(match(OrderType.LIMIT, OrderSide.SELL, null, "102").isEmpty());
  }
}
