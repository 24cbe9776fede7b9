package dev.ordo.engine.strategy;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backtester carries out what the strategy decides when the venue refuses one of its orders. */
class BacktesterTest {

  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);
  static final Map<String, BigDecimal> CASH = Map.of("INR", new BigDecimal("10000000"));
  /** D0 is a setup (high 110, low 100); D1 breaks 100 at 09:15, enters at 100 during 09:20, session low 99.53. */
  static final InstrumentBars DATA = new InstrumentBars(new Instrument(INSTRUMENT, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null),
      Path.of("TEST.csv"), List.of(
          bar(D0, "09:15", "109", "110", "105", "106"),
          bar(D0, "09:20", "106", "106", "100", "101"),
          bar(D1, "09:15", "101", "101", "99.53", "100"),
          bar(D1, "09:20", "100", "101", "99.9", "100.5"),
          bar(D1, "09:25", "100.6", "101", "100.4", "100.8"),
          bar(D1, "09:30", "100.8", "101", "100.5", "100.9")), List.of());

  static EightyTwentyStrategy strategyWithTick(String tick) {
    return new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults().withTickSize(new BigDecimal(tick)));
  }

  @Test
  void aStopOffTheVenuesTickGridIsRefusedAndThePositionIsSoldAtTheNextOpen() {
    List<RoundTrip> trades = Backtester.run(List.of(DATA), file -> strategyWithTick("0.01"), CASH);
    Bar fillBar = DATA.bars().get(3);
    Bar next = DATA.bars().get(4);
    assertEquals(List.of(RoundTrip.of(INSTRUMENT, OrderSide.BUY, Quantity.of(1000), fillBar.tsOpen(), Price.of("100"), next.tsOpen(),
        Price.of("100.6"), ExitReason.STOP_REJECTED)), trades, "the stop at 99.53 is off the 0.05 grid; the sale replaces it, then no re-entry");

    assertEquals(List.of(RoundTrip.of(INSTRUMENT, OrderSide.BUY, Quantity.of(1000), fillBar.tsOpen(), Price.of("100"),
        DATA.bars().get(5).tsOpen(), Price.of("100.9"), ExitReason.SESSION_END)), Backtester.run(List.of(DATA), file -> strategyWithTick("0.05"),
        CASH), "on the grid the stop (99.50, trailed to 100.40) is accepted and never reached: sold at the session's last close");
  }

  @Test
  void entriesAboveTheFreezeQuantityAreRefusedEveryArmedBarAndNothingTrades() {
    assertEquals(List.of(), Backtester.run(List.of(DATA), file -> strategyWithTick("0.05"), CASH,
        new VenueRules(Quantity.of(500), VenueRules.DEFAULT_MARKET_PROTECTION)));
  }
}
