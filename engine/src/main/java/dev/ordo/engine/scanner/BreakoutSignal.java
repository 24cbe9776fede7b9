package dev.ordo.engine.scanner;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The scanner's signal: a breakout above the highest high of the last {@code lookback} sessions,
 * on a volume at least {@code volumeFactor} times their mean, read on completed daily bars
 * ({@code docs/scanner.md} states the rule with an example). With bars {@code b[0..n]}, oldest first,
 * {@code t = b[n]} the last completed session and {@code W = b[n-lookback..n-1]} the window before it:
 *
 * <ul>
 *   <li>BUY when {@code close(t) > max(high(W))} and {@code volume(t) >= volumeFactor * mean(volume(W))};
 *   <li>stop-loss: the lowest low of the last {@code stopLookback} sessions up to {@code t}, down to the tick;
 *       no signal when it is not below {@code close(t)};
 *   <li>take-profit: {@code close(t) + rewardRisk * (close(t) - stopLoss)}, up to the tick;
 *   <li>confidence: {@code min(1, volumeRatio / (2 * volumeFactor))}, 2 decimals rounded down, so a breakout
 *       at exactly the volume threshold is 0.50 and one on twice the threshold 1.00.
 * </ul>
 *
 * Prices in the instrument's currency; volumes in shares.
 *
 * @param lookback     sessions of the window (20)
 * @param volumeFactor the breakout session's volume over the window's mean, at least (1.5)
 * @param stopLookback sessions whose lowest low is the stop-loss (10), at most {@code lookback + 1}
 * @param rewardRisk   the take-profit's distance from the close over the stop's (2)
 */
public record BreakoutSignal(int lookback, BigDecimal volumeFactor, int stopLookback, BigDecimal rewardRisk) implements OrdoSerializable {

  public BreakoutSignal {
    if (lookback < 1) throw new IllegalArgumentException("lookback must be at least 1 session, got " + lookback);
    if (volumeFactor == null || volumeFactor.signum() < 0) throw new IllegalArgumentException("volumeFactor must be 0 or more, got " + volumeFactor);
    if (stopLookback < 1 || stopLookback > lookback + 1)
      throw new IllegalArgumentException("stopLookback must be within 1.." + (lookback + 1) + " sessions, got " + stopLookback);
    if (rewardRisk == null || rewardRisk.signum() <= 0) throw new IllegalArgumentException("rewardRisk must be positive, got " + rewardRisk);
  }

  /** The rule's defaults: 20 sessions, 1.5 times the volume, stop at the 10-session low, target at twice the risk. */
  public static BreakoutSignal defaults() {
    return new BreakoutSignal(20, new BigDecimal("1.5"), 10, new BigDecimal("2"));
  }

  /** Daily bars the rule reads: the window and the last session. */
  public int barsNeeded() {
    return lookback + 1;
  }

  /**
   * A breakout found.
   *
   * @param session     the day of the breakout session {@code t}
   * @param close       its close
   * @param level       the window's highest high, which the close broke
   * @param volumeRatio its volume over the window's mean volume (2 decimals)
   * @param stopLoss    the protective stop's price
   * @param takeProfit  the target's price
   * @param confidence  0..1
   */
  public record Signal(InstrumentId instrument, LocalDate session, Price close, Price level, BigDecimal volumeRatio, Price stopLoss,
      Price takeProfit, BigDecimal confidence) implements OrdoSerializable {

    /**
     * The exit plan moved to {@code reference} (the price the instrument trades at now) at the same relative
     * distances as from the close: stop {@code reference * stopLoss / close} down to the tick, target
     * {@code reference * takeProfit / close} up to the tick. Daily bars may be adjusted for later splits and
     * bonuses (the shared NSE daily data are), so their prices are not those that trade; their ratios are.
     */
    public ExitPlan exitPlanAt(Price reference, BigDecimal tickSize) {
      java.math.MathContext precision = java.math.MathContext.DECIMAL64;
      Price stop = Price.of(reference.value().multiply(stopLoss.value()).divide(close.value(), precision)).floorTick(tickSize);
      Price target = Price.of(reference.value().multiply(takeProfit.value()).divide(close.value(), precision)).ceilTick(tickSize);
      return new ExitPlan(stop, target);
    }
  }

  /** Where a position bought on a signal is sold: below at {@code stopLoss}, above at {@code takeProfit} (instrument currency). */
  public record ExitPlan(Price stopLoss, Price takeProfit) implements OrdoSerializable {}

  /**
   * The breakout of the last of {@code bars} (oldest first, one instrument, daily), if any; uses the last
   * {@link #barsNeeded()} bars and none when there are fewer.
   *
   * @param tickSize the instrument's tick: the stop is rounded down to it, the target up
   */
  public Optional<Signal> evaluate(List<Bar> bars, BigDecimal tickSize) {
    if (bars.size() < barsNeeded()) return Optional.empty();
    Bar last = bars.get(bars.size() - 1);
    List<Bar> window = bars.subList(bars.size() - 1 - lookback, bars.size() - 1);
    Price level = window.get(0).high();
    BigDecimal volumes = BigDecimal.ZERO;
    for (Bar b : window) {
      level = level.max(b.high());
      volumes = volumes.add(b.volume());
    }
    if (!last.close().isGreaterThan(level)) return Optional.empty();
    BigDecimal lookbackCount = BigDecimal.valueOf(lookback);
    // volume(t) >= factor * sum / lookback, without dividing
    if (last.volume().multiply(lookbackCount).compareTo(volumeFactor.multiply(volumes)) < 0 || volumes.signum() == 0) return Optional.empty();
    Price low = last.low();
    for (Bar b : bars.subList(bars.size() - stopLookback, bars.size())) low = low.min(b.low());
    Price stopLoss = low.floorTick(tickSize);
    if (!stopLoss.isLessThan(last.close())) return Optional.empty();
    BigDecimal risk = last.close().value().subtract(stopLoss.value());
    Price takeProfit = Price.of(last.close().value().add(rewardRisk.multiply(risk))).ceilTick(tickSize);
    BigDecimal ratio = last.volume().multiply(lookbackCount).divide(volumes, 2, RoundingMode.HALF_EVEN);
    BigDecimal confidence = volumeFactor.signum() == 0 ? BigDecimal.ONE.setScale(2)
        : last.volume().multiply(lookbackCount).divide(volumes.multiply(volumeFactor).multiply(BigDecimal.valueOf(2)), 2, RoundingMode.FLOOR)
            .min(BigDecimal.ONE.setScale(2));
    return Optional.of(new Signal(last.instrumentId(), last.tsOpen().toLocalDate(), last.close(), level, ratio, stopLoss, takeProfit, confidence));
  }
}
