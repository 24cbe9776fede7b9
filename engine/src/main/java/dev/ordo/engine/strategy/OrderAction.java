package dev.ordo.engine.strategy;

import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;

/** What a strategy asks its symbol trader to do with orders, named by {@link OrderRole}. */
public sealed interface OrderAction {

  /**
   * Place a new order for {@code role}.
   *
   * @param trigger stop trigger price (STOP_MARKET, STOP_LIMIT), else null
   * @param limit   limit price (LIMIT, STOP_LIMIT), else null
   * @param reason  the exit reason recorded if this order closes the position (e.g. {@code STOP}); null for entries
   */
  record Place(
      OrderRole role, OrderSide side, OrderType type, Quantity quantity, Price trigger, Price limit, ExitReason reason)
      implements OrderAction {}

  /** Move the trigger of the working order for {@code role}; {@code reason} replaces its exit reason. */
  record ModifyTrigger(OrderRole role, Price trigger, ExitReason reason) implements OrderAction {}

  /** Cancel the working order for {@code role}. */
  record Cancel(OrderRole role) implements OrderAction {}
}
