package dev.ordo.engine.scanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BreakoutSignalTest {

  static final InstrumentId ID = new InstrumentId("TEST-EQ", "NSE");
  static final BigDecimal TICK = new BigDecimal("0.05");
  static final LocalDate START = LocalDate.of(2024, 1, 1);

  /** Daily bar {@code i} (day START + i). */
  static Bar day(int i, String high, String low, String close, long volume) {
    return new Bar(ID, Duration.ofDays(1), Price.of(low), Price.of(high), Price.of(low), Price.of(close), BigDecimal.valueOf(volume),
        OffsetDateTime.of(START.plusDays(i).atStartOfDay(), ZoneOffset.ofHoursMinutes(5, 30)));
  }

  /** Twenty quiet sessions (highs 101..105, lows 95 but one at 93.02 on session 15, volume 1000), then {@code last}. */
  static List<Bar> windowThen(Bar last) {
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < 20; i++) bars.add(day(i, String.valueOf(101 + i % 5), i == 15 ? "93.02" : "95", "100", 1000));
    bars.add(last);
    return bars;
  }

  @Test
  void aCloseAboveTheWindowsHighOnHeavyVolumeIsABreakoutWithItsExitPlan() {
    BreakoutSignal.Signal s = BreakoutSignal.defaults().evaluate(windowThen(day(20, "108", "104", "107", 2400)), TICK).orElseThrow();
    assertEquals(0, s.level().compareTo(Price.of("105")), "the window's highest high");
    assertEquals(new BigDecimal("2.40"), s.volumeRatio());
    // lowest low of the last 10 sessions (11..20): 93.02 on session 15, down to the tick
    assertEquals(Price.of("93.00"), s.stopLoss());
    // 107 + 2 * (107 - 93) = 135
    assertEquals(Price.of("135.00"), s.takeProfit());
    // 2.4 / (2 * 1.5) = 0.8
    assertEquals(new BigDecimal("0.80"), s.confidence());
    assertEquals(START.plusDays(20), s.session());
    assertEquals(ID, s.instrument());
  }

  @Test
  void noBreakoutAtTheHighOrOnThinVolumeOrWithTooFewBars() {
    BreakoutSignal rule = BreakoutSignal.defaults();
    assertTrue(rule.evaluate(windowThen(day(20, "106", "104", "105", 5000)), TICK).isEmpty(), "a close at the high is no breakout");
    assertTrue(rule.evaluate(windowThen(day(20, "108", "104", "107", 1499)), TICK).isEmpty(), "volume below 1.5 times the mean");
    assertTrue(rule.evaluate(windowThen(day(20, "108", "104", "107", 1500)), TICK).isPresent(), "volume at 1.5 times the mean is enough");
    assertTrue(rule.evaluate(windowThen(day(20, "108", "104", "107", 5000)).subList(1, 21), TICK).isEmpty(), "20 bars: the rule needs 21");
  }

  @Test
  void confidenceIsCappedAtOneAndTheExitPlanMovesToTheTradedPriceAtTheSameDistances() {
    BreakoutSignal.Signal s = BreakoutSignal.defaults().evaluate(windowThen(day(20, "108", "104", "107", 9000)), TICK).orElseThrow();
    assertEquals(new BigDecimal("1.00"), s.confidence());
    // daily bars adjusted 1:2 (a bonus after the fact): the instrument trades at twice the price
    BreakoutSignal.ExitPlan plan = s.exitPlanAt(Price.of("214.10"), TICK);
    assertEquals(Price.of("186.05"), plan.stopLoss(), "214.10 * 93 / 107 = 186.0869 down to the tick");
    assertEquals(Price.of("270.15"), plan.takeProfit(), "214.10 * 135 / 107 = 270.1262 up to the tick");
  }

  /** Every signal of the real NSE daily data meets the rule, and every day without one fails it. */
  @Test
  void onTheRealDailyDataEverySignalMeetsTheRuleAndNoOtherDayDoes() throws IOException {
    Path folder = Path.of("..", "..", "shared", "data", "nse_equity_daily");
    if (!Files.isDirectory(folder))
      fail("the real market data " + folder.toAbsolutePath().normalize() + " is missing: this test needs shared/data beside the repository");
    BreakoutSignal rule = BreakoutSignal.defaults();
    int days = 0;
    int signals = 0;
    List<Path> files;
    try (Stream<Path> list = Files.list(folder)) {
      files = list.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
    }
    for (Path file : files) {
      List<Bar> bars = read(file);
      for (int i = 20; i < bars.size(); i++) {
        List<Bar> upTo = bars.subList(0, i + 1);
        Optional<BreakoutSignal.Signal> signal = rule.evaluate(upTo, TICK);
        Bar t = bars.get(i);
        BigDecimal maxHigh = BigDecimal.ZERO;
        BigDecimal volumes = BigDecimal.ZERO;
        for (Bar b : bars.subList(i - 20, i)) {
          maxHigh = maxHigh.max(b.high().value());
          volumes = volumes.add(b.volume());
        }
        boolean breaks = t.close().value().compareTo(maxHigh) > 0
            && t.volume().multiply(BigDecimal.valueOf(20)).compareTo(new BigDecimal("1.5").multiply(volumes)) >= 0;
        days++;
        if (signal.isEmpty()) {
          assertFalse(breaks && lowestLow(bars.subList(i - 9, i + 1)).compareTo(t.close().value()) < 0, file + " " + t.tsOpen() + " breaks out");
          continue;
        }
        signals++;
        BreakoutSignal.Signal s = signal.get();
        assertTrue(breaks, file + " " + t.tsOpen());
        assertEquals(maxHigh, s.level().value().setScale(maxHigh.scale()), file + " " + t.tsOpen());
        assertTrue(s.stopLoss().isLessThan(s.close()) && s.close().isLessThan(s.takeProfit()), s.toString());
        assertTrue(s.stopLoss().isMultipleOf(TICK) && s.takeProfit().isMultipleOf(TICK), s.toString());
        assertTrue(s.confidence().compareTo(new BigDecimal("0.5")) >= 0 && s.confidence().compareTo(BigDecimal.ONE) <= 0, s.toString());
      }
    }
    assertTrue(days > 50_000, "days evaluated: " + days);
    assertTrue(signals > 100 && signals < days / 10, signals + " signals in " + days + " days");
  }

  private static BigDecimal lowestLow(List<Bar> bars) {
    BigDecimal low = bars.get(0).low().value();
    for (Bar b : bars) low = low.min(b.low().value());
    return low.setScale(2, java.math.RoundingMode.FLOOR);
  }

  /** The rows of a daily file ({@code timestamp,open,high,low,close,volume,oi}), read plainly for this test. */
  private static List<Bar> read(Path file) throws IOException {
    List<Bar> bars = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      bars.add(new Bar(ID, Duration.ofDays(1), Price.of(f[1]), Price.of(f[2]), Price.of(f[3]), Price.of(f[4]), new BigDecimal(f[5]),
          OffsetDateTime.parse(f[0].replace(' ', 'T'))));
    }
    return bars;
  }
}
