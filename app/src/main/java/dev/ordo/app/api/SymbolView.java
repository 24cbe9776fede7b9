package dev.ordo.app.api;

import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.PositionSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.strategy.StrategyState;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One symbol trader as {@code GET /accounts/{account}/symbols/{symbol}} shows it.
 *
 * @param currency         the currency of every price and amount below
 * @param strategy         the strategy's own state (for the 80-20 strategy: session, its open, high, low
 *                         and close so far, setup {@code prevLow}, armed, entries, position, stop, ...)
 * @param lastBarApplied   open time of the last bar the trader applied, venue's offset
 * @param lastSessionEnded local date of the last session whose end the trader handled
 * @param position         the trader's own view of its holding (the fold of its fills)
 * @param orders           its working orders and its most recent closed ones
 * @param trades           its closed round trips, oldest first
 */
public record SymbolView(InstrumentId instrument, String currency, StrategyState strategy, OffsetDateTime lastBarApplied,
    LocalDate lastSessionEnded, Holding position, List<OrderView> orders, List<TradeView> trades) {

  /**
   * The trader's holding.
   *
   * @param quantity     signed instrument units, decimal string
   * @param averagePrice of the open quantity, null when flat
   * @param realizedPnl  realized by closing fills, no fees
   */
  public record Holding(PositionSide status, BigDecimal quantity, Price averagePrice, Money realizedPnl, OffsetDateTime openedAt,
      OffsetDateTime closedAt) {}

  /** The view of {@code state}, a trader of an instrument quoted in {@code currency}. */
  public static SymbolView of(SymbolTrader.State state, String currency) {
    InstrumentId id = state.instrument();
    NetPosition p = state.position();
    Holding holding = new Holding(p.side(), p.quantity(), p.averagePrice(), Money.of(p.realizedPnl(), currency), ApiTimes.of(p.openedAt(), id),
        ApiTimes.of(p.closedAt(), id));
    return new SymbolView(id, currency, state.strategy(), ApiTimes.of(state.lastBarApplied(), id), state.lastSessionEnded(), holding,
        state.orders().stream().map(o -> OrderView.of(o, currency)).toList(),
        state.roundTrips().stream().map(t -> TradeView.of(t, currency)).toList());
  }
}
