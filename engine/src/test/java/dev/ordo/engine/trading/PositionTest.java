package dev.ordo.engine.trading;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.PositionSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PositionTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final AccountId ACCOUNT = AccountId.of("paper");
  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:20:00+05:30");
  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");

  EventSourcedBehaviorTestKit<Position.Command, Position.Event, Position.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Position.create(Position.entityId(ACCOUNT, INSTRUMENT), Clock.fixed(NOW, ZoneOffset.UTC)));
    kit.clear();
  }

  static Fill fill(String tradeId, OrderSide side, long quantity, String price, int minutes) {
    return new Fill(TradeId.of(tradeId), ClientOrderId.of("C-" + tradeId), VenueOrderId.of("V-" + tradeId), INSTRUMENT, side,
        Quantity.of(quantity), Price.of(price), T0.plusMinutes(minutes));
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<Position.Command, Position.Event, Position.State, Done> apply(Fill fill) {
    return kit.runCommand(replyTo -> new Position.ApplyFill(fill, replyTo));
  }

  @Test
  void overAYearOfDailyRoundTripsTheStateKeepsAWeeksTradeIdsAndAFillFromBeforeThemIsNotAppliedAgain() {
    int day = 0;
    for (; day < 365; day++) {
      apply(fill("B" + day, OrderSide.BUY, 10, "2179.00", day * 24 * 60));
      apply(fill("S" + day, OrderSide.SELL, 10, "2180.00", day * 24 * 60 + 60));
    }
    Position.State year = kit.getState();
    assertEquals(730, year.fills());
    assertEquals(15, year.appliedTradeIds().size(), "the fills within a week of the latest (the last sell): days 358-364 and the sell of 357");
    assertEquals(BigDecimal.ZERO, year.position().quantity());

    var replayed = apply(fill("B0", OrderSide.BUY, 10, "2179.00", 0));
    assertTrue(replayed.hasNoEvents(), "a fill of the first day, delivered again a year later: taken as applied");
    assertEquals(year, replayed.state());
    var recent = apply(fill("S360", OrderSide.SELL, 10, "2180.00", 360 * 24 * 60 + 60));
    assertTrue(recent.hasNoEvents(), "a fill of the last week: found by its id");

    kit.restart();
    assertEquals(year, kit.getState(), "the same state recovered");
  }

  @Test
  void journalsAFillOnceAndAnswersARepeatWithoutAnEvent() {
    Fill buy = fill("T1", OrderSide.BUY, 100, "2179.00", 0);
    var first = apply(buy);
    assertEquals(new Position.FillApplied(ACCOUNT, INSTRUMENT, buy, NOW), first.event());
    assertEquals(Done.getInstance(), first.reply());
    assertEquals(new Position.State(ACCOUNT, INSTRUMENT, new NetPosition(BigDecimal.valueOf(100), Price.of("2179.00"), BigDecimal.ZERO, T0, null),
        1, dev.ordo.engine.model.AppliedTradeIds.NONE.with(buy)), first.state());

    var again = apply(buy);
    assertTrue(again.hasNoEvents(), "the same trade id is applied once");
    assertEquals(Done.getInstance(), again.reply());
    assertEquals(first.state(), again.state());
  }

  @Test
  void averagesEntriesRealizesOnExitAndMarksTheClosedPosition() {
    apply(fill("T1", OrderSide.BUY, 100, "100", 0));
    apply(fill("T2", OrderSide.BUY, 100, "110", 5));
    assertEquals(Price.of("105"), kit.getState().position().averagePrice());
    assertEquals(PositionSide.LONG, kit.getState().position().side());
    apply(fill("T3", OrderSide.SELL, 50, "120", 10));
    assertEquals(0, kit.getState().position().realizedPnl().compareTo(new BigDecimal("750")), "(120 - 105) * 50");
    apply(fill("T4", OrderSide.SELL, 150, "100", 15));
    NetPosition closed = kit.getState().position();
    assertEquals(PositionSide.FLAT, closed.side());
    assertNull(closed.averagePrice());
    assertEquals(T0, closed.openedAt());
    assertEquals(T0.plusMinutes(15), closed.closedAt());
    assertEquals(0, closed.realizedPnl().compareTo(BigDecimal.ZERO), "750 - 5 * 150");
    assertEquals(4, kit.getState().fills());
  }

  @Test
  void aFillOfAnotherInstrumentIsNotApplied() {
    Fill other = new Fill(TradeId.of("T9"), ClientOrderId.of("C-9"), VenueOrderId.of("V-9"), new InstrumentId("OTHER-EQ", "NSE"),
        OrderSide.BUY, Quantity.of(1), Price.of("10"), T0);
    var result = apply(other);
    assertTrue(result.hasNoEvents());
    assertEquals(Done.getInstance(), result.reply());
  }

  @Test
  void keepsItsStateAcrossARestart() {
    apply(fill("T1", OrderSide.BUY, 45, "2179.00", 0));
    apply(fill("T2", OrderSide.SELL, 45, "2178.05", 10));
    Position.State before = kit.getState();
    kit.restart();
    assertEquals(before, kit.getState());
    assertEquals(0, kit.getState().position().realizedPnl().compareTo(new BigDecimal("-42.75")), "DALBHARAT's first spec trade");
    assertTrue(apply(fill("T2", OrderSide.SELL, 45, "2178.05", 10)).hasNoEvents());
  }
}
