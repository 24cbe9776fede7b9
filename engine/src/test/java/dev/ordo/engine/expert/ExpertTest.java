package dev.ordo.engine.expert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.expert.Expert.Action;
import dev.ordo.engine.expert.Expert.Outcome;
import dev.ordo.engine.expert.Expert.Recommendation;
import dev.ordo.engine.expert.Expert.SkipReason;
import dev.ordo.engine.expert.Expert.TransactionStatus;
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
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.OrderRole;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

/**
 * An expert's exact events and answers for every transaction transition, with a probe as the
 * account's broker gateway: a BUY opens one transaction and its entry, the entry's fill sends the
 * stop-loss and take-profit, one exit's fill cancels the other and closes it; a SELL cancels and
 * sells; each skip reason; a refusal of the risk checks; state kept across a restart.
 */
class ExpertTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));
  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId INFY = new InstrumentId("INFY-EQ", "NSE");
  static final InstrumentId ITC = new InstrumentId("ITC-EQ", "NSE");
  static int experts;

  String expertId;
  AccountId account;
  TestProbe<BrokerGateway.Command> gateway;
  EventSourcedBehaviorTestKit<Expert.Command, Expert.Event, Expert.State> kit;
  PersistenceTestKit journal;

  @BeforeEach
  void setUp() {
    expertId = "exp" + (++experts);
    account = AccountId.of("acct" + experts);
    gateway = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.register(BrokerGateway.serviceKey(account), gateway.ref()));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Expert.create(expertId, Clock.fixed(NOW, ZoneOffset.UTC)));
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  Expert.Settings settings(int maxOpen, Set<InstrumentId> instruments) {
    return new Expert.Settings(account, true, maxOpen, new BigDecimal("100000"), new BigDecimal("0.5"), instruments);
  }

  void configure(Expert.Settings settings) {
    var result = kit.<Expert.State>runCommand(replyTo -> new Expert.Configure(settings, "alice", replyTo));
    assertEquals(List.of(new Expert.ExpertConfigured(expertId, settings, "alice", NOW)), result.events());
  }

  static Recommendation buy(InstrumentId instrument, String quantity, String stopLoss, String takeProfit) {
    return new Recommendation(instrument, Action.BUY, new BigDecimal("0.8"), stopLoss == null ? null : Price.of(stopLoss),
        takeProfit == null ? null : Price.of(takeProfit), quantity == null ? null : Quantity.of(quantity));
  }

  /** Sends {@code recommendations}; answers the entries the gateway gets with {@code answer}; returns the outcomes. */
  Expert.Outcomes recommend(List<Recommendation> recommendations, boolean halted, Map<InstrumentId, Price> prices) {
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(recommendations, Set.of(TCS, INFY, ITC), prices, halted, outcomes.ref()));
    return outcomes.receiveMessage();
  }

  BrokerGateway.Execute expectPlace(ClientOrderId id, OrderSide side, OrderType type, String quantity, String trigger, String limit,
      InstrumentId instrument) {
    BrokerGateway.Execute execute = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(BrokerGateway.Priority.CRITICAL, execute.priority());
    assertEquals(new BrokerCall.PlaceOrder(new OrderRequest(id, instrument, side, type, Quantity.of(quantity), trigger == null ? null
        : Price.of(trigger), limit == null ? null : Price.of(limit), TimeInForce.DAY)), execute.call());
    return execute;
  }

  List<Object> journaledSince(int before) {
    List<Object> all = journal.persistedInStorage(PersistenceId.of("Expert", expertId).id());
    return all.subList(before, all.size());
  }

  int journaledCount() {
    return journal.persistedInStorage(PersistenceId.of("Expert", expertId).id()).size();
  }

  static Fill fill(String tradeId, ClientOrderId order, String venueId, InstrumentId instrument, OrderSide side, String qty, String price) {
    return new Fill(TradeId.of(tradeId), order, VenueOrderId.of(venueId), instrument, side, Quantity.of(qty), Price.of(price),
        OffsetDateTime.parse("2024-01-16T09:35:00+05:30"));
  }

  void applyFill(Fill fill) {
    TestProbe<Done> done = testKit.createTestProbe();
    kit.runCommand(new Expert.ApplyFill(fill, done.ref()));
    done.expectMessage(Done.getInstance());
  }

  @Test
  void aBuyOpensATransactionWhoseEntryFillSendsItsStopAndTargetAndWhoseTargetFillClosesIt() {
    configure(settings(5, Set.of()));
    ClientOrderId entry = ClientOrderId.of(expertId + ".1");
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    int before = journaledCount();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", "3400.5", "3700")), Set.of(TCS), Map.of(), false, outcomes.ref()));
    assertEquals(List.of(new Expert.TransactionOpened(expertId, expertId + "-1", TCS, Quantity.of(10), Price.of("3400.5"), Price.of("3700"),
        new BigDecimal("0.8"), entry, NOW)), journaledSince(before));
    BrokerGateway.Execute place = expectPlace(entry, OrderSide.BUY, OrderType.MARKET, "10", null, null, TCS);
    outcomes.expectNoMessage(Duration.ofMillis(50));
    place.replyTo().tell(new BrokerCall.Placed(entry, VenueOrderId.of("V1")));
    assertEquals(new Expert.Outcomes(expertId, List.of(new Outcome(TCS, Action.BUY, expertId + "-1", null, null))), outcomes.receiveMessage(),
        "answered once the broker took the entry");
    awaitJournaled(before + 2);
    assertEquals(new Expert.OrderAccepted(expertId, entry, VenueOrderId.of("V1"), NOW), journaledSince(before + 1).get(0));
    assertEquals(TransactionStatus.WAITING, kit.getState().openTransaction(TCS).status());

    int beforeFill = journaledCount();
    Fill entryFill = fill("T1", entry, "V1", TCS, OrderSide.BUY, "10", "3500");
    applyFill(entryFill);
    ClientOrderId stop = ClientOrderId.of(expertId + ".2");
    ClientOrderId target = ClientOrderId.of(expertId + ".3");
    assertEquals(List.of(new Expert.FillApplied(expertId, entryFill, NOW),
        new Expert.OrderSubmitted(expertId, expertId + "-1", stop, OrderRole.STOP_LOSS, OrderSide.SELL, OrderType.STOP_MARKET, Quantity.of(10),
            Price.of("3400.5"), null, NOW),
        new Expert.OrderSubmitted(expertId, expertId + "-1", target, OrderRole.TAKE_PROFIT, OrderSide.SELL, OrderType.LIMIT, Quantity.of(10),
            null, Price.of("3700"), NOW)), journaledSince(beforeFill));
    assertEquals(TransactionStatus.OPENED, kit.getState().openTransaction(TCS).status());
    expectPlace(stop, OrderSide.SELL, OrderType.STOP_MARKET, "10", "3400.5", null, TCS).replyTo().tell(new BrokerCall.Placed(stop, VenueOrderId.of("V2")));
    expectPlace(target, OrderSide.SELL, OrderType.LIMIT, "10", null, "3700", TCS).replyTo().tell(new BrokerCall.Placed(target, VenueOrderId.of("V3")));
    awaitJournaled(beforeFill + 5);

    applyFill(entryFill);
    assertEquals(beforeFill + 5, journaledCount(), "a fill is applied once per trade id");

    int beforeExit = journaledCount();
    Fill targetFill = fill("T2", target, "V3", TCS, OrderSide.SELL, "10", "3700");
    applyFill(targetFill);
    assertEquals(List.of(new Expert.FillApplied(expertId, targetFill, NOW), new Expert.OrderCancelRequested(expertId, stop, NOW)),
        journaledSince(beforeExit));
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(new BrokerCall.CancelOrder(stop, VenueOrderId.of("V2")), cancel.call());
    cancel.replyTo().tell(new BrokerCall.Canceled(stop, VenueOrderId.of("V2")));
    awaitJournaled(beforeExit + 3);
    assertEquals(new Expert.OrderCanceled(expertId, stop, NOW), journaledSince(beforeExit + 2).get(0));
    Expert.Transaction closed = kit.getState().transaction(expertId + "-1");
    assertEquals(TransactionStatus.CLOSED, closed.status());
    assertEquals(Price.of("3500"), closed.entryPrice());
    assertEquals(Price.of("3700"), closed.exitPrice());
    assertEquals(0, new BigDecimal("2000").compareTo(closed.realizedPnl()));

    kit.restart();
    assertEquals(closed, kit.getState().transaction(expertId + "-1"), "the transaction survives a restart");
    assertEquals(3, kit.getState().orderSequence(), "ClientOrderIds continue after a restart");
  }

  @Test
  void aSecondBuyWhileTheTransactionIsWaitingOrOpenedIsSkippedByTheExpertsOwnState() {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> first = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", null, null)), Set.of(TCS), Map.of(), false, first.ref()));
    BrokerGateway.Execute place = gateway.expectMessageClass(BrokerGateway.Execute.class);
    int before = journaledCount();
    Expert.Outcomes second = recommend(List.of(buy(TCS, "10", null, null)), false, Map.of());
    assertEquals(List.of(new Outcome(TCS, Action.BUY, expertId + "-1", SkipReason.OPEN_TRANSACTION, null)), second.outcomes());
    assertEquals(List.of(new Expert.RecommendationSkipped(expertId, TCS, Action.BUY, SkipReason.OPEN_TRANSACTION, expertId + "-1", NOW)),
        journaledSince(before));
    gateway.expectNoMessage(Duration.ofMillis(50));
    place.replyTo().tell(new BrokerCall.Placed(ClientOrderId.of(expertId + ".1"), VenueOrderId.of("V1")));
    first.receiveMessage();
  }

  @Test
  void eachSkipReasonIsDecidedBeforeAnyOrder() {
    configure(new Expert.Settings(account, true, 1, new BigDecimal("100000"), new BigDecimal("0.5"), Set.of(TCS, INFY)));
    Recommendation unknown = buy(new InstrumentId("ACME-EQ", "NSE"), "1", null, null);
    Recommendation notAllowed = buy(ITC, "1", null, null);
    Recommendation low = new Recommendation(TCS, Action.BUY, new BigDecimal("0.4"), null, null, Quantity.of(1));
    Recommendation hold = new Recommendation(TCS, Action.HOLD, new BigDecimal("0.9"), null, null, null);
    Recommendation sellNothing = new Recommendation(TCS, Action.SELL, new BigDecimal("0.9"), null, null, null);
    Recommendation noPrice = buy(INFY, null, null, null);
    assertEquals(List.of(SkipReason.UNKNOWN_INSTRUMENT, SkipReason.INSTRUMENT_NOT_ALLOWED, SkipReason.LOW_CONFIDENCE, SkipReason.HOLD,
            SkipReason.NO_OPEN_TRANSACTION, SkipReason.NO_PRICE),
        recommend(List.of(unknown, notAllowed, low, hold, sellNothing, noPrice), false, Map.of()).outcomes().stream()
            .map(Outcome::skipped).toList());
    assertEquals(SkipReason.ACCOUNT_HALTED, recommend(List.of(buy(TCS, "1", null, null)), true, Map.of()).outcomes().get(0).skipped());

    TestProbe<Expert.Outcomes> sized = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(INFY, null, null, null)), Set.of(TCS, INFY, ITC), Map.of(INFY, Price.of("1533.3")), false,
        sized.ref()));
    expectPlace(ClientOrderId.of(expertId + ".1"), OrderSide.BUY, OrderType.MARKET, "65", null, null, INFY)
        .replyTo().tell(new BrokerCall.Placed(ClientOrderId.of(expertId + ".1"), VenueOrderId.of("V1")));
    assertTrue(sized.receiveMessage().outcomes().get(0).accepted(), "floor(100000 / 1533.3) = 65 shares");
    assertEquals(SkipReason.MAX_OPEN_TRANSACTIONS, recommend(List.of(buy(TCS, "1", null, null)), false, Map.of()).outcomes().get(0).skipped());

    kit.<Expert.State>runCommand(replyTo -> new Expert.Configure(new Expert.Settings(account, false, 1, new BigDecimal("100000"), BigDecimal.ZERO, Set.of()),
        "bob", replyTo));
    assertEquals(SkipReason.EXPERT_DISABLED, recommend(List.of(buy(TCS, "1", null, null)), false, Map.of()).outcomes().get(0).skipped());
  }

  @Test
  void anEntryRefusedByARiskCheckIsASkipAndItsTransactionFails() {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "1000", null, null)), Set.of(TCS), Map.of(), false, outcomes.ref()));
    BrokerGateway.Execute place = gateway.expectMessageClass(BrokerGateway.Execute.class);
    int before = journaledCount();
    place.replyTo().tell(new BrokerCall.Failed(place.call(), new BrokerError.Rejected("RISK_MAX_ORDER_NOTIONAL: 3500000 over 1000000")));
    Outcome outcome = outcomes.receiveMessage().outcomes().get(0);
    assertEquals(new Outcome(TCS, Action.BUY, expertId + "-1", SkipReason.RISK, "RISK_MAX_ORDER_NOTIONAL: 3500000 over 1000000"), outcome);
    awaitJournaled(before + 1);
    assertEquals(List.of(new Expert.OrderRejected(expertId, ClientOrderId.of(expertId + ".1"),
        "Rejected: RISK_MAX_ORDER_NOTIONAL: 3500000 over 1000000", NOW)), journaledSince(before));
    assertEquals(TransactionStatus.FAILED, kit.getState().transaction(expertId + "-1").status());
    assertEquals(null, kit.getState().openTransaction(TCS), "a failed transaction does not block the next BUY");
  }

  @Test
  void aSellCancelsTheWorkingOrdersThenSellsWhatTheTransactionHolds() {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", "3400", null)), Set.of(TCS), Map.of(), false, outcomes.ref()));
    ClientOrderId entry = ClientOrderId.of(expertId + ".1");
    ClientOrderId stop = ClientOrderId.of(expertId + ".2");
    ClientOrderId exit = ClientOrderId.of(expertId + ".3");
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(entry, VenueOrderId.of("V1")));
    outcomes.receiveMessage();
    applyFill(fill("T1", entry, "V1", TCS, OrderSide.BUY, "10", "3500"));
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(stop, VenueOrderId.of("V2")));
    awaitAccepted(stop);

    int before = journaledCount();
    Expert.Outcomes sold = recommend(List.of(new Recommendation(TCS, Action.SELL, new BigDecimal("0.9"), null, null, null)), false, Map.of());
    assertEquals(List.of(new Outcome(TCS, Action.SELL, expertId + "-1", null, null)), sold.outcomes());
    assertEquals(List.of(new Expert.CloseRequested(expertId, expertId + "-1", "SELL recommended", NOW),
        new Expert.OrderCancelRequested(expertId, stop, NOW)), journaledSince(before));
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    cancel.replyTo().tell(new BrokerCall.Canceled(stop, VenueOrderId.of("V2")));
    expectPlace(exit, OrderSide.SELL, OrderType.MARKET, "10", null, null, TCS).replyTo().tell(new BrokerCall.Placed(exit, VenueOrderId.of("V3")));
    awaitAccepted(exit);
    assertEquals(TransactionStatus.CLOSING, kit.getState().transaction(expertId + "-1").status());
    applyFill(fill("T2", exit, "V3", TCS, OrderSide.SELL, "10", "3450"));
    Expert.Transaction closed = kit.getState().transaction(expertId + "-1");
    assertEquals(TransactionStatus.CLOSED, closed.status());
    assertEquals(0, new BigDecimal("-500").compareTo(closed.realizedPnl()));
  }

  @Test
  void theMarketOpenExitsSellAPositionHeldOvernightOnceAndNeverOneAlreadySold() {
    configure(settings(5, Set.of()));
    java.time.ZoneId ist = java.time.ZoneId.of("Asia/Kolkata");
    // TCS: bought yesterday with a take-profit still working; INFY: bought too, and its take-profit filled at the broker
    // (delivered by the reconciliation that runs first), so it is closed already
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", null, "3700"), buy(INFY, "20", null, "1600")), Set.of(TCS, INFY), Map.of(), false,
        outcomes.ref()));
    ClientOrderId tcsEntry = ClientOrderId.of(expertId + ".1");
    ClientOrderId infyEntry = ClientOrderId.of(expertId + ".2");
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(tcsEntry, VenueOrderId.of("V1")));
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(infyEntry, VenueOrderId.of("V2")));
    outcomes.receiveMessage();
    applyFill(fill("T1", tcsEntry, "V1", TCS, OrderSide.BUY, "10", "3500"));
    ClientOrderId tcsTarget = ClientOrderId.of(expertId + ".3");
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(tcsTarget, VenueOrderId.of("V3")));
    applyFill(fill("T2", infyEntry, "V2", INFY, OrderSide.BUY, "20", "1500"));
    ClientOrderId infyTarget = ClientOrderId.of(expertId + ".4");
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(infyTarget, VenueOrderId.of("V4")));
    awaitAccepted(tcsTarget);
    awaitAccepted(infyTarget);
    applyFill(fill("T3", infyTarget, "V4", INFY, OrderSide.SELL, "20", "1600"));
    assertEquals(TransactionStatus.CLOSED, kit.getState().transaction(expertId + "-2").status());

    var sameDay = kit.<Expert.OvernightExits>runCommand(replyTo -> new Expert.ExitOvernight(java.time.LocalDate.of(2024, 1, 16), ist, replyTo));
    assertEquals(new Expert.OvernightExits(expertId, List.of()), sameDay.reply(), "opened today: not held overnight");
    assertTrue(sameDay.hasNoEvents());

    int before = journaledCount();
    // answered once the sale is at the broker: a replay's next bar then matches it, whatever the timing of the answers
    TestProbe<Expert.OvernightExits> exits = testKit.createTestProbe();
    kit.runCommand(new Expert.ExitOvernight(java.time.LocalDate.of(2024, 1, 17), ist, exits.ref()));
    assertEquals(List.of(new Expert.CloseRequested(expertId, expertId + "-1", "market-open exit of a position held overnight", NOW),
        new Expert.OrderCancelRequested(expertId, tcsTarget, NOW)), journaledSince(before));
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(new BrokerCall.CancelOrder(tcsTarget, VenueOrderId.of("V3")), cancel.call());
    exits.expectNoMessage(Duration.ofMillis(50));
    cancel.replyTo().tell(new BrokerCall.Canceled(tcsTarget, VenueOrderId.of("V3")));
    ClientOrderId exit = ClientOrderId.of(expertId + ".5");
    BrokerGateway.Execute sale = expectPlace(exit, OrderSide.SELL, OrderType.MARKET, "10", null, null, TCS);
    exits.expectNoMessage(Duration.ofMillis(50));
    sale.replyTo().tell(new BrokerCall.Placed(exit, VenueOrderId.of("V5")));
    assertEquals(new Expert.OvernightExits(expertId, List.of(expertId + "-1")), exits.receiveMessage(), "INFY's sale completed: not sold again");
    gateway.expectNoMessage(Duration.ofMillis(100));
  }

  static OrderReport row(ClientOrderId id, String venueId, InstrumentId instrument, OrderSide side, OrderType type, String quantity,
      dev.ordo.engine.model.OrderStatus status, String reason) {
    return new OrderReport(id, venueId == null ? null : VenueOrderId.of(venueId), instrument, side, type, Quantity.of(quantity), Quantity.ZERO,
        null, null, null, status, reason, NOW);
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<Expert.Command, Expert.Event, Expert.State, Done> reconcile(ClientOrderId id,
      OrderReport row) {
    var result = kit.<Done>runCommand(replyTo -> new Expert.ReconcileOrder(id, row, replyTo));
    assertEquals(Done.getInstance(), result.reply());
    return result;
  }

  /** A BUY of 10 TCS whose entry filled at 3500 and whose stop-loss and take-profit (when given) the broker accepted as V2, V3. */
  void openedWithExits(String stopLoss, String takeProfit) {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", stopLoss, takeProfit)), Set.of(TCS), Map.of(), false, outcomes.ref()));
    ClientOrderId entry = ClientOrderId.of(expertId + ".1");
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(entry, VenueOrderId.of("V1")));
    outcomes.receiveMessage();
    applyFill(fill("T1", entry, "V1", TCS, OrderSide.BUY, "10", "3500"));
    int n = 2;
    for (String exit : new String[] {stopLoss, takeProfit}) {
      if (exit == null) continue;
      ClientOrderId id = ClientOrderId.of(expertId + "." + n);
      gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(id, VenueOrderId.of("V" + n)));
      awaitAccepted(id);
      n++;
    }
  }

  @Test
  void aTakeProfitTheBrokerExpiredEndsAndTheTransactionStaysOpenedUntilTheMarketOpenSellsItAtOnce() {
    openedWithExits("3400", "3700");
    ClientOrderId stop = ClientOrderId.of(expertId + ".2");
    ClientOrderId target = ClientOrderId.of(expertId + ".3");
    var expired = reconcile(target, row(target, "V3", TCS, OrderSide.SELL, OrderType.LIMIT, "10", dev.ordo.engine.model.OrderStatus.EXPIRED,
        null));
    assertEquals(List.of(new Expert.OrderExpired(expertId, target, NOW)), expired.events());
    assertEquals(dev.ordo.engine.model.OrderStatus.EXPIRED, kit.getState().orders().get(target).status());
    var canceled = reconcile(stop, row(stop, "V2", TCS, OrderSide.SELL, OrderType.STOP_MARKET, "10", dev.ordo.engine.model.OrderStatus.CANCELED,
        null));
    assertEquals(List.of(new Expert.OrderCanceled(expertId, stop, NOW)), canceled.events());
    Expert.Transaction opened = kit.getState().transaction(expertId + "-1");
    assertEquals(TransactionStatus.OPENED, opened.status(), "its exits ended without a fill: it still holds its quantity");
    assertEquals(Quantity.of(10), opened.held());
    gateway.expectNoMessage(Duration.ofMillis(50));

    assertTrue(reconcile(target, row(target, "V3", TCS, OrderSide.SELL, OrderType.LIMIT, "10", dev.ordo.engine.model.OrderStatus.EXPIRED,
        null)).hasNoEvents(), "ended already");
    assertTrue(reconcile(ClientOrderId.of(expertId + ".99"), null).hasNoEvents(), "not one of its orders");
    kit.restart();
    assertEquals(dev.ordo.engine.model.OrderStatus.EXPIRED, kit.getState().orders().get(target).status(), "expired after a restart too");

    TestProbe<Expert.OvernightExits> exits = testKit.createTestProbe();
    var nextDay = kit.runCommand(new Expert.ExitOvernight(java.time.LocalDate.of(2024, 1, 17), java.time.ZoneId.of("Asia/Kolkata"), exits.ref()));
    ClientOrderId exit = ClientOrderId.of(expertId + ".4");
    assertEquals(List.of(new Expert.CloseRequested(expertId, expertId + "-1", "market-open exit of a position held overnight", NOW),
        new Expert.OrderSubmitted(expertId, expertId + "-1", exit, OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(10), null,
            null, NOW)), nextDay.events(), "nothing working to cancel: the market sell goes at once");
    BrokerGateway.Execute sale = expectPlace(exit, OrderSide.SELL, OrderType.MARKET, "10", null, null, TCS);
    exits.expectNoMessage(Duration.ofMillis(50));
    // a sale whose answer is lost (a timeout) is answered too: it is left for reconciliation, never sent again
    sale.replyTo().tell(new BrokerCall.Failed(sale.call(), new BrokerError.Timeout("no answer")));
    assertEquals(new Expert.OvernightExits(expertId, List.of(expertId + "-1")), exits.receiveMessage());
    gateway.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aTransactionWhoseTakeProfitSoldWhileItsStopLossIsBeingCanceledHoldsNothingOvernightToSell() {
    openedWithExits("3400", "3700");
    ClientOrderId stop = ClientOrderId.of(expertId + ".2");
    ClientOrderId target = ClientOrderId.of(expertId + ".3");
    applyFill(fill("T2", target, "V3", TCS, OrderSide.SELL, "10", "3700"));
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(new BrokerCall.CancelOrder(stop, VenueOrderId.of("V2")), cancel.call());
    Expert.Transaction sold = kit.getState().transaction(expertId + "-1");
    assertEquals(TransactionStatus.OPENED, sold.status(), "its stop-loss still works until the cancel is answered");
    assertEquals(Quantity.ZERO, sold.held());
    var nextDay = kit.<Expert.OvernightExits>runCommand(replyTo -> new Expert.ExitOvernight(java.time.LocalDate.of(2024, 1, 17),
        java.time.ZoneId.of("Asia/Kolkata"), replyTo));
    assertEquals(new Expert.OvernightExits(expertId, List.of()), nextDay.reply(), "sold already: nothing held overnight");
    assertTrue(nextDay.hasNoEvents());
    gateway.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aClosingTransactionWhoseTakeProfitExpiredSoItsCancelWasRefusedProceedsToItsMarketSell() {
    openedWithExits(null, "3700");
    ClientOrderId target = ClientOrderId.of(expertId + ".2");
    Expert.Outcomes sold = recommend(List.of(new Recommendation(TCS, Action.SELL, new BigDecimal("0.9"), null, null, null)), false, Map.of());
    assertTrue(sold.outcomes().get(0).accepted());
    BrokerGateway.Execute cancel = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertEquals(new BrokerCall.CancelOrder(target, VenueOrderId.of("V2")), cancel.call());
    int before = journaledCount();
    cancel.replyTo().tell(new BrokerCall.Failed(cancel.call(), new BrokerError.Rejected("order V2 is not open: EXPIRED")));
    gateway.expectNoMessage(Duration.ofMillis(100));
    assertEquals(before, journaledCount(), "a refused cancel changes nothing");
    assertEquals(TransactionStatus.CLOSING, kit.getState().transaction(expertId + "-1").status());

    var expired = reconcile(target, row(target, "V2", TCS, OrderSide.SELL, OrderType.LIMIT, "10", dev.ordo.engine.model.OrderStatus.EXPIRED,
        null));
    ClientOrderId exit = ClientOrderId.of(expertId + ".3");
    assertEquals(List.of(new Expert.OrderExpired(expertId, target, NOW), new Expert.OrderSubmitted(expertId, expertId + "-1", exit,
        OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, Quantity.of(10), null, null, NOW)), expired.events());
    expectPlace(exit, OrderSide.SELL, OrderType.MARKET, "10", null, null, TCS).replyTo().tell(new BrokerCall.Placed(exit, VenueOrderId.of("V3")));
    awaitAccepted(exit);
    applyFill(fill("T2", exit, "V3", TCS, OrderSide.SELL, "10", "3550"));
    assertEquals(TransactionStatus.CLOSED, kit.getState().transaction(expertId + "-1").status());
  }

  @Test
  void placementsOfUnknownOutcomeAreResolvedByTheOrderBook() {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", null, null), buy(INFY, "5", null, null), buy(ITC, "7", null, null)),
        Set.of(TCS, INFY, ITC), Map.of(), false, outcomes.ref()));
    ClientOrderId tcs = ClientOrderId.of(expertId + ".1");
    ClientOrderId infy = ClientOrderId.of(expertId + ".2");
    ClientOrderId itc = ClientOrderId.of(expertId + ".3");
    BrokerGateway.Execute first = gateway.expectMessageClass(BrokerGateway.Execute.class);
    BrokerGateway.Execute second = gateway.expectMessageClass(BrokerGateway.Execute.class);
    BrokerGateway.Execute third = gateway.expectMessageClass(BrokerGateway.Execute.class);
    assertTrue(reconcile(tcs, null).hasNoEvents(), "a placement still waiting for its answer is not declared lost");
    for (BrokerGateway.Execute place : List.of(first, second, third))
      place.replyTo().tell(new BrokerCall.Failed(place.call(), new BrokerError.Timeout("no answer in 10s")));
    assertTrue(outcomes.receiveMessage().outcomes().stream().allMatch(Outcome::accepted), "unanswered: left for reconciliation");
    int before = journaledCount();
    gateway.expectNoMessage(Duration.ofMillis(50));
    assertEquals(before, journaledCount(), "a timed-out placement stays SUBMITTED, never sent again");

    var found = reconcile(tcs, row(tcs, "V7", TCS, OrderSide.BUY, OrderType.MARKET, "10", dev.ordo.engine.model.OrderStatus.ACCEPTED, null));
    assertEquals(List.of(new Expert.OrderAccepted(expertId, tcs, VenueOrderId.of("V7"), NOW)), found.events());
    assertEquals(TransactionStatus.WAITING, kit.getState().openTransaction(TCS).status(), "it works at the broker: its fill will come");
    assertTrue(reconcile(tcs, row(tcs, "V7", TCS, OrderSide.BUY, OrderType.MARKET, "10", dev.ordo.engine.model.OrderStatus.ACCEPTED, null))
        .hasNoEvents(), "known already");

    var refused = reconcile(infy, row(infy, "V8", INFY, OrderSide.BUY, OrderType.MARKET, "5", dev.ordo.engine.model.OrderStatus.REJECTED,
        "insufficient funds"));
    assertEquals(List.of(new Expert.OrderRejected(expertId, infy, "Rejected: insufficient funds", NOW)), refused.events());
    assertEquals(TransactionStatus.FAILED, kit.getState().transaction(expertId + "-2").status());

    var lost = reconcile(itc, null);
    assertEquals(List.of(new Expert.OrderRejected(expertId, itc, "not in the broker's order book: never placed", NOW)), lost.events());
    assertEquals(TransactionStatus.FAILED, kit.getState().transaction(expertId + "-3").status());
    assertEquals(null, kit.getState().openTransaction(ITC), "a lost entry does not block the next BUY");
  }

  @Test
  void anEntryTheBrokerExpiredWithoutAFillFailsItsTransaction() {
    configure(settings(5, Set.of()));
    TestProbe<Expert.Outcomes> outcomes = testKit.createTestProbe();
    kit.runCommand(new Expert.Recommend(List.of(buy(TCS, "10", null, "3700")), Set.of(TCS), Map.of(), false, outcomes.ref()));
    ClientOrderId entry = ClientOrderId.of(expertId + ".1");
    BrokerGateway.Execute place = gateway.expectMessageClass(BrokerGateway.Execute.class);
    place.replyTo().tell(new BrokerCall.Failed(place.call(), new BrokerError.Timeout("no answer in 10s")));
    outcomes.receiveMessage();
    var expired = reconcile(entry, row(entry, "V1", TCS, OrderSide.BUY, OrderType.MARKET, "10", dev.ordo.engine.model.OrderStatus.EXPIRED,
        null));
    assertEquals(List.of(new Expert.OrderAccepted(expertId, entry, VenueOrderId.of("V1"), NOW), new Expert.OrderExpired(expertId, entry, NOW)),
        expired.events(), "the broker had it, then ended it");
    Expert.Transaction failed = kit.getState().transaction(expertId + "-1");
    assertEquals(TransactionStatus.FAILED, failed.status());
    assertEquals("entry EXPIRED at the broker without a fill", failed.reason());
    gateway.expectNoMessage(Duration.ofMillis(50));
  }

  void awaitJournaled(int count) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(count, journaledCount());
      return null;
    });
  }

  void awaitAccepted(ClientOrderId id) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertInstanceOf(VenueOrderId.class, kit.getState().orders().get(id).venueOrderId());
      return null;
    });
  }
}
