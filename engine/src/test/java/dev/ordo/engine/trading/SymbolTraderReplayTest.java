package dev.ordo.engine.trading;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static dev.ordo.engine.TestBars.bar;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.strategy.StrategyState;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replayed bars ({@code replayed = true}, as {@code BarDelivery} sends them): a bar that decides no
 * order is applied but journaled only with the trader's next write; after a restart the replay
 * re-delivers the bars after the last journaled one and the trader derives the same state.
 */
class SymbolTraderReplayTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final LocalDate D0 = LocalDate.of(2024, 1, 15);
  static final LocalDate D1 = LocalDate.of(2024, 1, 16);
  static final EightyTwentyStrategy STRATEGY = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
  static final ClientOrderId ENTRY = ClientOrderId.of("TEST-EQ-1");
  static final ClientOrderId STOP = ClientOrderId.of("TEST-EQ-2");
  static final Bar D0_0915 = bar(D0, "09:15", "109", "110", "105", "106");
  static final Bar D0_0920 = bar(D0, "09:20", "106", "106", "100", "101");
  static final Bar BREAK_BAR = bar(D1, "09:15", "101", "101", "99.5", "100");
  static final Bar FILL_BAR = bar(D1, "09:20", "100", "101", "99.9", "100.5");

  static int accounts;

  AccountId account;
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
    account = AccountId.of("replay" + (++accounts));
    testKit.system().receptionist().tell(Receptionist.register(BrokerGateway.serviceKey(account), gateway.ref()));
    SymbolTrader.Dependencies dependencies = new SymbolTrader.Dependencies(id -> STRATEGY, Clock.fixed(NOW, ZoneOffset.UTC));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), SymbolTrader.create(SymbolTrader.entityId(account, INSTRUMENT), dependencies));
    kit.clear();
  }

  // ---------------------------------------------------------------- helpers

  List<SymbolTrader.Event> open(Bar b) {
    var result = kit.runCommand(new SymbolTrader.OpenBar(b.tsOpen(), done.ref(), true));
    return result.events();
  }

  List<SymbolTrader.Event> close(Bar b) {
    return kit.runCommand(new SymbolTrader.CloseBar(b, done.ref(), true)).events();
  }

  /** Opens and closes {@code b} as the replay does; neither decides an order, so nothing is journaled. */
  void quietBar(Bar b) {
    assertEquals(List.of(), open(b), "an open that decides nothing is not journaled yet");
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(), close(b), "a bar that decides nothing is not journaled yet");
    done.expectMessage(Done.getInstance());
  }

  /** The trader's own view (the journaled state with the bars not journaled yet). */
  SymbolTrader.State traderState() {
    return kit.<SymbolTrader.State>runCommand(SymbolTrader.GetState::new).reply();
  }

  SymbolTrader.Progress progress() {
    return kit.<SymbolTrader.Progress>runCommand(SymbolTrader.GetProgress::new).reply();
  }

  /** The 80-20 strategy's state after opening and closing each of {@code bars}, from {@code from}. */
  static StrategyState strategyAfter(StrategyState from, Bar... bars) {
    StrategyState state = from;
    for (Bar b : bars) state = STRATEGY.onBar(STRATEGY.onBarOpen(state, b.tsOpen()).state(), b).state();
    return state;
  }

  /** Session D0 (a setup: opened high, closed low) replayed and ended: the journal holds its last bar and its end. */
  StrategyState replayedSetupSession() {
    quietBar(D0_0915);
    quietBar(D0_0920);
    StrategyState afterBars = strategyAfter(STRATEGY.initialState(), D0_0915, D0_0920);
    StrategyState afterEnd = STRATEGY.onSessionEnd(afterBars, D0).state();
    var ended = kit.runCommand(new SymbolTrader.EndSession(D0, done.ref()));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(
        new SymbolTrader.BarApplied(account, INSTRUMENT, D0_0920, afterBars, null, NOW),
        new SymbolTrader.SessionEnded(account, INSTRUMENT, D0, afterEnd, null, NOW)), ended.events(),
        "the session's end journals the last bar first");
    return afterEnd;
  }

  // ---------------------------------------------------------------- tests

  @Test
  void replayedBarsThatDecideNothingAreAppliedAndJournaledWithTheNextWrite() {
    quietBar(D0_0915);
    quietBar(D0_0920);
    SymbolTrader.State seen = traderState();
    assertEquals(strategyAfter(STRATEGY.initialState(), D0_0915, D0_0920), seen.strategy(), "both bars applied to the strategy");
    assertEquals(D0_0920.tsOpen(), seen.lastBarApplied());
    assertEquals(new SymbolTrader.Progress(INSTRUMENT, D0_0920.tsOpen(), null), progress(), "progress counts the bars applied");
    assertEquals(null, kit.getState().lastBarApplied(), "nothing journaled yet");

    replayedSetupSession();
    kit.restart();
    assertEquals(traderState(), kit.getState(), "after the session's end the journal holds all of it");
    assertEquals(new SymbolTrader.Progress(INSTRUMENT, D0_0920.tsOpen(), D0), progress());
  }

  @Test
  void aTraderRestartedWithBarsNotJournaledDerivesTheSameStateWhenTheyAreReDelivered() {
    replayedSetupSession();
    quietBar(bar(D1, "09:15", "101", "102", "100.5", "101.5"));
    quietBar(bar(D1, "09:20", "101.5", "102", "100.2", "101"));
    SymbolTrader.State beforeStop = traderState();

    kit.restart();
    assertEquals(new SymbolTrader.Progress(INSTRUMENT, D0_0920.tsOpen(), D0), progress(), "the replay resumes after D0's last bar");
    quietBar(bar(D1, "09:15", "101", "102", "100.5", "101.5"));
    quietBar(bar(D1, "09:20", "101.5", "102", "100.2", "101"));
    assertEquals(beforeStop, traderState(), "the same state as before the restart");

    Bar breakBar = bar(D1, "09:25", "101", "101", "99.5", "100");
    StrategyState afterBreak = strategyAfter(beforeStop.strategy(), breakBar);
    assertEquals(List.of(), open(breakBar));
    done.expectMessage(Done.getInstance());
    StrategyState afterOpen = STRATEGY.onBarOpen(beforeStop.strategy(), breakBar.tsOpen()).state();
    assertEquals(List.of(
        new SymbolTrader.BarApplied(account, INSTRUMENT, bar(D1, "09:20", "101.5", "102", "100.2", "101"), beforeStop.strategy(), null, NOW),
        new SymbolTrader.BarOpened(account, INSTRUMENT, breakBar.tsOpen(), afterOpen, null, NOW),
        new SymbolTrader.BarApplied(account, INSTRUMENT, breakBar, afterBreak, done.ref(), NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, ENTRY, OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(1000),
            Price.of("100"), null, null, OrderStatus.SUBMITTED, NOW)), close(breakBar),
        "a deciding bar journals the state before it (the last bar, its open), then itself and its orders");
  }

  @Test
  void aBarOpenJournaledBeforeAFillIsNotOpenedAgainWhenTheReplayReDeliversItsBar() {
    replayedSetupSession();
    assertEquals(List.of(), open(BREAK_BAR));
    done.expectMessage(Done.getInstance());
    close(BREAK_BAR);
    gateway.expectMessageClass(BrokerGateway.Execute.class).replyTo().tell(new BrokerCall.Placed(ENTRY, VenueOrderId.of("V1")));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(), open(FILL_BAR));
    done.expectMessage(Done.getInstance());

    StrategyState opened = traderState().strategy();
    Fill fill = new Fill(TradeId.of("T1"), ENTRY, VenueOrderId.of("V1"), INSTRUMENT, OrderSide.BUY, Quantity.of(1000), Price.of("100"),
        FILL_BAR.tsOpen());
    var filled = kit.<Done>runCommand(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo));
    StrategyState afterFill = STRATEGY.onFill(opened, OrderRole.ENTRY, fill.lastQty(), fill.lastPx()).state();
    assertEquals(List.of(
        new SymbolTrader.BarOpened(account, INSTRUMENT, FILL_BAR.tsOpen(), opened, null, NOW),
        new SymbolTrader.OrderFilled(account, INSTRUMENT, fill, OrderRole.ENTRY, afterFill, NOW)), filled.events(),
        "the fill journals the open of its bar first");

    kit.restart();
    assertEquals(new SymbolTrader.Progress(INSTRUMENT, BREAK_BAR.tsOpen(), D0), progress(), "the replay re-delivers the fill's bar");
    assertEquals(List.of(), open(FILL_BAR), "its open was journaled: not opened again");
    done.expectMessage(Done.getInstance());
    StrategyState afterBar = STRATEGY.onBar(afterFill, FILL_BAR).state();
    assertEquals(List.of(
        new SymbolTrader.BarApplied(account, INSTRUMENT, FILL_BAR, afterBar, done.ref(), NOW),
        new SymbolTrader.OrderSubmitted(account, INSTRUMENT, STOP, OrderRole.STOP_LOSS, OrderSide.SELL, OrderType.STOP_MARKET,
            Quantity.of(1000), Price.of("99.50"), null, ExitReason.STOP, OrderStatus.SUBMITTED, NOW)), close(FILL_BAR));
  }

  @Test
  void liveBarsAreJournaledAtOnce() {
    var opened = kit.runCommand(new SymbolTrader.OpenBar(D0_0915.tsOpen(), done.ref()));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(new SymbolTrader.BarOpened(account, INSTRUMENT, D0_0915.tsOpen(),
        STRATEGY.onBarOpen(STRATEGY.initialState(), D0_0915.tsOpen()).state(), null, NOW)), opened.events(),
        "a live open that rolls the session is journaled at once");
    var applied = kit.runCommand(new SymbolTrader.CloseBar(D0_0915, done.ref()));
    done.expectMessage(Done.getInstance());
    assertEquals(List.of(new SymbolTrader.BarApplied(account, INSTRUMENT, D0_0915, strategyAfter(STRATEGY.initialState(), D0_0915), null,
        NOW)), applied.events());
    kit.restart();
    assertEquals(D0_0915.tsOpen(), kit.getState().lastBarApplied(), "no live bar is left for a replay to re-deliver");
  }
}
