package dev.ordo.engine.strategy;

import dev.ordo.engine.venue.BarFillModel;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs a {@link Strategy} over one instrument's bars synchronously, with the paper broker's
 * {@link BarFillModel}, without actors, journal or broker. It follows the same per-bar order as
 * the engine (bar open, matching, bar complete, session end), so its trades are an independent
 * cross-check of the actor engine's report, and it is fast enough for parameter sweeps.
 */
public final class Backtester {

  private Backtester() {}

  private record Working(OrderSide side, OrderType type, Quantity quantity, Price trigger, Price limit, dev.ordo.engine.model.ExitReason reason) {}

  /** Runs the strategy made by {@code strategies} over every instrument and returns all round trips, ordered by entry time then instrument. */
  public static List<RoundTrip> run(List<InstrumentBars> data, Function<InstrumentBars, Strategy> strategies) {
    List<RoundTrip> trades = new ArrayList<>();
    for (InstrumentBars instrumentBars : data) trades.addAll(run(instrumentBars.bars(), strategies.apply(instrumentBars)));
    trades.sort(Comparator.comparing((RoundTrip t) -> t.entryTime().toInstant()).thenComparing(RoundTrip::instrument));
    return trades;
  }

  /** Runs {@code strategy} over the bars of one instrument, oldest first. */
  public static List<RoundTrip> run(List<Bar> bars, Strategy strategy) {
    List<RoundTrip> trades = new ArrayList<>();
    Map<OrderRole, Working> working = new EnumMap<>(OrderRole.class);
    StrategyState state = strategy.initialState();
    Quantity position = Quantity.ZERO;
    Price entryPrice = null;
    OffsetDateTime entryTime = null;
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      state = apply(strategy.onBarOpen(state, bar.tsOpen()), working, strategy);
      for (OrderRole role : List.copyOf(working.keySet())) {
        Working order = working.get(role);
        Optional<Price> px = BarFillModel.match(order.type(), order.side(), order.trigger(), order.limit(), bar);
        if (px.isEmpty()) continue;
        working.remove(role);
        if (order.side() == OrderSide.BUY) {
          position = position.plus(order.quantity());
          entryPrice = px.get();
          entryTime = bar.tsOpen();
        } else {
          trades.add(RoundTrip.of(bar.instrumentId(), OrderSide.BUY, order.quantity(), entryTime, entryPrice, bar.tsOpen(), px.get(), order.reason()));
          position = position.minus(order.quantity());
        }
        state = apply(strategy.onFill(state, role, order.quantity(), px.get()), working, strategy);
      }
      state = apply(strategy.onBar(state, bar), working, strategy);
      boolean lastOfSession = i + 1 == bars.size() || !bars.get(i + 1).tsOpen().toLocalDate().equals(bar.tsOpen().toLocalDate());
      if (lastOfSession) {
        state = apply(strategy.onSessionEnd(state, bar.tsOpen().toLocalDate()), working, strategy);
        // After the close, a market order fills at the session's closing price.
        Working exit = working.get(OrderRole.EXIT);
        if (exit != null && exit.type() == OrderType.MARKET) {
          working.remove(OrderRole.EXIT);
          trades.add(RoundTrip.of(bar.instrumentId(), OrderSide.BUY, exit.quantity(), entryTime, entryPrice, bar.tsOpen(), bar.close(), exit.reason()));
          position = position.minus(exit.quantity());
          state = apply(strategy.onFill(state, OrderRole.EXIT, exit.quantity(), bar.close()), working, strategy);
        }
      }
    }
    return trades;
  }

  private static StrategyState apply(Decision decision, Map<OrderRole, Working> working, Strategy strategy) {
    StrategyState state = decision.state();
    for (OrderAction action : decision.actions()) {
      if (action instanceof OrderAction.Place p) {
        working.put(p.role(), new Working(p.side(), p.type(), p.quantity(), p.trigger(), p.limit(), p.reason()));
      } else if (action instanceof OrderAction.ModifyTrigger m) {
        Working w = working.get(m.role());
        if (w != null) working.put(m.role(), new Working(w.side(), w.type(), w.quantity(), m.trigger(), w.limit(), m.reason()));
      } else if (action instanceof OrderAction.Cancel c) {
        if (working.remove(c.role()) != null) state = strategy.onOrderClosed(state, c.role(), OrderStatus.CANCELED).state();
      }
    }
    return state;
  }
}
