package dev.ordo.bench;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeTick;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The live path's input made from real bars: each bar becomes four trades inside its window, open at the window's
 * start, then the low and the high (high first on a falling bar), then the close 4 minutes in, the bar's volume split
 * over them (whole shares, the rest on the close). Built into bars again ({@code BarBuilder}) they give back the bar.
 */
public final class Ticks {

  /** Ticks per bar. */
  public static final int PER_BAR = 4;

  private static final BigDecimal FOUR = BigDecimal.valueOf(PER_BAR);

  private Ticks() {}

  /** The four ticks of {@code bar}, oldest first. */
  public static List<TradeTick> of(Bar bar) {
    Instant open = bar.tsOpen().toInstant();
    long step = bar.interval().toSeconds() / 5;
    BigDecimal part = bar.volume().divide(FOUR, 0, RoundingMode.DOWN);
    BigDecimal last = bar.volume().subtract(part.multiply(BigDecimal.valueOf(PER_BAR - 1)));
    boolean rising = !bar.close().isLessThan(bar.open());
    List<TradeTick> ticks = new ArrayList<>(PER_BAR);
    ticks.add(new TradeTick(bar.instrumentId(), bar.open(), Quantity.of(part), open));
    ticks.add(new TradeTick(bar.instrumentId(), rising ? bar.low() : bar.high(), Quantity.of(part), open.plusSeconds(step)));
    ticks.add(new TradeTick(bar.instrumentId(), rising ? bar.high() : bar.low(), Quantity.of(part), open.plusSeconds(2 * step)));
    ticks.add(new TradeTick(bar.instrumentId(), bar.close(), Quantity.of(last), open.plusSeconds(4 * step)));
    return ticks;
  }
}
