package dev.ordo.engine.strategy;

import java.util.List;

/** The outcome of one strategy step: its next state and the order actions to take, in order. */
public record Decision(StrategyState state, List<OrderAction> actions) {

  public Decision {
    actions = List.copyOf(actions);
  }

  public static Decision stay(StrategyState state) {
    return new Decision(state, List.of());
  }
}
