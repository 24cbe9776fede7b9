package dev.ordo.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A fill is applied once per trade id, remembering only the ids of the last week of fill time. */
class AppliedTradeIdsTest {

  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final OffsetDateTime MONDAY = OffsetDateTime.parse("2024-01-15T09:20:00+05:30");

  static Fill fill(String tradeId, OffsetDateTime at) {
    return new Fill(TradeId.of(tradeId), ClientOrderId.of("TCS-EQ-1"), VenueOrderId.of("V1"), TCS, OrderSide.BUY, Quantity.of(1),
        Price.of("3855.55"), at);
  }

  @Test
  void aTradeIdIsKnownOnceAppliedAndForgottenAWeekOfFillTimeLaterWhenItsFillIsTakenAsAppliedByItsTime() {
    Fill first = fill("T1", MONDAY);
    AppliedTradeIds ids = AppliedTradeIds.NONE.with(first);
    assertTrue(ids.applied(first));
    assertFalse(ids.applied(fill("T2", MONDAY)), "another trade at the same time is new");

    // fills every day for a year: the state keeps the last week's ids only
    AppliedTradeIds year = ids;
    for (int day = 1; day <= 365; day++) year = year.with(fill("D" + day, MONDAY.plusDays(day)));
    assertEquals(8, year.size(), "days 358 to 365: the fills within a week of the latest");
    assertEquals(MONDAY.plusDays(365).toInstant(), year.latest());
    assertTrue(year.applied(fill("D360", MONDAY.plusDays(360))), "remembered by id");
    assertFalse(year.recent().contains(TradeId.of("T1")));
    assertTrue(year.applied(first), "forgotten, and over a week older than the latest fill: a replay of it, taken as applied");
    assertTrue(year.tooOld(first));
    assertFalse(year.applied(fill("NEW", MONDAY.plusDays(360))), "a new trade of the last week is new");
    assertFalse(year.tooOld(fill("NEW", MONDAY.plusDays(358))));
    assertTrue(year.tooOld(fill("NEW", MONDAY.plusDays(358).minusSeconds(1))), "just over the week: taken as applied");
  }

  @Test
  void aFillOlderThanTheLatestIsStillRememberedAndDoesNotMoveTheWindowBack() {
    AppliedTradeIds ids = AppliedTradeIds.NONE.with(fill("LATE", MONDAY.plusDays(3))).with(fill("EARLY", MONDAY));
    assertEquals(MONDAY.plusDays(3).toInstant(), ids.latest());
    assertTrue(ids.applied(fill("EARLY", MONDAY)));
    assertEquals(List.of(TradeId.of("LATE"), TradeId.of("EARLY")), List.copyOf(ids.recent()));
  }

  @Test
  void oldIdsOfUnknownTimeAreKeptUntilAWeekAfterTheFirstFillAppliedAfterThem() {
    AppliedTradeIds old = AppliedTradeIds.ofOld(Set.of(TradeId.of("OLD")));
    assertTrue(old.applied(fill("OLD", MONDAY.minusYears(1))), "no latest time yet: found by id only");
    AppliedTradeIds next = old.with(fill("T1", MONDAY));
    assertTrue(next.applied(fill("OLD", MONDAY.minusDays(1))), "kept: stamped with the first new fill's time");
    AppliedTradeIds weekLater = next.with(fill("T2", MONDAY.plus(AppliedTradeIds.RETENTION).plusSeconds(1)));
    assertFalse(weekLater.recent().contains(TradeId.of("OLD")));
    assertTrue(weekLater.applied(fill("OLD", MONDAY.minusDays(1))), "forgotten when its time is over a week before the latest");
  }

  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theActorSystemsSerializerWritesItAndReadsBackBothItAndTheOldArrayOfIds() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    // a Position's state (an OrdoSerializable) is how it is journaled and snapshot
    dev.ordo.engine.trading.Position.State state = new dev.ordo.engine.trading.Position.State(AccountId.of("paper"), TCS, NetPosition.FLAT, 2,
        AppliedTradeIds.NONE.with(fill("T1", MONDAY)).with(fill("T2", MONDAY.plusMinutes(5))));
    var serializer = serialization.findSerializerFor(state);
    String manifest = Serializers.manifestFor(serializer, state);
    byte[] bytes = serializer.toBinary(state);
    assertEquals(state, serialization.deserialize(bytes, serializer.identifier(), manifest).get());

    String json = new String(bytes, StandardCharsets.UTF_8);
    String old = json.substring(0, json.indexOf("\"appliedTradeIds\"")) + "\"appliedTradeIds\":[\"T1\",\"T2\"]}";
    var read = (dev.ordo.engine.trading.Position.State) serialization.deserialize(old.getBytes(StandardCharsets.UTF_8), serializer.identifier(),
        manifest).get();
    assertEquals(Set.of(TradeId.of("T1"), TradeId.of("T2")), read.appliedTradeIds().recent(), "a snapshot written before the window: " + old);
    assertEquals(null, read.appliedTradeIds().latest());
    assertEquals(new BigDecimal(2), BigDecimal.valueOf(read.fills()));
    assertTrue(Duration.ofDays(7).equals(AppliedTradeIds.RETENTION));
  }
}
