package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.trading.Position;
import dev.ordo.sim.SimStats;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The engine-versus-broker invariants of the soak and the simulator crash test, each seen to hold and to fail. */
class BrokerInvariantsTest {

  static final AccountId ACCOUNT = AccountId.of("SIM1");
  static final Fill BUY = VerifyCommandTest.fill("F1", 1, OrderSide.BUY, 10);
  static final Fill SELL = VerifyCommandTest.fill("F2", 2, OrderSide.SELL, 10);

  static SimStats.Snapshot stats(long fills, long duplicates) {
    return new SimStats.Snapshot(1, 0, 0, 2, duplicates, 1, 1, fills, 0, 0, 0, 0, 0, 0);
  }

  static Position.State position(long quantity, long fills, String... tradeIds) {
    NetPosition net = quantity == 0 ? NetPosition.FLAT
        : NetPosition.FLAT.apply(VerifyCommandTest.fill("X", 9, quantity > 0 ? OrderSide.BUY : OrderSide.SELL, Math.abs(quantity)));
    return new Position.State(ACCOUNT, VerifyCommandTest.TCS, net, fills,
        dev.ordo.engine.model.AppliedTradeIds.ofOld(Set.of(tradeIds).stream().map(TradeId::of).collect(java.util.stream.Collectors.toSet())));
  }

  static PositionReport broker(long net) {
    BigDecimal q = BigDecimal.valueOf(net);
    return new PositionReport(VerifyCommandTest.TCS, BigDecimal.TEN, BigDecimal.TEN.subtract(q), BigDecimal.ZERO, BigDecimal.ZERO, q);
  }

  static List<Boolean> holds(BrokerInvariants.Truth truth) {
    return BrokerInvariants.check(truth).stream().map(BrokerInvariants.Check::holds).toList();
  }

  @Test
  void aRoundTripAppliedOnceAndFlatAtBothHoldsEverything() {
    assertEquals(List.of(true, true, true, true),
        holds(new BrokerInvariants.Truth(stats(2, 0), List.of(BUY, SELL), List.of(broker(0)), List.of(position(0, 2, "F1", "F2")))));
  }

  @Test
  void aFillThePositionNoLongerRemembersCountsWhenItsCountSaysItWasApplied() {
    // F1 bought, then F2 sold nine days later: the position remembers F2 only (a week of fill time)
    Fill late = new Fill(SELL.tradeId(), SELL.clientOrderId(), SELL.venueOrderId(), SELL.instrumentId(), SELL.side(), SELL.lastQty(), SELL.lastPx(),
        BUY.tsEvent().plusDays(9));
    dev.ordo.engine.model.AppliedTradeIds remembered = dev.ordo.engine.model.AppliedTradeIds.NONE.with(BUY).with(late);
    assertEquals(Set.of(late.tradeId()), remembered.recent());
    assertEquals(List.of(true, true, true, true), holds(new BrokerInvariants.Truth(stats(2, 0), List.of(BUY, late), List.of(broker(0)),
        List.of(new Position.State(ACCOUNT, VerifyCommandTest.TCS, NetPosition.FLAT, 2, remembered)))));
    // the same, but the buy was never applied (one fill counted): missing, whatever the window says
    assertEquals(List.of(true, false, true, true), holds(new BrokerInvariants.Truth(stats(2, 0), List.of(BUY, late), List.of(broker(0)),
        List.of(new Position.State(ACCOUNT, VerifyCommandTest.TCS, NetPosition.FLAT, 1,
            dev.ordo.engine.model.AppliedTradeIds.NONE.with(late))))));
  }

  @Test
  void eachBreakShowsInItsOwnInvariant() {
    // a duplicate ClientOrderId at the broker
    assertEquals(List.of(false, true, true, true),
        holds(new BrokerInvariants.Truth(stats(2, 1), List.of(BUY, SELL), List.of(broker(0)), List.of(position(0, 2, "F1", "F2")))));
    // a fill applied twice (three fills counted for two trade ids)
    assertEquals(List.of(true, false, true, true),
        holds(new BrokerInvariants.Truth(stats(2, 0), List.of(BUY, SELL), List.of(broker(0)), List.of(position(0, 3, "F1", "F2")))));
    // the sale missed: the engine still holds 10, the broker nothing
    assertEquals(List.of(true, false, false, true),
        holds(new BrokerInvariants.Truth(stats(2, 0), List.of(BUY, SELL), List.of(broker(0)), List.of(position(10, 1, "F1")))));
    // a fill the simulator made that its trade book does not show
    assertEquals(List.of(true, false, true, true),
        holds(new BrokerInvariants.Truth(stats(3, 0), List.of(BUY, SELL), List.of(broker(0)), List.of(position(0, 2, "F1", "F2")))));
    // sold twice: short at both
    assertEquals(List.of(true, true, true, false),
        holds(new BrokerInvariants.Truth(stats(1, 0), List.of(SELL), List.of(broker(-10)), List.of(position(-10, 1, "F2")))));
  }
}
