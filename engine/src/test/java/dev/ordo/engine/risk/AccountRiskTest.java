package dev.ordo.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.time.ReplayClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The risk actor's exact events and verdicts: each limit one under, at and one over; the kill switch; the daily loss halt. */
class AccountRiskTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final AccountId ACCOUNT = AccountId.of("paper");
  static final InstrumentId TCS = InstrumentId.parse("TCS-EQ.NSE");
  static final InstrumentId INFY = InstrumentId.parse("INFY-EQ.NSE");
  static final InstrumentId SBIN = InstrumentId.parse("SBIN-EQ.NSE");
  static final ZoneId IST = ZoneId.of("Asia/Kolkata");
  /** 2024-01-16 09:30 IST. */
  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final LocalDate DAY = LocalDate.of(2024, 1, 16);
  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:20:00+05:30");

  ReplayClock clock;
  EventSourcedBehaviorTestKit<AccountRisk.Command, AccountRisk.Event, AccountRisk.State> kit;
  int orders;
  int trades;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A new kit (journal cleared) for an account with {@code limits}. */
  void start(RiskLimits limits) {
    clock = new ReplayClock(NOW);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), AccountRisk.create(ACCOUNT, new AccountRisk.Settings(limits, clock, IST)));
    kit.clear();
  }

  static RiskLimits limits(String orderNotional, String positionQuantity, String positionNotional, Integer openPositions, String dailyLoss) {
    return new RiskLimits(orderNotional == null ? null : new BigDecimal(orderNotional), positionQuantity == null ? null : new BigDecimal(positionQuantity),
        positionNotional == null ? null : new BigDecimal(positionNotional), openPositions, dailyLoss == null ? null : new BigDecimal(dailyLoss));
  }

  OrderRequest order(InstrumentId instrument, OrderSide side, long quantity, OrderType type, String trigger, String limit) {
    return new OrderRequest(ClientOrderId.of("C-" + (++orders)), instrument, side, type, Quantity.of(quantity),
        trigger == null ? null : Price.of(trigger), limit == null ? null : Price.of(limit), TimeInForce.DAY);
  }

  OrderRequest buyLimit(InstrumentId instrument, long quantity, String limit) {
    return order(instrument, OrderSide.BUY, quantity, OrderType.LIMIT, null, limit);
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<AccountRisk.Command, AccountRisk.Event, AccountRisk.State, AccountRisk.Verdict> check(
      OrderRequest order) {
    return kit.runCommand(replyTo -> new AccountRisk.CheckOrder(order, replyTo));
  }

  Fill fill(InstrumentId instrument, OrderSide side, long quantity, String price, OffsetDateTime at) {
    String id = "T" + (++trades);
    return new Fill(TradeId.of(id), ClientOrderId.of("F-" + id), VenueOrderId.of("V-" + id), instrument, side, Quantity.of(quantity),
        Price.of(price), at);
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<AccountRisk.Command, AccountRisk.Event, AccountRisk.State, Done> apply(Fill fill) {
    return kit.runCommand(replyTo -> new AccountRisk.ApplyFill(fill, replyTo));
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<AccountRisk.Command, AccountRisk.Event, AccountRisk.State, AccountRisk.ControlAnswer> halt(
      String by) {
    return kit.runCommand(replyTo -> new AccountRisk.Halt(by, null, replyTo));
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<AccountRisk.Command, AccountRisk.Event, AccountRisk.State, AccountRisk.ControlAnswer> resume(
      String by) {
    return kit.runCommand(replyTo -> new AccountRisk.Resume(by, replyTo));
  }

  void assertApproved(OrderRequest order) {
    var result = check(order);
    assertEquals(new AccountRisk.Approved(order.clientOrderId()), result.reply(), () -> "approved: " + order);
    assertTrue(result.hasNoEvents(), "an approval journals nothing");
  }

  /** Asserts {@code order} is refused with {@code code} and {@code detail}, and that exactly that refusal was journaled. */
  void assertRefused(OrderRequest order, String code, String detail) {
    var result = check(order);
    assertEquals(new AccountRisk.Refused(order.clientOrderId(), code, detail), result.reply());
    assertEquals(new AccountRisk.OrderRefused(ACCOUNT, order.clientOrderId(), order.instrumentId(), order.side(), order.quantity(), code, detail,
        clock.instant()), result.event());
  }

  // ---------------------------------------------------------------- each limit: one under, at, one over

  @Test
  void maxOrderNotionalPassesOneUnderAndAtTheLimitAndRefusesOneOver() {
    start(limits("100000", null, null, null, null));
    assertApproved(buyLimit(TCS, 100, "999.99"));
    assertApproved(buyLimit(TCS, 100, "1000"));
    OrderRequest over = buyLimit(TCS, 100, "1000.01");
    assertRefused(over, "RISK_MAX_ORDER_NOTIONAL",
        "BUY 100 TCS-EQ.NSE at 1000.01 (its limit) is a notional of 100001.00, over the max-order-notional 100000");
    assertEquals(1, kit.getState().ordersRefused());
  }

  @Test
  void aStopOrderIsValuedAtItsTriggerAndAMarketOrderAtTheLastFillOrRefusedWithoutAPrice() {
    start(limits("1000", null, null, null, null));
    assertApproved(order(TCS, OrderSide.BUY, 10, OrderType.STOP_MARKET, "100", null));
    assertRefused(order(TCS, OrderSide.BUY, 10, OrderType.STOP_MARKET, "100.1", null), "RISK_MAX_ORDER_NOTIONAL",
        "BUY 10 TCS-EQ.NSE at 100.1 (its trigger) is a notional of 1001.0, over the max-order-notional 1000");
    assertRefused(order(TCS, OrderSide.BUY, 1, OrderType.MARKET, null, null), "RISK_MAX_ORDER_NOTIONAL",
        "BUY 1 TCS-EQ.NSE (MARKET) has no limit or trigger and TCS-EQ.NSE has not filled yet: no price to check it against the max-order-notional");
    apply(fill(TCS, OrderSide.BUY, 1, "100", T0));
    assertApproved(order(TCS, OrderSide.BUY, 9, OrderType.MARKET, null, null));
    assertRefused(order(TCS, OrderSide.BUY, 11, OrderType.MARKET, null, null), "RISK_MAX_ORDER_NOTIONAL",
        "BUY 11 TCS-EQ.NSE at 100 (the last fill price) is a notional of 1100, over the max-order-notional 1000");
  }

  @Test
  void maxPositionQuantityCountsWhatIsHeldAndPassesOneUnderAndAtTheLimitAndRefusesOneOver() {
    start(limits(null, "100", null, null, null));
    apply(fill(TCS, OrderSide.BUY, 60, "100", T0));
    assertApproved(buyLimit(TCS, 39, "100"));
    assertApproved(buyLimit(TCS, 40, "100"));
    assertRefused(buyLimit(TCS, 41, "100"), "RISK_MAX_POSITION_QUANTITY",
        "BUY 41 TCS-EQ.NSE would make the position 101 (now 60), over the max-position-quantity 100");
    // a sale of more than is held opens a short: an entry, checked on what it leaves
    assertApproved(order(TCS, OrderSide.SELL, 160, OrderType.LIMIT, null, "100"));
    assertRefused(order(TCS, OrderSide.SELL, 161, OrderType.LIMIT, null, "100"), "RISK_MAX_POSITION_QUANTITY",
        "SELL 161 TCS-EQ.NSE would make the position 101 (now 60), over the max-position-quantity 100");
  }

  @Test
  void maxPositionNotionalValuesThePositionAfterTheOrderAndPassesOneUnderAndAtTheLimitAndRefusesOneOver() {
    start(limits(null, null, "10000", null, null));
    apply(fill(TCS, OrderSide.BUY, 50, "90", T0));
    assertApproved(buyLimit(TCS, 49, "100"));
    assertApproved(buyLimit(TCS, 50, "100"));
    assertRefused(buyLimit(TCS, 51, "100"), "RISK_MAX_POSITION_NOTIONAL",
        "BUY 51 TCS-EQ.NSE would make the position 101 x 100 (its limit) = 10100, over the max-position-notional 10000");
  }

  @Test
  void maxOpenPositionsPassesOneUnderAndAtTheLimitAndRefusesOneOverButLetsAnOpenPositionGrow() {
    start(limits(null, null, null, 2, null));
    assertApproved(buyLimit(TCS, 1, "100")); // 1 of 2: one under
    apply(fill(TCS, OrderSide.BUY, 1, "100", T0));
    assertApproved(buyLimit(INFY, 1, "100")); // 2 of 2: at
    apply(fill(INFY, OrderSide.BUY, 1, "100", T0));
    assertRefused(buyLimit(SBIN, 1, "100"), "RISK_MAX_OPEN_POSITIONS",
        "BUY 1 SBIN-EQ.NSE would open position 3, over the max-open-positions 2 (open now: 2)");
    assertApproved(buyLimit(TCS, 5, "100")); // an open position grows: still 2
    apply(fill(INFY, OrderSide.SELL, 1, "101", T0.plusMinutes(5)));
    assertApproved(buyLimit(SBIN, 1, "100")); // INFY closed: 2 of 2 again
  }

  // ---------------------------------------------------------------- the daily realized loss

  @Test
  void aLossOneUnderTheDailyLimitDoesNotHaltTheAccount() {
    start(limits(null, null, null, null, "1000"));
    apply(fill(TCS, OrderSide.BUY, 10, "200", T0));
    Fill sale = fill(TCS, OrderSide.SELL, 10, "100.1", T0.plusMinutes(5)); // -999
    var result = apply(sale);
    assertEquals(List.of(new AccountRisk.FillApplied(ACCOUNT, sale, DAY, NOW)), result.events());
    assertEquals(AccountRisk.TradingState.ACTIVE, result.state().tradingState());
    assertEquals(new BigDecimal("-999.0"), result.state().dailyRealizedPnl());
    assertApproved(buyLimit(TCS, 1, "100"));
  }

  @Test
  void aLossAtTheDailyLimitHaltsTheAccountInTheSameWriteAndEntriesAreRefused() {
    start(limits(null, null, null, null, "1000"));
    apply(fill(TCS, OrderSide.BUY, 10, "200", T0));
    Fill sale = fill(TCS, OrderSide.SELL, 10, "100", T0.plusMinutes(5)); // -1000
    var result = apply(sale);
    String reason = "RISK_DAILY_LOSS: realized P&L of 2024-01-16 reached -1000 with fill T2 of TCS-EQ.NSE, at or beyond the max-daily-realized-loss 1000";
    assertEquals(List.of(new AccountRisk.FillApplied(ACCOUNT, sale, DAY, NOW), new AccountRisk.Halted(ACCOUNT, reason, "risk", NOW)),
        result.events());
    assertEquals(Done.getInstance(), result.reply());
    assertRefused(buyLimit(INFY, 1, "100"), "ACCOUNT_HALTED",
        "account paper is halted (" + reason + "); only orders that reduce a position are sent until it is resumed");
  }

  @Test
  void aLossOneOverTheDailyLimitHaltsTheAccountAndAFurtherLossDoesNotHaltItAgain() {
    start(limits(null, null, null, null, "1000"));
    apply(fill(TCS, OrderSide.BUY, 11, "200", T0));
    Fill sale = fill(TCS, OrderSide.SELL, 10, "99.9", T0.plusMinutes(5)); // -1001
    var result = apply(sale);
    assertEquals(2, result.events().size());
    assertEquals(new AccountRisk.Halted(ACCOUNT, "RISK_DAILY_LOSS: realized P&L of 2024-01-16 reached -1001.0 with fill T2 of TCS-EQ.NSE, "
        + "at or beyond the max-daily-realized-loss 1000", "risk", NOW), result.events().get(1));
    Fill last = fill(TCS, OrderSide.SELL, 1, "99", T0.plusMinutes(10));
    assertEquals(List.of(new AccountRisk.FillApplied(ACCOUNT, last, DAY, NOW)), apply(last).events());
  }

  @Test
  void resumedTheSameDayEntriesAreStillRefusedByTheDailyLossAndTheNextDayStartsFromZeroButAHaltStays() {
    start(limits(null, null, null, null, "1000"));
    apply(fill(TCS, OrderSide.BUY, 10, "200", T0));
    apply(fill(TCS, OrderSide.SELL, 10, "100", T0.plusMinutes(5)));
    resume("ops");
    assertRefused(buyLimit(TCS, 1, "100"), "RISK_DAILY_LOSS",
        "realized P&L of 2024-01-16 is -1000, at or beyond the max-daily-realized-loss 1000");
    halt("ops");

    clock.advanceTo(Instant.parse("2024-01-17T03:50:00Z")); // 09:20 IST the next day
    AccountRisk.Status next = kit.<AccountRisk.Status>runCommand(replyTo -> new AccountRisk.GetStatus(replyTo)).reply();
    assertEquals(LocalDate.of(2024, 1, 17), next.tradingDay());
    assertEquals(BigDecimal.ZERO, next.dailyRealizedPnl());
    assertEquals(AccountRisk.TradingState.HALTED, next.state(), "a new day does not clear a halt");
    assertEquals("ACCOUNT_HALTED", ((AccountRisk.Refused) check(buyLimit(TCS, 1, "100")).reply()).code());
    resume("ops");
    assertApproved(buyLimit(TCS, 1, "100"));
    Fill nextDay = fill(TCS, OrderSide.BUY, 1, "100", T0.plusDays(1));
    var result = apply(nextDay);
    assertEquals(List.of(new AccountRisk.FillApplied(ACCOUNT, nextDay, LocalDate.of(2024, 1, 17), clock.instant())), result.events());
    assertEquals(LocalDate.of(2024, 1, 17), result.state().tradingDay());
    assertEquals(BigDecimal.ZERO, result.state().dailyRealizedPnl());
  }

  // ---------------------------------------------------------------- the kill switch

  @Test
  void haltThenResumeAreJournaledWithWhoAskedAndASecondOfEachIsAConflict() {
    start(RiskLimits.NONE);
    var halted = halt("alice");
    assertEquals(new AccountRisk.Halted(ACCOUNT, "halted by alice", "alice", NOW), halted.event());
    assertEquals(new AccountRisk.Changed(new AccountRisk.Status(ACCOUNT, AccountRisk.TradingState.HALTED, "halted by alice", NOW, "alice",
        RiskLimits.NONE, DAY, BigDecimal.ZERO, 0, 0)), halted.reply());

    var again = halt("bob");
    assertTrue(again.hasNoEvents());
    assertEquals(new AccountRisk.Conflict(((AccountRisk.Changed) halted.reply()).status(),
        "account paper is already HALTED (halted by alice)"), again.reply());

    assertRefused(buyLimit(TCS, 1, "100"), "ACCOUNT_HALTED",
        "account paper is halted (halted by alice); only orders that reduce a position are sent until it is resumed");

    var resumed = resume("bob");
    assertEquals(new AccountRisk.Resumed(ACCOUNT, "bob", NOW), resumed.event());
    assertEquals(new AccountRisk.Changed(new AccountRisk.Status(ACCOUNT, AccountRisk.TradingState.ACTIVE, null, NOW, "bob",
        RiskLimits.NONE, DAY, BigDecimal.ZERO, 0, 1)), resumed.reply());
    var resumedAgain = resume("bob");
    assertTrue(resumedAgain.hasNoEvents());
    assertTrue(resumedAgain.reply() instanceof AccountRisk.Conflict c && c.reason().equals("account paper is already ACTIVE"), resumedAgain.reply()::toString);
    assertApproved(buyLimit(TCS, 1, "100"));
  }

  @Test
  void aHaltedAccountStillExitsASellReducingALongPassesAndABuyOrAFlipIsRefused() {
    start(RiskLimits.NONE);
    apply(fill(TCS, OrderSide.BUY, 100, "100", T0));
    halt("alice");
    assertApproved(order(TCS, OrderSide.SELL, 40, OrderType.STOP_MARKET, "95", null));
    assertApproved(order(TCS, OrderSide.SELL, 100, OrderType.MARKET, null, null));
    String halted = "account paper is halted (halted by alice); only orders that reduce a position are sent until it is resumed";
    assertRefused(order(TCS, OrderSide.SELL, 101, OrderType.MARKET, null, null), "ACCOUNT_HALTED", halted);
    assertRefused(order(TCS, OrderSide.BUY, 1, OrderType.MARKET, null, null), "ACCOUNT_HALTED", halted);
    assertRefused(order(INFY, OrderSide.SELL, 1, OrderType.MARKET, null, null), "ACCOUNT_HALTED", halted);
  }

  @Test
  void aRestartKeepsTheHaltThePositionsAndTheRefusals() {
    start(limits(null, "100", null, null, null));
    apply(fill(TCS, OrderSide.BUY, 100, "100", T0));
    halt("alice");
    check(buyLimit(TCS, 1, "100"));
    AccountRisk.State before = kit.getState();
    kit.restart();
    assertEquals(before, kit.getState());
    assertEquals(AccountRisk.TradingState.HALTED, kit.getState().tradingState());
    assertEquals(new BigDecimal("100"), kit.getState().quantity(TCS));
    assertApproved(order(TCS, OrderSide.SELL, 100, OrderType.MARKET, null, null));
  }

  @Test
  void aFillDeliveredAgainIsAppliedOnce() {
    start(RiskLimits.NONE);
    Fill buy = fill(TCS, OrderSide.BUY, 100, "100", T0);
    assertEquals(List.of(new AccountRisk.FillApplied(ACCOUNT, buy, DAY, NOW)), apply(buy).events());
    var again = apply(buy);
    assertTrue(again.hasNoEvents());
    assertEquals(Done.getInstance(), again.reply());
    assertEquals(new BigDecimal("100"), again.state().quantity(TCS));
  }

  @Test
  void limitsThatAreNotPositiveAreRefusedNamingTheKey() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> limits("0", null, null, null, null));
    assertEquals("max-order-notional must be positive, got 0", e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> limits(null, null, null, 0, null));
    assertEquals("max-open-positions must be at least 1, got 0", e.getMessage());
  }
}
