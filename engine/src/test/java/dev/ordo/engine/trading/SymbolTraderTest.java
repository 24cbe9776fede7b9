package dev.ordo.engine.trading;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.StrategyState;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The symbol trader's exact events and replies, with a probe as the account's broker gateway. */
class SymbolTraderTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);
  static final EightyTwentyStrategy STRATEGY = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
  static final ClientOrderId ENTRY = ClientOrderId.of("TEST-EQ-1");
  static final ClientOrderId STOP = ClientOrderId.of("TEST-EQ-2");
  static final ClientOrderId EXIT = ClientOrderId.of("TEST-EQ-3");
  static final Bar FILL_BAR = bar(D1, "09:20", "100", "101", "99.9", "100.5");

  /** A new account per test, so each test's gateway probe is the only one listed for it. */
  static int accounts;

  AccountId account;
  TestProbe<BrokerGateway.Command> gateway;
  TestProbe<Done> done;
  EventSourcedBehaviorTestKit<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State> kit;
  /** The journal the kit writes to: events persisted on a broker's answer, which no command result shows. */
  PersistenceTestKit journal;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    gateway = testKit.createTestProbe();
    done = testKit.createTestProbe();
    account = AccountId.of("paper" + (++accounts));
    testKit.system().receptionist().tell(Receptionist.register(BrokerGateway.serviceKey(account), gateway.ref()));
    SymbolTrader.Dependencies dependencies = new SymbolTrader.Dependencies(id -> STRATEGY, Clock.fixed(NOW, ZoneOffset.UTC));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), SymbolTrader.create(SymbolTrader.entityId(account, INSTRUMENT), dependencies));
    kit.clear();
    journal = PersistenceTestKit.create(testKit.system());
  }

  // ---------------------------------------------------------------- helpers

  StrategyState strategy() {
    return kit.getState().strategy();
  }

  void feed(Bar b) {
    kit.runCommand(new SymbolTrader.OpenBar(b.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.CloseBar(b, done.ref()));
    done.expectMessage(Done.getInstance());
  }

  /** Setup session D0 (open 109, high 110, low 100, close 101), and D1's first bar opens. */
  void setupSession() {
    feed(bar(D0, "09:15", "109", "110", "105", "106"));
    feed(bar(D0, "09:20", "106", "106", "100", "101"));
    kit.runCommand(new SymbolTrader.EndSession(D0, done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.OpenBar(bar(D1, "09:15", "101", "101", "99.5", "100").tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
  }

  BrokerGateway.Execute expectCall() {
    BrokerGateway.Execute execute = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(BrokerGateway.Priority.CRITICAL, execute.priority());
    return execute;
  }

  /** D1 09:15 breaks the setup's low 100: the BUY stop entry at 100 goes to the gateway; accepted as V1, and the fill bar opens. */
  void acceptedEntryAndFillBarOpen() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute entry = expectCall();
    entry.replyTo().tell(new BrokerCall.Placed(ENTRY, VenueOrderId.of("V1")));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.OpenBar(FILL_BAR.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
  }

  static Fill fill(String tradeId, ClientOrderId order, String venueOrderId, OrderSide side, String price, Bar bar) {
    return new Fill(TradeId.of(tradeId), order, VenueOrderId.of(venueOrderId), INSTRUMENT, side, Quantity.of(1000), Price.of(price), bar.tsOpen());
  }

  /** Entered at 100 during FILL_BAR, the stop at 99.50 placed after it and accepted as V2. */
  void enteredWithStop() {
    acceptedEntryAndFillBarOpen();
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill("T1", ENTRY, "V1", OrderSide.BUY, "100", FILL_BAR), replyTo));
    kit.runCommand(new SymbolTrader.CloseBar(FILL_BAR, done.ref()));
    expectCall().replyTo().tell(new BrokerCall.Placed(STOP, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());
  }

  /** Entered with its stop, then the 15:15 bar opens: the stop is canceled and the exit waits. */
  BrokerGateway.Execute sessionExitWithWorkingStop() {
    enteredWithStop();
    kit.runCommand(new SymbolTrader.OpenBar(bar(D1, "15:15", "100", "100", "99", "99").tsOpen(), done.ref()));
    BrokerGateway.Execute cancel = expectCall();
    assertEquals(new BrokerCall.CancelOrder(STOP, VenueOrderId.of("V2")), cancel.call());
    gateway.expectNoMessage(Duration.ofMillis(100));
    done.expectNoMessage(Duration.ofMillis(100));
    return cancel;
  }

  /** Every event journaled so far. */
  List<Object> journaled() {
    return journal.persistedInStorage(PersistenceId.of(SymbolTrader.ENTITY_TYPE_KEY.name(), SymbolTrader.entityId(account, INSTRUMENT)).id());
  }

  /** The events journaled after the first {@code before}. */
  List<Object> journaledSince(int before) {
    List<Object> all = journaled();
    return all.subList(before, all.size());
  }

  /** Nothing awaits the broker and no market-data asker is owed an answer. */
  void assertSettled() {
    assertFalse(kit.getState().hasRequestsInFlight(), "nothing in flight: " + kit.getState().orders());
    assertEquals(List.of(), kit.getState().pendingReplies());
  }

  // ---------------------------------------------------------------- tests

  @Test
  void journalsTheBarWithTheStrategyStateThenTheOrderIntentAndAnswersOnlyOnceTheBrokerAnswered() {
    setupSession();
    Bar breakBar = bar(D1, "09:15", "101", "101", "99.5", "100");
    StrategyState after = STRATEGY.onBar(strategy(), breakBar).state();

    var result = kit.runCommand(new SymbolTrader.CloseBar(breakBar, done.ref()));
    assertEquals(List.of(
        new SymbolTrader.BarApplied(account, INSTRUMENT, breakBar, after, done.ref(), NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, ENTRY, OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(1000),
            Price.of("100"), null, null, OrderStatus.SUBMITTED, NOW)), result.events());
    BrokerGateway.Execute execute = expectCall();
    assertEquals(new BrokerCall.PlaceOrder(new OrderRequest(ENTRY, INSTRUMENT, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(1000),
        Price.of("100"), null, TimeInForce.DAY)), execute.call());
    done.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(done.ref()), kit.getState().pendingReplies(), "who waits for the broker is part of the state");

    execute.replyTo().tell(new BrokerCall.Placed(ENTRY, VenueOrderId.of("V1")));
    done.expectMessage(Done.getInstance());
    OrderRecord accepted = kit.getState().order(ENTRY);
    assertEquals(OrderStatus.ACCEPTED, accepted.status());
    assertEquals(VenueOrderId.of("V1"), accepted.venueOrderId());
    assertEquals(List.of(), kit.getState().pendingReplies());
  }

  @Test
  void appliesAFillOnceWithTheStrategyStateAndKeepsItsStateAcrossARestart() {
    acceptedEntryAndFillBarOpen();
    Fill fill = fill("T1", ENTRY, "V1", OrderSide.BUY, "100", FILL_BAR);
    StrategyState after = STRATEGY.onFill(strategy(), OrderRole.ENTRY, fill.lastQty(), fill.lastPx()).state();

    var first = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo));
    assertEquals(List.of(new SymbolTrader.OrderFilled(account, INSTRUMENT, fill, OrderRole.ENTRY, after, NOW)), first.events());
    assertEquals(Done.getInstance(), first.reply());
    assertTrue(kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo)).hasNoEvents(), "the same trade id is applied once");
    assertEquals(OrderStatus.FILLED, kit.getState().order(ENTRY).status());
    assertEquals(new NetPosition(BigDecimal.valueOf(1000), Price.of("100"), BigDecimal.ZERO, FILL_BAR.tsOpen(), null), kit.getState().position());

    kit.runCommand(new SymbolTrader.CloseBar(FILL_BAR, done.ref()));
    BrokerGateway.Execute stopCall = expectCall();
    BrokerCall.PlaceOrder stop = assertInstanceOf(BrokerCall.PlaceOrder.class, stopCall.call());
    assertEquals(Price.of("99.50"), stop.request().trigger(), "stop at floorTick(session low 99.5)");
    assertEquals(STOP, stop.request().clientOrderId());
    stopCall.replyTo().tell(new BrokerCall.Placed(STOP, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());

    SymbolTrader.State before = kit.getState();
    kit.restart();
    SymbolTrader.State restarted = kit.getState();
    assertEquals(before.orders(), restarted.orders());
    assertEquals(before.position(), restarted.position());
    assertEquals(before.strategy(), restarted.strategy());
    assertEquals(FILL_BAR.tsOpen(), restarted.lastBarApplied());
    assertTrue(kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo)).hasNoEvents(), "still applied once after a restart");
  }

  @Test
  void aBarAlreadyAppliedIsAnsweredWithoutAnEvent() {
    Bar b = bar(D0, "09:15", "109", "110", "105", "106");
    feed(b);
    assertTrue(kit.runCommand(new SymbolTrader.CloseBar(b, done.ref())).hasNoEvents());
    done.expectMessage(Done.getInstance());
  }

  @Test
  void trailsTheStopThroughTheBrokerAndRecordsTheRoundTripWithItsExitReason() {
    enteredWithStop();
    Bar raiseBar = bar(D1, "09:25", "100.5", "101", "100.12", "100.8");
    kit.runCommand(new SymbolTrader.OpenBar(raiseBar.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    StrategyState after = STRATEGY.onBar(strategy(), raiseBar).state();
    var raised = kit.runCommand(new SymbolTrader.CloseBar(raiseBar, done.ref()));
    assertEquals(List.of(
        new SymbolTrader.BarApplied(account, INSTRUMENT, raiseBar, after, done.ref(), NOW),
        new SymbolTrader.OrderModifyRequested(account, INSTRUMENT, STOP, Price.of("100.10"), ExitReason.TRAIL, NOW)), raised.events());
    BrokerGateway.Execute modify = expectCall();
    assertEquals(new BrokerCall.ModifyOrder(STOP, VenueOrderId.of("V2"), Price.of("100.10"), null), modify.call());
    assertEquals(Price.of("99.50"), kit.getState().order(STOP).trigger(), "the trigger changes only when the broker confirms");
    modify.replyTo().tell(new BrokerCall.Modified(STOP, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());
    assertEquals(Price.of("100.10"), kit.getState().order(STOP).trigger());
    assertEquals(ExitReason.TRAIL, kit.getState().order(STOP).exitReason());

    Bar exitBar = bar(D1, "09:30", "100.3", "100.4", "99.9", "100");
    kit.runCommand(new SymbolTrader.OpenBar(exitBar.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill("T2", STOP, "V2", OrderSide.SELL, "100.10", exitBar), replyTo));
    assertEquals(List.of(RoundTrip.of(INSTRUMENT, OrderSide.BUY, Quantity.of(1000), FILL_BAR.tsOpen(), Price.of("100"), exitBar.tsOpen(),
        Price.of("100.10"), ExitReason.TRAIL)), kit.getState().roundTrips());
    assertEquals(0, kit.getState().roundTrips().get(0).pnl().compareTo(new BigDecimal("100.00")), "(100.10 - 100) * 1000");
    assertEquals(BigDecimal.ZERO, kit.getState().position().quantity());
  }

  @Test
  void theSessionExitSellsOnlyOnceTheStopIsCanceled() {
    StrategyState beforeExit;
    enteredWithStop();
    beforeExit = strategy();
    Bar exitBar = bar(D1, "15:15", "100", "100", "99", "99");
    StrategyState flattened = STRATEGY.onBarOpen(beforeExit, exitBar.tsOpen()).state();
    var opened = kit.runCommand(new SymbolTrader.OpenBar(exitBar.tsOpen(), done.ref()));
    assertEquals(List.of(
        new SymbolTrader.BarOpened(account, INSTRUMENT, exitBar.tsOpen(), flattened, done.ref(), NOW),
        new SymbolTrader.OrderCancelRequested(account, INSTRUMENT, STOP, NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, EXIT, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null,
            null, ExitReason.SESSION_END, OrderStatus.INITIALIZED, NOW)), opened.events(), "the exit is held while the stop is canceled");
    BrokerGateway.Execute cancel = expectCall();
    gateway.expectNoMessage(Duration.ofMillis(100));

    cancel.replyTo().tell(new BrokerCall.Canceled(STOP, VenueOrderId.of("V2")));
    BrokerGateway.Execute sell = expectCall();
    assertEquals(new BrokerCall.PlaceOrder(new OrderRequest(EXIT, INSTRUMENT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
        TimeInForce.DAY)), sell.call());
    done.expectNoMessage(Duration.ofMillis(100));
    sell.replyTo().tell(new BrokerCall.Placed(EXIT, VenueOrderId.of("V3")));
    done.expectMessage(Done.getInstance());
    assertEquals(OrderStatus.CANCELED, kit.getState().order(STOP).status());
    assertEquals(OrderStatus.ACCEPTED, kit.getState().order(EXIT).status());
  }

  @Test
  void whenTheStopCannotBeCanceledTheExitIsDroppedSoThePositionIsNeverSoldTwice() {
    BrokerGateway.Execute cancel = sessionExitWithWorkingStop();
    StrategyState beforeRefusal = strategy();
    cancel.replyTo().tell(new BrokerCall.Failed(cancel.call(), new BrokerError.Rejected("order V2 is not open: complete")));
    done.expectMessage(Done.getInstance());
    gateway.expectNoMessage(Duration.ofMillis(200));
    OrderRecord exit = kit.getState().order(EXIT);
    assertEquals(OrderStatus.REJECTED, exit.status());
    assertEquals("not sent: the stop could not be canceled (Rejected: order V2 is not open: complete) and may have closed the position",
        exit.lastError());
    assertEquals(STRATEGY.onOrderClosed(beforeRefusal, OrderRole.EXIT, OrderStatus.REJECTED).state(), strategy());
  }

  @Test
  void aRejectedPlacementIsJournaledWithTheStrategyStateAndTheAnswerIsStillSent() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute execute = expectCall();
    StrategyState beforeRejection = strategy();
    execute.replyTo().tell(new BrokerCall.Failed(execute.call(), new BrokerError.Rejected("insufficient funds")));
    done.expectMessage(Done.getInstance());
    OrderRecord order = kit.getState().order(ENTRY);
    assertEquals(OrderStatus.REJECTED, order.status());
    assertEquals("Rejected: insufficient funds", order.lastError());
    assertEquals(STRATEGY.onOrderClosed(beforeRejection, OrderRole.ENTRY, OrderStatus.REJECTED).state(), strategy());
    assertEquals(null, kit.getState().working(OrderRole.ENTRY));
  }

  @Test
  void theEndOfDayCleanupRemovesAFailedOrderRecordFromTheOpenOfTheNextDayOnAndTheRemovalSurvivesARestart() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute execute = expectCall();
    execute.replyTo().tell(new BrokerCall.Failed(execute.call(), new BrokerError.Rejected("insufficient funds")));
    done.expectMessage(Done.getInstance());
    java.time.LocalTime open = java.time.LocalTime.of(9, 15);
    java.time.ZoneId ist = java.time.ZoneId.of("Asia/Kolkata");
    for (String kept : List.of("2024-01-16T18:00", "2024-01-17T09:14:59")) {
      var result = kit.<SymbolTrader.FailedOrdersRemoval>runCommand(replyTo -> new SymbolTrader.RemoveFailedOrders(
          java.time.LocalDateTime.parse(kept).atZone(ist).toInstant(), open, replyTo));
      assertEquals(new SymbolTrader.FailedOrdersRemoval(INSTRUMENT, List.of()), result.reply(), "kept at " + kept);
      assertTrue(result.hasNoEvents());
    }
    var removal = kit.<SymbolTrader.FailedOrdersRemoval>runCommand(replyTo -> new SymbolTrader.RemoveFailedOrders(
        java.time.LocalDateTime.parse("2024-01-17T09:15:00").atZone(ist).toInstant(), open, replyTo));
    assertEquals(new SymbolTrader.FailedOrdersRemoval(INSTRUMENT, List.of(ENTRY)), removal.reply());
    assertEquals(List.of(new SymbolTrader.FailedOrdersRemoved(account, INSTRUMENT, List.of(ENTRY), NOW)), removal.events());
    assertNull(kit.getState().order(ENTRY));
    kit.restart();
    assertNull(kit.getState().order(ENTRY), "the removal is journaled");
    assertEquals(1, kit.getState().orderSequence(), "the ClientOrderId is never used again");
  }

  @Test
  void theMessagesAboutAnOrderNameItForTheLogs() {
    Fill fill = new Fill(TradeId.of("T1"), ENTRY, VenueOrderId.of("V1"), INSTRUMENT, OrderSide.BUY, Quantity.of(1), Price.of("100"),
        FILL_BAR.tsOpen());
    assertEquals(ENTRY, SymbolTrader.orderOf(new SymbolTrader.ApplyFill(fill, done.ref())));
    assertEquals(STOP, SymbolTrader.orderOf(new SymbolTrader.ReconcileOrder(STOP, null, done.ref())));
    assertNull(SymbolTrader.orderOf(new SymbolTrader.CloseBar(FILL_BAR, done.ref())));
  }

  @Test
  void aTimedOutPlacementBecomesUnknownInsteadOfBeingSentAgain() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute execute = expectCall();
    execute.replyTo().tell(new BrokerCall.Failed(execute.call(), new BrokerError.Timeout("no answer")));
    done.expectMessage(Done.getInstance());
    assertEquals(OrderStatus.UNKNOWN, kit.getState().order(ENTRY).status());
    assertEquals("Timeout: no answer", kit.getState().order(ENTRY).lastError());
    gateway.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aPlacementTimingOutAfterItsFillChangesNothing() {
    // Seen in a crash test: the broker filled the order and its fill was applied before the placement call timed out.
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute placement = expectCall();
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill("T1", ENTRY, "V1", OrderSide.BUY, "100", FILL_BAR), replyTo));
    assertEquals(OrderStatus.FILLED, kit.getState().order(ENTRY).status());
    int before = journaled().size();

    placement.replyTo().tell(new BrokerCall.Failed(placement.call(), new BrokerError.Timeout("no answer")));
    kit.<SymbolTrader.Progress>runCommand(SymbolTrader.GetProgress::new); // handled after the late answer: same mailbox, sent after it
    assertEquals(List.of(), journaledSince(before), "no OrderStatusUnknown for a filled order");
    assertEquals(OrderStatus.FILLED, kit.getState().order(ENTRY).status());
    assertNull(kit.getState().order(ENTRY).lastError());
    kit.restart();
    assertEquals(OrderStatus.FILLED, kit.getState().order(ENTRY).status());
  }

  @Test
  void anEntryFillLearntAfterTheSessionExitIsSoldAtOnce() {
    acceptedEntryAndFillBarOpen();
    Bar exitBar = bar(D1, "15:15", "100", "100", "99", "99");
    var opened = kit.runCommand(new SymbolTrader.OpenBar(exitBar.tsOpen(), done.ref()));
    assertEquals(new SymbolTrader.OrderCancelRequested(account, INSTRUMENT, ENTRY, NOW), opened.events().get(1));
    BrokerGateway.Execute cancel = expectCall();

    Fill late = fill("T1", ENTRY, "V1", OrderSide.BUY, "100", FILL_BAR);
    StrategyState flattened = STRATEGY.onFill(strategy(), OrderRole.ENTRY, late.lastQty(), late.lastPx()).state();
    var filled = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(late, replyTo));
    assertEquals(List.of(
        new SymbolTrader.OrderFilled(account, INSTRUMENT, late, OrderRole.ENTRY, flattened, NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, ClientOrderId.of("TEST-EQ-2"), OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET,
            Quantity.of(1000), null, null, ExitReason.SESSION_END, OrderStatus.SUBMITTED, NOW)), filled.events(),
        "no position is left open after the exit");
    assertEquals(OrderType.MARKET, assertInstanceOf(BrokerCall.PlaceOrder.class, expectCall().call()).request().type());
    cancel.replyTo().tell(new BrokerCall.Failed(cancel.call(), new BrokerError.Rejected("order V1 is not open: complete")));
    done.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRequestInFlightAtARestartBecomesUnknownForReconciliation() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    expectCall();
    kit.restart();
    TestProbe<SymbolTrader.State> states = testKit.createTestProbe();
    states.awaitAssert(() -> {
      assertEquals(OrderStatus.UNKNOWN, kit.getState().order(ENTRY).status());
      return null;
    });
    assertEquals("engine stopped before the broker answered", kit.getState().order(ENTRY).lastError());
    assertEquals(List.of(), kit.getState().pendingReplies(), "the asker of the old incarnation is not waited for");
    gateway.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void overAYearOfRoundTripsTheStateKeepsTheLastTwentyAndTheJournalEveryOne() {
    SymbolTrader.State state = SymbolTrader.initialState(INSTRUMENT, STRATEGY);
    dev.ordo.engine.strategy.StrategyState strategyState = state.strategy();
    List<SymbolTrader.Event> journal = new java.util.ArrayList<>();
    for (int day = 0; day < 250; day++) {
      java.time.OffsetDateTime at = java.time.OffsetDateTime.of(2024, 1, 1, 9, 20, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)).plusDays(day);
      ClientOrderId entry = ClientOrderId.of("TEST-EQ-" + (2 * day + 1));
      ClientOrderId exit = ClientOrderId.of("TEST-EQ-" + (2 * day + 2));
      journal.add(new SymbolTrader.OrderSubmitted(account, INSTRUMENT, entry, OrderRole.ENTRY, OrderSide.BUY, OrderType.MARKET, Quantity.of(10),
          null, null, null, OrderStatus.SUBMITTED, at.toInstant()));
      journal.add(new SymbolTrader.OrderFilled(account, INSTRUMENT, new Fill(TradeId.of("E" + day), entry, VenueOrderId.of("V" + (2 * day)),
          INSTRUMENT, OrderSide.BUY, Quantity.of(10), Price.of("100"), at), OrderRole.ENTRY, strategyState, at.toInstant()));
      journal.add(new SymbolTrader.OrderSubmitted(account, INSTRUMENT, exit, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(10),
          null, null, ExitReason.TRAIL, OrderStatus.SUBMITTED, at.plusMinutes(10).toInstant()));
      journal.add(new SymbolTrader.OrderFilled(account, INSTRUMENT, new Fill(TradeId.of("X" + day), exit, VenueOrderId.of("V" + (2 * day + 1)),
          INSTRUMENT, OrderSide.SELL, Quantity.of(10), Price.of("101"), at.plusMinutes(10)), OrderRole.EXIT, strategyState,
          at.plusMinutes(10).toInstant()));
    }
    for (SymbolTrader.Event event : journal) state = SymbolTrader.applyEvent(STRATEGY, state, event);

    List<dev.ordo.engine.model.RoundTrip> every = SymbolTrader.roundTripsOf(INSTRUMENT, STRATEGY, journal);
    assertEquals(250, every.size(), "every round trip of the year, from the journal");
    assertEquals(java.time.LocalDate.of(2024, 1, 1), every.get(0).entryTime().toLocalDate());
    assertEquals(ExitReason.TRAIL, every.get(0).exitReason());
    assertEquals(SymbolTrader.ROUND_TRIPS_KEPT, state.roundTrips().size(), "the state keeps the last ones only");
    assertEquals(every.subList(250 - SymbolTrader.ROUND_TRIPS_KEPT, 250), state.roundTrips());
    assertEquals(BigDecimal.ZERO.compareTo(state.position().quantity()), 0);
  }

  @Test
  void aTraderWhoseStrategyIsNotKnownYetKeepsItsMessagesInOrderUntilItIs() {
    // A cluster node that has not heard its account's instruments yet (their tick sizes): the trader waits for them.
    account = AccountId.of("later" + (++accounts));
    testKit.system().receptionist().tell(Receptionist.register(BrokerGateway.serviceKey(account), gateway.ref()));
    java.util.concurrent.CompletableFuture<dev.ordo.engine.strategy.Strategy> later = new java.util.concurrent.CompletableFuture<>();
    String entityId = SymbolTrader.entityId(account, INSTRUMENT);
    org.apache.pekko.actor.typed.ActorRef<SymbolTrader.Command> trader = testKit.spawn(SymbolTrader.create(entityId,
        new SymbolTrader.Dependencies((a, i) -> later, a -> Clock.fixed(NOW, ZoneOffset.UTC), a -> false)));
    Bar first = bar(D0, "09:15", "109", "110", "105", "106");
    Bar second = bar(D0, "09:20", "106", "106", "100", "101");
    for (Bar b : List.of(first, second)) {
      trader.tell(new SymbolTrader.OpenBar(b.tsOpen(), done.ref()));
      trader.tell(new SymbolTrader.CloseBar(b, done.ref()));
    }
    done.expectNoMessage(Duration.ofMillis(300));
    journal.expectNothingPersisted("SymbolTrader|" + entityId);

    later.complete(STRATEGY);
    for (int i = 0; i < 4; i++) done.expectMessage(Done.getInstance());
    TestProbe<SymbolTrader.State> state = testKit.createTestProbe();
    trader.tell(new SymbolTrader.GetState(state.ref()));
    SymbolTrader.State applied = state.receiveMessage();
    assertEquals(second.tsOpen(), applied.lastBarApplied(), "both bars applied, in order");
    EightyTwentyStrategy.State session = (EightyTwentyStrategy.State) applied.strategy();
    assertEquals(Price.of("110"), session.sessionHigh(), "the first bar's high");
    assertEquals(Price.of("100"), session.sessionLow(), "the second bar's low");
  }

  @Test
  void aTraderOfAnInstrumentItsAccountDoesNotTradeStops() {
    account = AccountId.of("unknown" + (++accounts));
    java.util.concurrent.CompletableFuture<dev.ordo.engine.strategy.Strategy> later = new java.util.concurrent.CompletableFuture<>();
    org.apache.pekko.actor.typed.ActorRef<SymbolTrader.Command> trader = testKit.spawn(SymbolTrader.create(SymbolTrader.entityId(account, INSTRUMENT),
        new SymbolTrader.Dependencies((a, i) -> later, a -> Clock.fixed(NOW, ZoneOffset.UTC), a -> false)));
    trader.tell(new SymbolTrader.OpenBar(FILL_BAR.tsOpen(), done.ref()));
    later.completeExceptionally(new IllegalArgumentException(INSTRUMENT + " is not traded by account " + account));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(trader);
    done.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void withABrokerThatAnswersARequestAgainAPlacementInFlightAtARestartIsSentAgainInsteadOfBecomingUnknown() {
    // The paper venue's kind of broker: a placement it already has is answered with that order, so it may be sent again.
    account = AccountId.of("resend" + (++accounts));
    testKit.system().receptionist().tell(Receptionist.register(BrokerGateway.serviceKey(account), gateway.ref()));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), SymbolTrader.create(SymbolTrader.entityId(account, INSTRUMENT),
        SymbolTrader.Dependencies.of((a, i) -> STRATEGY, a -> Clock.fixed(NOW, ZoneOffset.UTC), a -> true)));
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute first = expectCall();
    int before = journaled().size();

    kit.restart();
    BrokerGateway.Execute again = expectCall();
    assertEquals(first.call(), again.call(), "the same placement, with the same ClientOrderId");
    assertEquals(List.of(), journaledSince(before), "nothing is journaled until the broker answers");
    again.replyTo().tell(new BrokerCall.Placed(ENTRY, VenueOrderId.of("V1")));
    TestProbe<SymbolTrader.State> states = testKit.createTestProbe();
    states.awaitAssert(() -> {
      assertEquals(List.of(new SymbolTrader.OrderAccepted(account, INSTRUMENT, ENTRY, VenueOrderId.of("V1"), NOW)), journaledSince(before));
      return null;
    });
    assertEquals(OrderStatus.ACCEPTED, kit.getState().order(ENTRY).status());
    assertFalse(kit.getState().hasRequestsInFlight());
  }

  @Test
  void aModificationInFlightAtARestartIsSentAgainAndSettledByTheBrokersAnswer() {
    enteredWithStop();
    Bar raiseBar = bar(D1, "09:25", "100.5", "101", "100.12", "100.8");
    kit.runCommand(new SymbolTrader.OpenBar(raiseBar.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.CloseBar(raiseBar, done.ref()));
    BrokerCall.ModifyOrder raise = new BrokerCall.ModifyOrder(STOP, VenueOrderId.of("V2"), Price.of("100.10"), null);
    assertEquals(raise, expectCall().call());
    int before = journaled().size();

    kit.restart();
    BrokerGateway.Execute again = expectCall();
    assertEquals(raise, again.call(), "the same absolute trigger is sent again, not given up");
    assertEquals(List.of(), journaledSince(before), "nothing is journaled until the broker answers");
    again.replyTo().tell(new BrokerCall.Modified(STOP, VenueOrderId.of("V2")));
    TestProbe<SymbolTrader.State> states = testKit.createTestProbe();
    states.awaitAssert(() -> {
      assertEquals(List.of(new SymbolTrader.OrderModified(account, INSTRUMENT, STOP, NOW)), journaledSince(before));
      return null;
    });
    assertEquals(Price.of("100.10"), kit.getState().order(STOP).trigger());
    assertEquals(ExitReason.TRAIL, kit.getState().order(STOP).exitReason());
    assertFalse(kit.getState().hasRequestsInFlight());
    gateway.expectNoMessage(Duration.ofMillis(100));
  }

  // ---------------------------------------------------------------- rejections leave the state consistent

  @Test
  void aRejectedEntryFreesTheEntrySlotSoTheNextArmedBarPlacesItAgain() {
    setupSession();
    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    BrokerGateway.Execute entry = expectCall();
    StrategyState beforeRejection = strategy();
    int before = journaled().size();
    entry.replyTo().tell(new BrokerCall.Failed(entry.call(), new BrokerError.Rejected("400 quantity 1000 exceeds the freeze quantity 500")));
    done.expectMessage(Done.getInstance());
    StrategyState freed = STRATEGY.onOrderClosed(beforeRejection, OrderRole.ENTRY, OrderStatus.REJECTED).state();
    assertEquals(List.of(new SymbolTrader.OrderRejected(account, INSTRUMENT, ENTRY, "Rejected: 400 quantity 1000 exceeds the freeze quantity 500",
        freed, NOW)), journaledSince(before));
    assertSettled();
    gateway.expectNoMessage(Duration.ofMillis(100));

    Bar next = bar(D1, "09:20", "100", "100.5", "99.8", "100.2");
    kit.runCommand(new SymbolTrader.OpenBar(next.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    var again = kit.runCommand(new SymbolTrader.CloseBar(next, done.ref()));
    assertEquals(new SymbolTrader.OrderSubmitted(account, INSTRUMENT, STOP, OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET,
        Quantity.of(1000), Price.of("100"), null, null, OrderStatus.SUBMITTED, NOW), again.events().get(1), "the strategy saw the slot free");
    expectCall().replyTo().tell(new BrokerCall.Placed(STOP, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());
    assertSettled();
  }

  @Test
  void aRejectedStopAfterAnEntryFillSellsThePositionAtMarketSoItIsNeverNaked() {
    acceptedEntryAndFillBarOpen();
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill("T1", ENTRY, "V1", OrderSide.BUY, "100", FILL_BAR), replyTo));
    kit.runCommand(new SymbolTrader.CloseBar(FILL_BAR, done.ref()));
    BrokerGateway.Execute stop = expectCall();
    StrategyState beforeRejection = strategy();
    int before = journaled().size();
    stop.replyTo().tell(new BrokerCall.Failed(stop.call(), new BrokerError.Rejected("400 trigger price 99.53 is not a multiple of the tick size 0.05")));

    BrokerGateway.Execute sell = expectCall();
    assertEquals(new BrokerCall.PlaceOrder(new OrderRequest(EXIT, INSTRUMENT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
        TimeInForce.DAY)), sell.call());
    assertEquals(List.of(
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, EXIT, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
            ExitReason.STOP_REJECTED, OrderStatus.SUBMITTED, NOW),
        new SymbolTrader.OrderRejected(account, INSTRUMENT, STOP, "Rejected: 400 trigger price 99.53 is not a multiple of the tick size 0.05",
            STRATEGY.onOrderClosed(beforeRejection, OrderRole.STOP_LOSS, OrderStatus.REJECTED).state(), NOW)), journaledSince(before),
        "the sale it leads to is journaled with the rejection, just before it");
    done.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(done.ref()), kit.getState().pendingReplies(), "the bar's asker waits for the sale's answer too");
    sell.replyTo().tell(new BrokerCall.Placed(EXIT, VenueOrderId.of("V3")));
    done.expectMessage(Done.getInstance());
    assertSettled();

    Bar next = bar(D1, "09:25", "100.2", "100.4", "100", "100.3");
    kit.runCommand(new SymbolTrader.OpenBar(next.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill("T2", EXIT, "V3", OrderSide.SELL, "100.2", next), replyTo));
    assertEquals(List.of(RoundTrip.of(INSTRUMENT, OrderSide.BUY, Quantity.of(1000), FILL_BAR.tsOpen(), Price.of("100"), next.tsOpen(),
        Price.of("100.2"), ExitReason.STOP_REJECTED)), kit.getState().roundTrips());
    assertEquals(BigDecimal.ZERO, kit.getState().position().quantity());
    assertTrue(kit.runCommand(new SymbolTrader.CloseBar(next, done.ref())).events().stream()
        .noneMatch(e -> e instanceof SymbolTrader.OrderSubmitted), "disarmed: a bar above prevLow places no entry");
    done.expectMessage(Done.getInstance());
    assertSettled();
  }

  @Test
  void aRefusedTrailKeepsTheOldStopWorking() {
    enteredWithStop();
    Bar raiseBar = bar(D1, "09:25", "100.5", "101", "100.12", "100.8");
    kit.runCommand(new SymbolTrader.OpenBar(raiseBar.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.CloseBar(raiseBar, done.ref()));
    BrokerGateway.Execute modify = expectCall();
    int before = journaled().size();
    modify.replyTo().tell(new BrokerCall.Failed(modify.call(), new BrokerError.Rejected("400 order V2 is not open: FILLED")));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(new SymbolTrader.OrderModifyRefused(account, INSTRUMENT, STOP, "Rejected: 400 order V2 is not open: FILLED", NOW)),
        journaledSince(before));
    OrderRecord stop = kit.getState().order(STOP);
    assertEquals(OrderStatus.ACCEPTED, stop.status());
    assertEquals(Price.of("99.50"), stop.trigger(), "the old stop stays");
    assertEquals(stop, kit.getState().working(OrderRole.STOP_LOSS));
    assertSettled();
    gateway.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRejectedExitIsSentAgainAtTheNextBarOpen() {
    BrokerGateway.Execute cancel = sessionExitWithWorkingStop();
    cancel.replyTo().tell(new BrokerCall.Canceled(STOP, VenueOrderId.of("V2")));
    BrokerGateway.Execute sell = expectCall();
    int before = journaled().size();
    StrategyState beforeRejection = strategy();
    sell.replyTo().tell(new BrokerCall.Failed(sell.call(), new BrokerError.Rejected("502 Not able to communicate with OMS")));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(new SymbolTrader.OrderRejected(account, INSTRUMENT, EXIT, "Rejected: 502 Not able to communicate with OMS",
        STRATEGY.onOrderClosed(beforeRejection, OrderRole.EXIT, OrderStatus.REJECTED).state(), NOW)), journaledSince(before));
    assertEquals(BigDecimal.valueOf(1000), kit.getState().position().quantity(), "still held, with neither stop nor exit working");
    assertSettled();

    Bar next = bar(D1, "15:20", "99", "99.5", "98.5", "99");
    StrategyState selling = STRATEGY.onBarOpen(strategy(), next.tsOpen()).state();
    var opened = kit.runCommand(new SymbolTrader.OpenBar(next.tsOpen(), done.ref()));
    ClientOrderId again = ClientOrderId.of("TEST-EQ-4");
    assertEquals(List.of(
        new SymbolTrader.BarOpened(account, INSTRUMENT, next.tsOpen(), selling, done.ref(), NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, again, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null,
            null, ExitReason.SESSION_END, OrderStatus.SUBMITTED, NOW)), opened.events());
    BrokerGateway.Execute resend = expectCall();
    assertEquals(new BrokerCall.PlaceOrder(new OrderRequest(again, INSTRUMENT, OrderSide.SELL, OrderType.MARKET, Quantity.of(1000), null, null,
        TimeInForce.DAY)), resend.call());
    resend.replyTo().tell(new BrokerCall.Placed(again, VenueOrderId.of("V4")));
    done.expectMessage(Done.getInstance());
    assertSettled();
  }
}
