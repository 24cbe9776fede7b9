package dev.ordo.engine.risk;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.FakeBroker;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.StrategyState;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway consults the account's risk actor before a placement reaches the broker: a refusal comes
 * back to the symbol trader as a broker rejection, journaled as {@code OrderRejected} with the check's
 * reason, and the strategy is not left waiting; a halted account's exits and cancels still go out.
 */
class RiskCheckedGatewayTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);
  static final EightyTwentyStrategy STRATEGY = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
  static final ClientOrderId ENTRY = ClientOrderId.of("TEST-EQ-1");
  static int accounts;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  record Wired(AccountId account, FakeBroker broker, ActorRef<AccountRisk.Command> risk, ActorRef<BrokerGateway.Command> gateway) {}

  /** A new account whose gateway consults its own risk actor under {@code limits}. */
  static Wired wire(RiskLimits limits) {
    AccountId account = AccountId.of("risk" + (++accounts));
    FakeBroker broker = new FakeBroker();
    ActorRef<AccountRisk.Command> risk = testKit.spawn(AccountRisk.create(account,
        new AccountRisk.Settings(limits, new ReplayClock(NOW), ZoneId.of("Asia/Kolkata"))));
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(account, broker, Credentials.none(), AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(account, broker, auth, BrokerGateway.Settings.defaults(), risk));
    return new Wired(account, broker, risk, gateway);
  }

  @Test
  void aRefusedEntryReachesTheSymbolTraderAsOrderRejectedWithTheReasonAndNeverTheBroker() {
    // The 80-20 entry: BUY 1000 (capital 100000 / trigger 100) stop at 100, a notional of 100000
    Wired wired = wire(new RiskLimits(new BigDecimal("50000"), null, null, null, null));
    TestProbe<Done> done = testKit.createTestProbe();
    var kit = EventSourcedBehaviorTestKit.<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State>create(testKit.system(),
        SymbolTrader.create(SymbolTrader.entityId(wired.account(), INSTRUMENT),
            new SymbolTrader.Dependencies(id -> STRATEGY, Clock.fixed(NOW, ZoneOffset.UTC))));
    feed(kit, done, bar(D0, "09:15", "109", "110", "105", "106"));
    feed(kit, done, bar(D0, "09:20", "106", "106", "100", "101"));
    kit.runCommand(new SymbolTrader.EndSession(D0, done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.OpenBar(bar(D1, "09:15", "101", "101", "99.5", "100").tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());

    kit.runCommand(new SymbolTrader.CloseBar(bar(D1, "09:15", "101", "101", "99.5", "100"), done.ref()));
    StrategyState decided = kit.getState().strategy();
    done.expectMessage(Done.getInstance()); // answered: the refusal settled the step, nothing waits for a broker

    String reason = "RISK_MAX_ORDER_NOTIONAL: BUY 1000 TEST-EQ.NSE at 100 (its trigger) is a notional of 100000, over the max-order-notional 50000";
    SymbolTrader.State state = kit.getState();
    assertEquals(OrderStatus.REJECTED, state.order(ENTRY).status());
    assertEquals("Rejected: " + reason, state.order(ENTRY).lastError());
    StrategyState afterRefusal = STRATEGY.onOrderClosed(decided, OrderRole.ENTRY, OrderStatus.REJECTED).state();
    assertEquals(afterRefusal, state.strategy(), "the strategy saw the refusal");
    assertNull(state.working(OrderRole.ENTRY), "no entry left working");
    List<Object> journaled = PersistenceTestKit.create(testKit.system())
        .persistedInStorage(PersistenceId.of(SymbolTrader.ENTITY_TYPE_KEY.name(), SymbolTrader.entityId(wired.account(), INSTRUMENT)).id());
    assertEquals(new SymbolTrader.OrderRejected(wired.account(), INSTRUMENT, ENTRY, "Rejected: " + reason, afterRefusal, NOW),
        journaled.get(journaled.size() - 1));
    assertEquals(0, wired.broker().callsReceived(), "the refused order never reached the broker");

    List<Object> refusals = PersistenceTestKit.create(testKit.system())
        .persistedInStorage(PersistenceId.of(AccountRisk.ENTITY_TYPE_KEY.name(), wired.account().value()).id());
    assertEquals(List.of(new AccountRisk.OrderRefused(wired.account(), ENTRY, INSTRUMENT, OrderSide.BUY, Quantity.of(1000),
        "RISK_MAX_ORDER_NOTIONAL", "BUY 1000 TEST-EQ.NSE at 100 (its trigger) is a notional of 100000, over the max-order-notional 50000", NOW)),
        refusals);
  }

  @Test
  void aHaltedAccountsGatewaySendsTheSaleThatReducesALongAndTheCancelButRefusesTheBuy() {
    Wired wired = wire(RiskLimits.NONE);
    TestProbe<Done> applied = testKit.createTestProbe();
    wired.risk().tell(new AccountRisk.ApplyFill(new Fill(TradeId.of("T1"), ClientOrderId.of("B-1"), VenueOrderId.of("V-B-1"), INSTRUMENT,
        OrderSide.BUY, Quantity.of(100), Price.of("100"), OffsetDateTime.parse("2024-01-16T09:20:00+05:30")), applied.ref()));
    applied.expectMessage(Done.getInstance());
    TestProbe<AccountRisk.ControlAnswer> control = testKit.createTestProbe();
    wired.risk().tell(new AccountRisk.Halt("alice", null, control.ref()));
    control.expectMessageClass(AccountRisk.Changed.class);

    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    OrderRequest sell = new OrderRequest(ClientOrderId.of("S-1"), INSTRUMENT, OrderSide.SELL, OrderType.STOP_MARKET, Quantity.of(100),
        Price.of("95"), null, TimeInForce.DAY);
    wired.gateway().tell(new BrokerGateway.Execute(new BrokerCall.PlaceOrder(sell), BrokerGateway.Priority.CRITICAL, replies.ref()));
    assertEquals(new BrokerCall.Placed(sell.clientOrderId(), VenueOrderId.of("V-S-1")), replies.receiveMessage());

    BrokerCall.PlaceOrder buy = new BrokerCall.PlaceOrder(new OrderRequest(ClientOrderId.of("B-2"), INSTRUMENT, OrderSide.BUY, OrderType.MARKET,
        Quantity.of(1), null, null, TimeInForce.DAY));
    wired.gateway().tell(new BrokerGateway.Execute(buy, BrokerGateway.Priority.CRITICAL, replies.ref()));
    assertEquals(new BrokerCall.Failed(buy, new BrokerError.Rejected(
        "ACCOUNT_HALTED: account " + wired.account() + " is halted (halted by alice); only orders that reduce a position are sent until it is resumed")),
        replies.receiveMessage());

    BrokerCall.CancelOrder cancel = new BrokerCall.CancelOrder(sell.clientOrderId(), VenueOrderId.of("V-S-1"));
    wired.gateway().tell(new BrokerGateway.Execute(cancel, BrokerGateway.Priority.CRITICAL, replies.ref()));
    assertEquals(new BrokerCall.Canceled(sell.clientOrderId(), VenueOrderId.of("V-S-1")), replies.receiveMessage());
    assertEquals(2, wired.broker().callsReceived(), "the sale and the cancel reached the broker, the buy did not");
  }

  static void feed(EventSourcedBehaviorTestKit<SymbolTrader.Command, SymbolTrader.Event, SymbolTrader.State> kit, TestProbe<Done> done, Bar b) {
    kit.runCommand(new SymbolTrader.OpenBar(b.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    kit.runCommand(new SymbolTrader.CloseBar(b, done.ref()));
    done.expectMessage(Done.getInstance());
  }
}
