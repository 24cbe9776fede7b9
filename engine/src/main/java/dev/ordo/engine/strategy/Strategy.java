package dev.ordo.engine.strategy;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * A trading strategy for one instrument, written as pure functions from (state, input) to a
 * {@link Decision}. It reads no clock and does no I/O, so the same inputs give the same
 * decisions on every run and on journal recovery. The {@code SymbolTrader} actor calls it
 * in this order for every bar b: {@link #onBarOpen} when b opens, {@link #onFill} for each
 * fill the broker matched against b, {@link #onBar} once b is complete, and
 * {@link #onSessionEnd} after the last bar of a session.
 */
public interface Strategy {

  /** Stable name of the strategy, e.g. {@code 80-20}. */
  String name();

  /** The state before the first bar. */
  StrategyState initialState();

  /** Bar opening at {@code tsOpen} (exchange offset): session roll-over and time-based exits. */
  Decision onBarOpen(StrategyState state, OffsetDateTime tsOpen);

  /** A fill of the strategy's order {@code role}: quantity in instrument units, price in instrument currency. */
  Decision onFill(StrategyState state, OrderRole role, Quantity quantity, Price price);

  /** The order for {@code role} ended without a fill (canceled, rejected or expired). */
  Decision onOrderClosed(StrategyState state, OrderRole role, OrderStatus status);

  /** Bar {@code bar} is complete. */
  Decision onBar(StrategyState state, Bar bar);

  /** The session of local date {@code session} has ended (after its last bar). */
  Decision onSessionEnd(StrategyState state, LocalDate session);

  /** The last price the strategy saw in {@code state} (instrument currency), if it keeps one: what sizes an expert's BUY without a quantity. */
  default java.util.Optional<dev.ordo.engine.model.Price> lastPrice(StrategyState state) {
    return java.util.Optional.empty();
  }
}
