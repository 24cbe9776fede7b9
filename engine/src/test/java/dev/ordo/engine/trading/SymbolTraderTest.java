package dev.ordo.engine.trading;

import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import static dev.ordo.engine.TestBars.INSTRUMENT;
import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.OrderRole;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SymbolTraderTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  /** A new account per test, so each test's gateway probe is the only one listed for it. */
  static int accounts;
  AccountId account;
  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);

  TestProbe<BrokerGateway.Command> gateway;
  TestProbe<Done> done;
  EventSourcedBehaviorTestKit<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State> kit;

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
    SymbolTrader.Dependencies dependencies = new SymbolTrader.Dependencies(
        id -> new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults()),
        Clock.fixed(Instant.parse("2024-01-16T04:00:00Z"), ZoneOffset.UTC));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        SymbolTrader.create(SymbolTrader.entityId(account, INSTRUMENT), dependencies));
    kit.clear();
  }

  void feed(Bar b) {
    kit.runCommand(new SymbolTrader.OpenBar(b.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.CloseBar(b, done.ref()));
  }

  /** Setup session D0 (open 109 high 110 low 100 close 101), then D1 breaks 100: the entry goes to the gateway. */
  BrokerGateway.Execute armAndReceiveEntry() {
    feed(bar(D0, "09:15", "109", "110", "105", "106"));
    done.expectMessage(Done.getInstance());
    feed(bar(D0, "09:20", "106", "106", "100", "101"));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.EndSession(D0, done.ref()));
    done.expectMessage(Done.getInstance());
    feed(bar(D1, "09:15", "101", "101", "99.5", "100"));
    return gateway.expectMessageClass(BrokerGateway.Execute.class);
  }

  static final Bar FILL_BAR = bar(D1, "09:20", "100", "101", "99.9", "100.5");

  /** The entry of {@link #armAndReceiveEntry} accepted as V1, then the bar FILL_BAR opens: answers the entry's id. */
  ClientOrderId acceptedEntryAndFillBarOpen() {
    BrokerGateway.Execute execute = armAndReceiveEntry();
    ClientOrderId entry = ((BrokerCall.PlaceOrder) execute.call()).request().clientOrderId();
    execute.replyTo().tell(new BrokerCall.Placed(entry, VenueOrderId.of("V1")));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.OpenBar(FILL_BAR.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    return entry;
  }

  static Fill entryFill(ClientOrderId entry) {
    return new Fill(TradeId.of("T1"), entry, VenueOrderId.of("V1"), INSTRUMENT, OrderSide.BUY, Quantity.of(1000), Price.of("100"),
        FILL_BAR.tsOpen());
  }

  @Test
  void journalsTheOrderIntentBeforeSendingItAndAnswersOnlyOnceTheBrokerAnswered() {
    BrokerGateway.Execute execute = armAndReceiveEntry();
    BrokerCall.PlaceOrder place = assertInstanceOf(BrokerCall.PlaceOrder.class, execute.call());
    assertEquals(BrokerGateway.Priority.CRITICAL, execute.priority());
    assertEquals(OrderSide.BUY, place.request().side());
    assertEquals(OrderType.STOP_MARKET, place.request().type());
    assertEquals(Price.of("100"), place.request().trigger());
    assertEquals(Quantity.of(1000), place.request().quantity());
    OrderRecord submitted = kit.getState().order(place.request().clientOrderId());
    assertEquals(OrderStatus.SUBMITTED, submitted.status(), "the intent is journaled before the broker answers");
    done.expectNoMessage(Duration.ofMillis(200));

    execute.replyTo().tell(new BrokerCall.Placed(place.request().clientOrderId(), VenueOrderId.of("V1")));
    done.expectMessage(Done.getInstance());
    OrderRecord accepted = kit.getState().order(place.request().clientOrderId());
    assertEquals(OrderStatus.ACCEPTED, accepted.status());
    assertEquals(VenueOrderId.of("V1"), accepted.venueOrderId());
  }

  @Test
  void appliesARepeatedFillOnceAndKeepsItsStateAcrossARestart() {
    ClientOrderId entry = acceptedEntryAndFillBarOpen();
    Bar fillBar = FILL_BAR;
    Fill fill = entryFill(entry);
    var first = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo));
    assertEquals(1, first.events().size());
    var again = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo));
    assertTrue(again.events().isEmpty(), "the same trade id is applied once");
    assertEquals(OrderStatus.FILLED, kit.getState().order(entry).status());

    kit.runCommand(new SymbolTrader.CloseBar(fillBar, done.ref()));
    BrokerGateway.Execute stopCall = gateway.expectMessageClass(BrokerGateway.Execute.class);
    BrokerCall.PlaceOrder stop = assertInstanceOf(BrokerCall.PlaceOrder.class, stopCall.call());
    assertEquals(Price.of("99.50"), stop.request().trigger(), "stop at floorTick(session low 99.5)");
    stopCall.replyTo().tell(new BrokerCall.Placed(stop.request().clientOrderId(), VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());

    SymbolTrader.State before = kit.getState();
    kit.restart();
    SymbolTrader.State after = kit.getState();
    assertEquals(before, after, "state survives a restart");
    assertEquals(fillBar.tsOpen(), after.lastBarApplied());
    assertEquals(Quantity.of(1000), after.openTrade().quantity());
    var afterRestart = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo));
    assertTrue(afterRestart.events().isEmpty(), "still applied once after a restart");
  }

  @Test
  void aBarAlreadyAppliedIsIgnored() {
    Bar b = bar(D0, "09:15", "109", "110", "105", "106");
    feed(b);
    done.expectMessage(Done.getInstance());
    var result = kit.runCommand(new SymbolTrader.CloseBar(b, done.ref()));
    assertTrue(result.events().isEmpty());
    done.expectMessage(Done.getInstance());
  }

  /** Entered at 100 during FILL_BAR, the stop placed after it and accepted as V2: answers the stop's id. */
  ClientOrderId enteredWithStop() {
    ClientOrderId entry = acceptedEntryAndFillBarOpen();
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(entryFill(entry), replyTo));
    kit.runCommand(new SymbolTrader.CloseBar(FILL_BAR, done.ref()));
    BrokerGateway.Execute stopCall = gateway.expectMessageClass(BrokerGateway.Execute.class);
    ClientOrderId stop = ((BrokerCall.PlaceOrder) stopCall.call()).request().clientOrderId();
    stopCall.replyTo().tell(new BrokerCall.Placed(stop, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());
    return stop;
  }

  @Test
  void trailsTheStopThroughTheBrokerAndRecordsTheRoundTripWithItsExitReason() {
    ClientOrderId stop = enteredWithStop();

    feed(bar(D1, "09:25", "100.5", "101", "100.12", "100.8"));
    BrokerGateway.Execute modifyCall = gateway.expectMessageClass(BrokerGateway.Execute.class);
    BrokerCall.ModifyOrder modify = assertInstanceOf(BrokerCall.ModifyOrder.class, modifyCall.call());
    assertEquals(Price.of("100.10"), modify.trigger());
    assertEquals(VenueOrderId.of("V2"), modify.venueOrderId());
    assertEquals(Price.of("99.50"), kit.getState().order(stop).trigger(), "trigger changes only when the broker confirms");
    modifyCall.replyTo().tell(new BrokerCall.Modified(stop, VenueOrderId.of("V2")));
    done.expectMessage(Done.getInstance());
    assertEquals(Price.of("100.10"), kit.getState().order(stop).trigger());

    Bar exitBar = bar(D1, "09:30", "100.3", "100.4", "99.9", "100");
    kit.runCommand(new SymbolTrader.OpenBar(exitBar.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(
        new Fill(TradeId.of("T2"), stop, VenueOrderId.of("V2"), INSTRUMENT, OrderSide.SELL, Quantity.of(1000), Price.of("100.10"),
            exitBar.tsOpen()), replyTo));
    RoundTrip trip = kit.getState().roundTrips().get(0);
    assertEquals("TRAIL", trip.exitReason());
    assertEquals(0, trip.pnl().compareTo(new java.math.BigDecimal("100.00")), "(100.10 - 100) * 1000");
    assertNull(kit.getState().openTrade());
  }

  /** Entered at 100 (fill during 09:20), stop V2 working; then the 15:15 bar opens: cancel the stop, hold the exit. */
  BrokerGateway.Execute sessionExitWithWorkingStop() {
    enteredWithStop();
    kit.runCommand(new SymbolTrader.OpenBar(bar(D1, "15:15", "100", "100", "99", "99").tsOpen(), done.ref()));
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertInstanceOf(BrokerCall.CancelOrder.class, cancel.call());
    gateway.expectNoMessage(Duration.ofMillis(200));
    OrderRecord exit = kit.getState().working(OrderRole.EXIT);
    assertEquals(OrderStatus.INITIALIZED, exit.status(), "the exit waits for the stop's cancellation");
    done.expectNoMessage(Duration.ofMillis(100));
    return cancel;
  }

  @Test
  void theSessionExitSellsOnlyOnceTheStopIsCanceled() {
    BrokerGateway.Execute cancel = sessionExitWithWorkingStop();
    BrokerCall.CancelOrder call = (BrokerCall.CancelOrder) cancel.call();
    cancel.replyTo().tell(new BrokerCall.Canceled(call.clientOrderId(), call.venueOrderId()));
    BrokerGateway.Execute sell = gateway.expectMessageClass(BrokerGateway.Execute.class);
    BrokerCall.PlaceOrder place = assertInstanceOf(BrokerCall.PlaceOrder.class, sell.call());
    assertEquals(OrderSide.SELL, place.request().side());
    assertEquals(OrderType.MARKET, place.request().type());
    sell.replyTo().tell(new BrokerCall.Placed(place.request().clientOrderId(), VenueOrderId.of("V3")));
    done.expectMessage(Done.getInstance());
  }

  @Test
  void whenTheStopCannotBeCanceledTheExitIsNotSentSoThePositionIsNeverSoldTwice() {
    BrokerGateway.Execute cancel = sessionExitWithWorkingStop();
    cancel.replyTo().tell(new BrokerCall.Failed(cancel.call(), new BrokerError.Rejected("order V2 is not open: complete")));
    done.expectMessage(Done.getInstance());
    gateway.expectNoMessage(Duration.ofMillis(200));
    OrderRecord exit = kit.getState().orders().stream().filter(o -> o.role() == OrderRole.EXIT).findFirst().orElseThrow();
    assertEquals(OrderStatus.REJECTED, exit.status());
    assertTrue(exit.lastError().contains("could not be canceled"), exit.lastError());
  }

  @Test
  void aRejectedOrderIsClosedAndTheAnswerIsStillSent() {
    BrokerGateway.Execute execute = armAndReceiveEntry();
    BrokerCall.PlaceOrder place = (BrokerCall.PlaceOrder) execute.call();
    execute.replyTo().tell(new BrokerCall.Failed(place, new BrokerError.Rejected("insufficient funds")));
    done.expectMessage(Done.getInstance());
    OrderRecord order = kit.getState().order(place.request().clientOrderId());
    assertEquals(OrderStatus.REJECTED, order.status());
    assertTrue(order.lastError().contains("insufficient funds"));
    assertNull(kit.getState().working(OrderRole.ENTRY));
  }

  @Test
  void aTimedOutPlacementBecomesUnknownInsteadOfBeingSentAgain() {
    BrokerGateway.Execute execute = armAndReceiveEntry();
    BrokerCall.PlaceOrder place = (BrokerCall.PlaceOrder) execute.call();
    execute.replyTo().tell(new BrokerCall.Failed(place, new BrokerError.Timeout("no answer")));
    done.expectMessage(Done.getInstance());
    assertEquals(OrderStatus.UNKNOWN, kit.getState().order(place.request().clientOrderId()).status());
    gateway.expectNoMessage(Duration.ofMillis(200));
  }
}
