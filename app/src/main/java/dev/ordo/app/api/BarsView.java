package dev.ordo.app.api;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.strategy.StrategyState;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * {@code GET /accounts/{account}/symbols/{symbol}/bars}: the last bars a symbol trader applied, oldest first (read from the
 * replay's bar file up to the trader's last bar applied), each with the strategy's state right after it where the trader's
 * journal holds it (the bars that decided something: an order, a stop move).
 *
 * @param currency   the currency of every price below
 * @param totalBars  bars the trader applied in all
 * @param bars       the last bars asked for ({@code limit}), oldest first
 */
public record BarsView(InstrumentId instrument, String currency, long totalBars, List<BarView> bars) {

  /**
   * One bar and the strategy after it.
   *
   * @param time     the bar's open time, venue's offset
   * @param close    the bar's close (instrument currency); {@code open}, {@code high}, {@code low} likewise
   * @param volume   instrument units traded in the bar
   * @param strategy the strategy's state after the bar (for the 80-20 strategy: setup, armed, prevLow, stop, ...) when the journal
 *                 holds it, else null
   */
  public record BarView(OffsetDateTime time, Price open, Price high, Price low, Price close, BigDecimal volume, StrategyState strategy) {

    /** {@code bar} as a row, its time in the venue's offset ({@link ApiTimes}), with {@code strategy} (null when not known). */
    public static BarView of(Bar bar, StrategyState strategy) {
      return new BarView(ApiTimes.of(bar.tsOpen(), bar.instrumentId()), bar.open(), bar.high(), bar.low(), bar.close(), bar.volume(), strategy);
    }
  }
}
