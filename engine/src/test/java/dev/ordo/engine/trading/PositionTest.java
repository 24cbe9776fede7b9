package dev.ordo.engine.trading;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import java.math.BigDecimal;
import org.apache.pekko.Done;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PositionTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final OffsetDateTime T0 = OffsetDateTime.parse("2024-01-16T09:20:00+05:30");

  EventSourcedBehaviorTestKit<Position.Command, Position.Event, Position.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Position.create(Position.entityId(AccountId.of("paper"), INSTRUMENT), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)));
    kit.clear();
  }

  static Fill fill(String tradeId, OrderSide side, long quantity, String price, int minutes) {
    return new Fill(TradeId.of(tradeId), ClientOrderId.of("C-" + tradeId), VenueOrderId.of("V-" + tradeId), INSTRUMENT, side,
        Quantity.of(quantity), Price.of(price), T0.plusMinutes(minutes));
  }

  @Test
  void appliesARepeatedFillOnce() {
    Fill buy = fill("T1", OrderSide.BUY, 100, "2179.00", 0);
    assertEquals(1, kit.<Done>runCommand(r -> new Position.ApplyFill(buy, r)).events().size());
    assertTrue(kit.<Done>runCommand(r -> new Position.ApplyFill(buy, r)).events().isEmpty());
    assertEquals(0, kit.getState().quantity().compareTo(BigDecimal.valueOf(100)));
    assertEquals(1, kit.getState().fills());
  }

  @Test
  void averagesEntriesRealizesOnExitAndMarksTheClosedPosition() {
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T1", OrderSide.BUY, 100, "100", 0), r));
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T2", OrderSide.BUY, 100, "110", 5), r));
    assertEquals(Price.of("105"), kit.getState().averagePrice());
    assertEquals("LONG", kit.getState().status());
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T3", OrderSide.SELL, 50, "120", 10), r));
    assertEquals(0, kit.getState().realizedPnl().compareTo(new BigDecimal("750")));
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T4", OrderSide.SELL, 150, "100", 15), r));
    Position.State state = kit.getState();
    assertEquals("FLAT", state.status());
    assertNull(state.averagePrice());
    assertEquals(T0.plusMinutes(15), state.closedAt());
    assertEquals(0, state.realizedPnl().compareTo(new BigDecimal("0")), "750 - 5 * 150");
  }

  @Test
  void keepsItsStateAcrossARestart() {
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T1", OrderSide.BUY, 45, "2179.00", 0), r));
    kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T2", OrderSide.SELL, 45, "2178.05", 10), r));
    Position.State before = kit.getState();
    kit.restart();
    assertEquals(before, kit.getState());
    assertEquals(0, kit.getState().realizedPnl().compareTo(new BigDecimal("-42.75")), "DALBHARAT's first spec trade");
    assertTrue(kit.<Done>runCommand(r -> new Position.ApplyFill(fill("T2", OrderSide.SELL, 45, "2178.05", 10), r)).events().isEmpty());
  }
}
