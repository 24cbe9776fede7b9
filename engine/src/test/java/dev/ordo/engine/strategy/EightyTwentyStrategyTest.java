package dev.ordo.engine.strategy;

import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rule of shared/specs/strategy-80-20.md on hand-built bars, at the decision level. */
class EightyTwentyStrategyTest {

  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);

  final EightyTwentyStrategy strategy = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());

  /** A previous session that opened in its top 20% and closed in its bottom 20%: high 110, low 100. */
  StrategyState afterSetupSession() {
    StrategyState s = strategy.initialState();
    s = open(s, bar(D0, "09:15", "109", "110", "105", "106"));
    s = close(s, bar(D0, "09:15", "109", "110", "105", "106"));
    s = open(s, bar(D0, "09:20", "106", "106", "100", "101"));
    s = close(s, bar(D0, "09:20", "106", "106", "100", "101"));
    return strategy.onSessionEnd(s, D0).state();
  }

  StrategyState open(StrategyState s, Bar b) {
    return strategy.onBarOpen(s, b.tsOpen()).state();
  }

  StrategyState close(StrategyState s, Bar b) {
    return strategy.onBar(s, b).state();
  }

  static EightyTwentyStrategy.State state(StrategyState s) {
    return (EightyTwentyStrategy.State) s;
  }

  @Test
  void setupNeedsOpenInTopFifthAndCloseInBottomFifth() {
    StrategyState s = afterSetupSession();
    s = open(s, bar(D1, "09:15", "101", "102", "100.5", "101"));
    assertEquals(Price.of("100"), state(s).prevLow());

    // Open 107 is below low + 0.8R = 108: no setup.
    StrategyState t = strategy.initialState();
    t = close(open(t, bar(D0, "09:15", "107", "110", "100", "101")), bar(D0, "09:15", "107", "110", "100", "101"));
    t = open(t, bar(D1, "09:15", "101", "102", "99", "101"));
    assertNull(state(t).prevLow());
    Decision d = strategy.onBar(t, bar(D1, "09:15", "101", "102", "99", "101"));
    assertTrue(d.actions().isEmpty(), "no orders without a setup even when a bar breaks the previous low");

    // Close 103 is above low + 0.2R = 102: no setup.
    StrategyState u = strategy.initialState();
    u = close(open(u, bar(D0, "09:15", "109", "110", "100", "103")), bar(D0, "09:15", "109", "110", "100", "103"));
    assertNull(state(open(u, bar(D1, "09:15", "101", "102", "99", "101"))).prevLow());

    // Zero range: no setup.
    StrategyState z = strategy.initialState();
    z = close(open(z, bar(D0, "09:15", "100", "100", "100", "100")), bar(D0, "09:15", "100", "100", "100", "100"));
    assertNull(state(open(z, bar(D1, "09:15", "100", "100", "99", "100"))).prevLow());
  }

  @Test
  void firstSessionOfAnInstrumentIsNeverASetup() {
    StrategyState s = open(strategy.initialState(), bar(D0, "09:15", "109", "110", "100", "101"));
    assertNull(state(s).prevLow());
  }

  @Test
  void armsOnABarBelowPrevLowAndPlacesABuyStopAtPrevLow() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "102", "100.5", "101"));
    Decision notYet = strategy.onBar(s, bar(D1, "09:15", "101", "102", "100.5", "101"));
    assertTrue(notYet.actions().isEmpty(), "low 100.5 is not below prevLow 100");
    assertFalse(state(notYet.state()).armed());

    s = open(notYet.state(), bar(D1, "09:20", "101", "101", "99.5", "100"));
    Decision armed = strategy.onBar(s, bar(D1, "09:20", "101", "101", "99.5", "100"));
    assertTrue(state(armed.state()).armed());
    assertEquals(List.of(new OrderAction.Place(OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(1000), Price.of("100"),
        null, null)), armed.actions(), "BUY stop at prevLow for floor(100000 / 100) shares");

    // While the entry works, no second entry order.
    s = open(armed.state(), bar(D1, "09:25", "100", "100", "99", "99.5"));
    assertTrue(strategy.onBar(s, bar(D1, "09:25", "100", "100", "99", "99.5")).actions().isEmpty());
  }

  @Test
  void entryQuantityIsAtLeastOneShare() {
    EightyTwentyStrategy expensive = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
    StrategyState s = expensive.initialState();
    Bar a = bar(D0, "09:15", "190000", "200000", "150000", "151000");
    s = expensive.onBar(expensive.onBarOpen(s, a.tsOpen()).state(), a).state();
    Bar b = bar(D1, "09:15", "151000", "151000", "149000", "150000");
    Decision d = expensive.onBar(expensive.onBarOpen(s, b.tsOpen()).state(), b);
    assertEquals(Quantity.of(1), ((OrderAction.Place) d.actions().get(0)).quantity());
  }

  @Test
  void afterAnEntryFillPlacesAStopAtTheSessionLowFloorTickedThenTrailsOnlyUpward() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.53", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.53", "100"));
    s = open(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    Decision stop = strategy.onBar(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    assertEquals(List.of(new OrderAction.Place(OrderRole.STOP_LOSS, OrderSide.SELL, OrderType.STOP_MARKET, Quantity.of(1000),
        Price.of("99.50"), null, ExitReason.STOP)), stop.actions(), "stop at floorTick(session low 99.53) = 99.50");

    s = open(stop.state(), bar(D1, "09:25", "100.5", "101", "100.12", "100.8"));
    Decision raise = strategy.onBar(s, bar(D1, "09:25", "100.5", "101", "100.12", "100.8"));
    assertEquals(List.of(new OrderAction.ModifyTrigger(OrderRole.STOP_LOSS, Price.of("100.10"), ExitReason.TRAIL)), raise.actions());

    s = open(raise.state(), bar(D1, "09:30", "100.8", "101", "100.14", "100.5"));
    Decision same = strategy.onBar(s, bar(D1, "09:30", "100.8", "101", "100.14", "100.5"));
    assertTrue(same.actions().isEmpty(), "floorTick(100.14) = 100.10 is not above the stop");

    s = open(same.state(), bar(D1, "09:35", "100.5", "100.6", "100.11", "100.2"));
    Decision lower = strategy.onBar(s, bar(D1, "09:35", "100.5", "100.6", "100.11", "100.2"));
    assertTrue(lower.actions().isEmpty(), "the stop is never lowered");
    assertEquals(Price.of("100.10"), state(lower.state()).stop());
    assertTrue(state(lower.state()).stopRaised());
  }

  @Test
  void aStopOutDisarmsAndANewBarBelowPrevLowReArmsEvenTheStopOutBar() {
    StrategyState s = enteredAndStopped();
    EightyTwentyStrategy.State after = state(s);
    assertFalse(after.armed(), "stop-out disarms");
    assertEquals(1, after.entries());
    // The stop-out bar itself dips below prevLow: re-armed, new entry.
    Decision again = strategy.onBar(s, bar(D1, "09:30", "100", "100", "99.8", "99.9"));
    assertEquals(1, again.actions().size());
    assertEquals(OrderRole.ENTRY, ((OrderAction.Place) again.actions().get(0)).role());
  }

  @Test
  void aStopOutBarThatStaysAbovePrevLowDoesNotReArm() {
    StrategyState s = enteredAndStopped();
    Decision none = strategy.onBar(s, bar(D1, "09:30", "100.6", "100.7", "100.2", "100.3"));
    assertTrue(none.actions().isEmpty());
  }

  /** Entered at 100 during 09:20, stop placed, stopped out during 09:30 (bar passed to onBar by the caller). */
  StrategyState enteredAndStopped() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = open(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    s = close(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = open(s, bar(D1, "09:25", "100.5", "101", "100.6", "100.8"));
    s = close(s, bar(D1, "09:25", "100.5", "101", "100.6", "100.8"));
    s = open(s, bar(D1, "09:30", "100.6", "100.7", "99.8", "99.9"));
    return strategy.onFill(s, OrderRole.STOP_LOSS, Quantity.of(1000), Price.of("100.6")).state();
  }

  @Test
  void noMoreThanMaxEntriesPerDay() {
    StrategyState s = enteredAndStopped();
    s = close(s, bar(D1, "09:30", "100", "100", "99.8", "99.9"));
    s = open(s, bar(D1, "09:35", "99.9", "100.5", "99.7", "100.2"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    s = close(s, bar(D1, "09:35", "99.9", "100.5", "99.7", "100.2"));
    s = open(s, bar(D1, "09:40", "100.2", "100.3", "99", "99.2"));
    s = strategy.onFill(s, OrderRole.STOP_LOSS, Quantity.of(1000), Price.of("99.65")).state();
    assertEquals(2, state(s).entries());
    Decision third = strategy.onBar(s, bar(D1, "09:40", "100.2", "100.3", "99", "99.2"));
    assertTrue(third.actions().isEmpty(), "a third entry is refused");
  }

  @Test
  void noEntryOrderFromTheLastEntryBarOn() {
    StrategyState s = open(afterSetupSession(), bar(D1, "15:05", "101", "101", "99.5", "100"));
    assertEquals(1, strategy.onBar(s, bar(D1, "15:05", "101", "101", "99.5", "100")).actions().size(), "15:05 < 15:10");
    StrategyState t = open(afterSetupSession(), bar(D1, "15:10", "101", "101", "99.5", "100"));
    assertTrue(strategy.onBar(t, bar(D1, "15:10", "101", "101", "99.5", "100")).actions().isEmpty(), "15:10 is not before 15:10");
  }

  @Test
  void sessionExitCancelsTheEntryAndSellsThePositionAtTheFirstBarFromSessionExit() {
    StrategyState s = open(afterSetupSession(), bar(D1, "14:00", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "14:00", "101", "101", "99.5", "100"));
    assertTrue(state(s).entryWorking());
    Decision exit = strategy.onBarOpen(s, bar(D1, "15:15", "100", "100", "99", "99").tsOpen());
    assertEquals(List.of(new OrderAction.Cancel(OrderRole.ENTRY)), exit.actions());
    assertTrue(state(exit.state()).exited());
    Decision after = strategy.onBar(exit.state(), bar(D1, "15:15", "100", "100", "99", "99"));
    assertTrue(after.actions().isEmpty(), "no further orders that session");

    StrategyState p = enteredAndStopped();
    p = close(p, bar(D1, "09:30", "100", "100", "99.8", "99.9"));
    p = open(p, bar(D1, "09:35", "99.9", "100.5", "99.7", "100.2"));
    p = strategy.onFill(p, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    p = close(p, bar(D1, "09:35", "99.9", "100.5", "99.7", "100.2"));
    // No 15:15 bar; the first bar from 15:15 on is 15:20.
    p = open(p, bar(D1, "15:10", "100.2", "100.3", "100.1", "100.2"));
    assertTrue(strategy.onBarOpen(p, bar(D1, "15:10", "100", "100", "100", "100").tsOpen()).actions().isEmpty());
    Decision sell = strategy.onBarOpen(p, bar(D1, "15:20", "100", "100", "99", "99").tsOpen());
    assertEquals(List.of(new OrderAction.Cancel(OrderRole.STOP_LOSS),
        new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null, ExitReason.SESSION_END)), sell.actions());
  }

  @Test
  void aSessionWithoutASessionExitBarSellsAtItsEndAndCancelsTheEntry() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = open(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    s = close(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    Decision end = strategy.onSessionEnd(s, D1);
    assertEquals(List.of(new OrderAction.Cancel(OrderRole.STOP_LOSS),
        new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null, ExitReason.SESSION_END)), end.actions());

    StrategyState w = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    w = close(w, bar(D1, "09:15", "101", "101", "99.5", "100"));
    assertEquals(List.of(new OrderAction.Cancel(OrderRole.ENTRY)), strategy.onSessionEnd(w, D1).actions());
  }

  @Test
  void aSessionThatAlreadyExitedDoesNothingAtItsEnd() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = open(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    s = close(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    Decision exit = strategy.onBarOpen(s, bar(D1, "15:15", "100", "100", "99", "99").tsOpen());
    assertEquals(2, exit.actions().size(), "the 15:15 bar cancels the stop and sells: " + exit.actions());
    // The exit's sell has not filled yet: the position is still held, but the session exited once.
    assertEquals(Quantity.of(1000), state(exit.state()).position());
    assertTrue(strategy.onSessionEnd(exit.state(), D1).actions().isEmpty(), "no second sell at the session end");
  }

  @Test
  void barsAfterSessionExitStillCountForTheNextSetup() {
    StrategyState s = strategy.initialState();
    s = close(open(s, bar(D0, "15:10", "109", "110", "105", "106")), bar(D0, "15:10", "109", "110", "105", "106"));
    // After the 15:15 exit the session still records its low and close.
    s = close(open(s, bar(D0, "15:15", "106", "106", "100", "101")), bar(D0, "15:15", "106", "106", "100", "101"));
    s = open(s, bar(D1, "09:15", "101", "101", "100", "101"));
    assertEquals(Price.of("100"), state(s).prevLow());
  }

  @Test
  void aCanceledEntryFreesTheSlot() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = strategy.onOrderClosed(s, OrderRole.ENTRY, OrderStatus.REJECTED).state();
    assertFalse(state(s).entryWorking());
    assertEquals(1, strategy.onBar(open(s, bar(D1, "09:20", "100", "100", "99", "99")), bar(D1, "09:20", "100", "100", "99", "99")).actions().size());
  }
  /** Entered at 100 during 09:20 and the stop at 99.50 placed after it. */
  StrategyState enteredWithStop() {
    StrategyState s = open(afterSetupSession(), bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = close(s, bar(D1, "09:15", "101", "101", "99.5", "100"));
    s = open(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
    s = strategy.onFill(s, OrderRole.ENTRY, Quantity.of(1000), Price.of("100")).state();
    return close(s, bar(D1, "09:20", "100", "101", "99.9", "100.5"));
  }

  static final OrderAction.Place SELL_AT_MARKET = new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null,
      null, ExitReason.STOP_REJECTED);

  @Test
  void aRejectedStopSellsThePositionAtMarketAtOnceAndThatSaleDisarmsLikeAStopOut() {
    StrategyState s = enteredWithStop();
    assertTrue(state(s).stopWorking());
    Decision rejected = strategy.onOrderClosed(s, OrderRole.STOP_LOSS, OrderStatus.REJECTED);
    assertEquals(List.of(SELL_AT_MARKET), rejected.actions(), "never left without protection");
    assertFalse(state(rejected.state()).stopWorking());
    assertTrue(state(rejected.state()).exitWorking());

    s = open(rejected.state(), bar(D1, "09:25", "100.5", "101", "100.3", "100.8"));
    assertTrue(strategy.onBar(s, bar(D1, "09:25", "100.5", "101", "100.3", "100.8")).actions().isEmpty(),
        "no trail of a stop that is not working, no entry while the position is sold");
    s = strategy.onFill(s, OrderRole.EXIT, Quantity.of(1000), Price.of("100.5")).state();
    assertEquals(Quantity.ZERO, state(s).position());
    assertFalse(state(s).armed(), "the sale disarms");
    assertEquals(null, state(s).stop());
    s = open(s, bar(D1, "09:30", "100.8", "101", "100.2", "100.9"));
    assertTrue(strategy.onBar(s, bar(D1, "09:30", "100.8", "101", "100.2", "100.9")).actions().isEmpty(), "a bar above prevLow does not re-arm");
    s = open(s, bar(D1, "09:35", "100.2", "100.3", "99.8", "100"));
    assertEquals(OrderRole.ENTRY, ((OrderAction.Place) strategy.onBar(s, bar(D1, "09:35", "100.2", "100.3", "99.8", "100")).actions().get(0))
        .role(), "a new bar below prevLow re-arms");
  }

  @Test
  void aStopThatEndsWhileTheSessionExitSellsAddsNoSecondSale() {
    Decision exit = strategy.onBarOpen(enteredWithStop(), bar(D1, "15:15", "100", "100", "99", "99").tsOpen());
    assertTrue(strategy.onOrderClosed(exit.state(), OrderRole.STOP_LOSS, OrderStatus.CANCELED).actions().isEmpty());
    assertTrue(strategy.onOrderClosed(exit.state(), OrderRole.STOP_LOSS, OrderStatus.REJECTED).actions().isEmpty());
  }

  @Test
  void aRefusedExitIsPlacedAgainAtTheNextBarOpenAndTheSessionExitSellsOnlyOnce() {
    StrategyState selling = strategy.onOrderClosed(enteredWithStop(), OrderRole.STOP_LOSS, OrderStatus.REJECTED).state();
    StrategyState refused = strategy.onOrderClosed(selling, OrderRole.EXIT, OrderStatus.REJECTED).state();
    assertFalse(state(refused).exitWorking());
    Decision again = strategy.onBarOpen(refused, bar(D1, "09:25", "100.5", "101", "100.3", "100.8").tsOpen());
    assertEquals(List.of(SELL_AT_MARKET), again.actions());

    Decision sessionExit = strategy.onBarOpen(refused, bar(D1, "15:15", "100", "100", "99", "99").tsOpen());
    assertEquals(List.of(new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
        ExitReason.SESSION_END)), sessionExit.actions(), "the session exit sells it (no stop to cancel)");
    Decision exitWhileSelling = strategy.onBarOpen(again.state(), bar(D1, "15:15", "100", "100", "99", "99").tsOpen());
    assertTrue(exitWhileSelling.actions().isEmpty(), "an exit already working is not doubled at the session exit");
    assertTrue(state(exitWhileSelling.state()).exited());
    assertTrue(strategy.onBarOpen(exitWhileSelling.state(), bar(D1, "15:20", "100", "100", "99", "99").tsOpen()).actions().isEmpty());
    StrategyState exitRefused = strategy.onOrderClosed(sessionExit.state(), OrderRole.EXIT, OrderStatus.REJECTED).state();
    assertEquals(List.of(new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
        ExitReason.SESSION_END)), strategy.onBarOpen(exitRefused, bar(D1, "15:20", "100", "100", "99", "99").tsOpen()).actions(),
        "after the session exit too");
  }
}
