package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.broker.paper.PaperVenue;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
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
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.venue.Product;
import dev.ordo.engine.venue.VenueOrder;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo verify} on real H2 journals planted with events that break one invariant each: it
 * names the invariant, the entity and the sequence number, and exits 1. (A journal the engine wrote
 * verifies clean: {@link AuditCommandTest}.)
 */
class VerifyCommandTest {

  static final AccountId PAPER = AccountId.of("paper");
  static final InstrumentId TCS = InstrumentId.parse("TCS-EQ.NSE");
  static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);
  static final OffsetDateTime BAR = OffsetDateTime.of(2024, 1, 17, 9, 15, 0, 0, IST);
  static final Instant AT = BAR.plusMinutes(5).toInstant();
  static final StrategyState STRATEGY = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults()).initialState();
  static final String TRADER = "SymbolTrader|paper:TCS-EQ.NSE";
  static final String POSITION = "Position|paper:TCS-EQ.NSE";
  static final String VENUE = "PaperVenue|paper";

  @TempDir
  Path dataDir;

  static Fill fill(String tradeId, int order, OrderSide side, long quantity) {
    return new Fill(TradeId.of(tradeId), orderId(order), VenueOrderId.of("V" + order), TCS, side, Quantity.of(quantity), Price.of("3855.55"), BAR);
  }

  static ClientOrderId orderId(int order) {
    return ClientOrderId.of("TCS-EQ-" + order);
  }

  static SymbolTrader.OrderSubmitted submitted(int order, OrderRole role, OrderSide side, long quantity) {
    return new SymbolTrader.OrderSubmitted(PAPER, TCS, orderId(order), role, side, OrderType.STOP_MARKET, Quantity.of(quantity),
        Price.of("3855.55"), null, null, OrderStatus.SUBMITTED, AT);
  }

  static SymbolTrader.OrderAccepted accepted(int order) {
    return new SymbolTrader.OrderAccepted(PAPER, TCS, orderId(order), VenueOrderId.of("V" + order), AT);
  }

  static SymbolTrader.OrderFilled filled(Fill fill, OrderRole role) {
    return new SymbolTrader.OrderFilled(PAPER, TCS, fill, role, STRATEGY, AT);
  }

  static Position.FillApplied applied(Fill fill) {
    return new Position.FillApplied(PAPER, TCS, fill, AT);
  }

  static PaperVenue.OrderAccepted atVenue(int order, long quantity) {
    return new PaperVenue.OrderAccepted(PAPER, new VenueOrder(VenueOrderId.of("V" + order), orderId(order), TCS, OrderSide.BUY,
        OrderType.STOP_MARKET, Quantity.of(quantity), Quantity.ZERO, null, Price.of("3855.55"), null, OrderStatus.ACCEPTED, null, AT,
        BigDecimal.ZERO, "INR", Product.MIS), AT);
  }

  static PaperVenue.TradeExecuted trade(Fill fill) {
    return new PaperVenue.TradeExecuted(PAPER, fill, AT);
  }

  /** An entry of {@code quantity} submitted, accepted and filled by trade {@code tradeId}: the trader's three events. */
  static List<Object> entryFilled(int order, String tradeId, long quantity) {
    return List.of(submitted(order, OrderRole.ENTRY, OrderSide.BUY, quantity), accepted(order),
        filled(fill(tradeId, order, OrderSide.BUY, quantity), OrderRole.ENTRY));
  }

  CommandRun.Result verify(Map<String, List<Object>> journal) throws Exception {
    JournalPlanter.write(dataDir, journal);
    return CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
  }

  static Map<String, List<Object>> journal(Object... persistenceIdsAndEvents) {
    Map<String, List<Object>> journal = new LinkedHashMap<>();
    for (int i = 0; i < persistenceIdsAndEvents.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<Object> events = (List<Object>) persistenceIdsAndEvents[i + 1];
      journal.put((String) persistenceIdsAndEvents[i], events);
    }
    return journal;
  }

  static void assertReported(CommandRun.Result result, String line) {
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().lines().anyMatch(l -> l.startsWith(line)), "expected a line starting with [" + line + "] in:\n" + result.out());
  }

  @Test
  void aConsistentJournalVerifiesClean() throws Exception {
    Fill entry = fill("T1", 1, OrderSide.BUY, 25);
    CommandRun.Result result = verify(journal(TRADER, entryFilled(1, "T1", 25), POSITION, List.of(applied(entry)),
        VENUE, List.of(atVenue(1, 25), trade(entry))));
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("verified 3 entities, 6 events: no violation"), result.out());
  }

  @Test
  void aTradeIdAppliedTwiceByAPositionIsReported() throws Exception {
    Fill entry = fill("T1", 1, OrderSide.BUY, 25);
    CommandRun.Result result = verify(journal(TRADER, entryFilled(1, "T1", 25), POSITION, List.of(applied(entry), applied(entry))));
    assertReported(result, "trade-id-once  position paper:TCS-EQ.NSE #2: trade T1 applied again (first at #1)");
  }

  @Test
  void aClientOrderIdSubmittedTwiceIsReported() throws Exception {
    CommandRun.Result result = verify(journal(TRADER, List.of(submitted(1, OrderRole.ENTRY, OrderSide.BUY, 25), accepted(1),
        submitted(1, OrderRole.ENTRY, OrderSide.BUY, 25))));
    assertReported(result, "client-order-id-once  symbol-trader paper:TCS-EQ.NSE #3: order TCS-EQ-1 sent again (first at #1)");
  }

  @Test
  void aClientOrderIdReachingTheVenueTwiceIsReported() throws Exception {
    CommandRun.Result result = verify(journal(VENUE, List.of(atVenue(1, 25), atVenue(1, 25))));
    assertReported(result, "client-order-id-once  paper-venue paper #2: order TCS-EQ-1 sent again (first at #1)");
  }

  @Test
  void aPositionWithAFillItsTraderNeverHadIsReported() throws Exception {
    Fill entry = fill("T1", 1, OrderSide.BUY, 25);
    Fill stranger = fill("T2", 2, OrderSide.SELL, 25);
    CommandRun.Result result = verify(journal(TRADER, entryFilled(1, "T1", 25), POSITION, List.of(applied(entry), applied(stranger))));
    assertReported(result, "position-equals-fills  position paper:TCS-EQ.NSE #2: fill T2 is in the position but not among the trader's fills");
    assertReported(result, "position-equals-fills  position paper:TCS-EQ.NSE #2: position 0 (realized 0.00) but the fold of the trader's fills is 25 (realized 0)");
  }

  @Test
  void aTraderFillWithoutAnyPositionJournalIsReported() throws Exception {
    CommandRun.Result result = verify(journal(TRADER, entryFilled(1, "T1", 25)));
    assertReported(result, "position-equals-fills  position paper:TCS-EQ.NSE: the trader's fill T1 (BUY 25 TCS-EQ.NSE @ 3855.55 (TCS-EQ-1)) is not in the position");
  }

  @Test
  void aThirdEntryInOneSessionIsReported() throws Exception {
    List<Object> trader = new ArrayList<>();
    for (int order = 1; order <= 3; order++) trader.addAll(entryFilled(order, "T" + order, 25));
    CommandRun.Result result = verify(journal(TRADER, trader));
    assertReported(result, "entries-per-session  symbol-trader paper:TCS-EQ.NSE #9: entry 3 of session 2024-01-17 (TCS-EQ-3); the strategy allows 2");
    assertFalse(result.out().contains("#6: entry"), "two entries are within the limit:\n" + result.out());
  }

  @Test
  void anOrderNeitherEndedNorWorkingAtTheVenueIsReported() throws Exception {
    List<Object> trader = List.of(submitted(1, OrderRole.ENTRY, OrderSide.BUY, 25), submitted(2, OrderRole.ENTRY, OrderSide.BUY, 25),
        accepted(2), submitted(3, OrderRole.ENTRY, OrderSide.BUY, 25), accepted(3));
    CommandRun.Result result = verify(journal(TRADER, trader, VENUE, List.of(atVenue(2, 25))));
    assertReported(result, "order-ends  symbol-trader paper:TCS-EQ.NSE #1: order TCS-EQ-1 is SUBMITTED, waiting for the broker, and not working");
    assertReported(result, "order-ends  symbol-trader paper:TCS-EQ.NSE #4: order TCS-EQ-3 is ACCEPTED and not working at the broker");
    assertFalse(result.out().contains("TCS-EQ-2"), "TCS-EQ-2 works at the venue:\n" + result.out());
  }

  @Test
  void aVenueTradeInNoPositionIsReported() throws Exception {
    Fill first = fill("T1", 1, OrderSide.BUY, 25);
    Fill second = fill("T2", 1, OrderSide.BUY, 25);
    List<Object> trader = new ArrayList<>(List.of(submitted(1, OrderRole.ENTRY, OrderSide.BUY, 50), accepted(1), filled(first, OrderRole.ENTRY),
        filled(second, OrderRole.ENTRY)));
    CommandRun.Result result = verify(journal(TRADER, trader, POSITION, List.of(applied(first)), VENUE,
        List.of(atVenue(1, 50), trade(first), trade(second))));
    assertReported(result, "venue-fills-equal-position-fills  paper-venue paper #3: trade T2 (BUY 25 TCS-EQ.NSE @ 3855.55 (TCS-EQ-1)) is in no position");
  }
}
