package dev.ordo.engine.model;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class NetPositionTest {

  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:20:00+05:30");

  static Fill fill(String id, OrderSide side, long quantity, String price, int minutes) {
    return new Fill(TradeId.of(id), ClientOrderId.of("C-" + id), VenueOrderId.of("V-" + id), INSTRUMENT, side, Quantity.of(quantity),
        Price.of(price), T0.plusMinutes(minutes));
  }

  @Test
  void anEntryOpensALongAtItsPrice() {
    NetPosition p = NetPosition.FLAT.apply(fill("T1", OrderSide.BUY, 45, "2179.00", 0));
    assertEquals(new NetPosition(BigDecimal.valueOf(45), Price.of("2179.00"), BigDecimal.ZERO, T0, null), p);
    assertNull(NetPosition.FLAT.closedBy(fill("T1", OrderSide.BUY, 45, "2179.00", 0), null), "an entry closes nothing");
  }

  @Test
  void anExitClosesTheRoundTripAtTheAveragePriceAndMarksTheTime() {
    NetPosition open = NetPosition.FLAT.apply(fill("T1", OrderSide.BUY, 30, "100", 0)).apply(fill("T2", OrderSide.BUY, 15, "103", 5));
    assertEquals(Price.of("101"), open.averagePrice(), "(30 * 100 + 15 * 103) / 45");
    Fill exit = fill("T3", OrderSide.SELL, 45, "102.5", 10);
    assertEquals(RoundTrip.of(INSTRUMENT, OrderSide.BUY, Quantity.of(45), T0, Price.of("101"), T0.plusMinutes(10), Price.of("102.5"),
        ExitReason.TRAIL), open.closedBy(exit, ExitReason.TRAIL));
    NetPosition flat = open.apply(exit);
    assertEquals(new NetPosition(BigDecimal.ZERO, null, new BigDecimal("67.5"), T0, T0.plusMinutes(10)), flat);
  }

  @Test
  void aPartialExitRealizesOnlyWhatItClosesAndKeepsTheAverage() {
    NetPosition open = NetPosition.FLAT.apply(fill("T1", OrderSide.BUY, 10, "50", 0));
    NetPosition rest = open.apply(fill("T2", OrderSide.SELL, 4, "55", 5));
    assertEquals(new NetPosition(BigDecimal.valueOf(6), Price.of("50"), new BigDecimal("20"), T0, null), rest);
  }

  @Test
  void aSellLargerThanTheLongReversesItAtTheFillPrice() {
    NetPosition open = NetPosition.FLAT.apply(fill("T1", OrderSide.BUY, 10, "50", 0));
    Fill reverse = fill("T2", OrderSide.SELL, 15, "48", 5);
    assertEquals(Quantity.of(10), open.closedBy(reverse, ExitReason.STOP).quantity(), "only the long's 10 are a round trip");
    assertEquals(new NetPosition(BigDecimal.valueOf(-5), Price.of("48"), new BigDecimal("-20"), T0.plusMinutes(5), null), open.apply(reverse));
    assertEquals(PositionSide.SHORT, open.apply(reverse).side());
  }
}
