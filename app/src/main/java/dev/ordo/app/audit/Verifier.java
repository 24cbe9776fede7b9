package dev.ordo.app.audit;

import dev.ordo.broker.paper.PaperVenue;
import dev.ordo.engine.marketdata.ReplayRun;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.venue.VenueOrder;
import dev.ordo.persistence.JournalReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Replays every entity of a journal and checks the invariants of a sound engine; each violation
 * names the invariant, the entity and the sequence number of the event where it shows:
 *
 * <ul>
 *   <li>{@code position-equals-fills}: a position equals the fold ({@link NetPosition}) of its trader's fills, fill for fill;
 *   <li>{@code trade-id-once}: no {@link TradeId} is applied twice by a position, a trader or the paper venue;
 *   <li>{@code client-order-id-once}: no {@link ClientOrderId} is submitted twice by a trader, or reaches the paper venue twice;
 *   <li>{@code entries-per-session}: a trader's entries (entry orders filled) per session stay within the strategy's
 *       {@code max-entries-per-day} (the run's recorded parameter, else the configured one);
 *   <li>{@code order-ends}: every order of a trader is terminal, or still working at the broker (in the paper venue's
 *       open orders; without a paper venue, accepted and not waiting for an answer);
 *   <li>{@code venue-fills-equal-position-fills}: the paper venue's trades are the positions' fills, trade for trade.
 * </ul>
 */
public final class Verifier {

  /**
   * One broken invariant.
   *
   * @param invariant  the invariant's name, e.g. {@code trade-id-once}
   * @param entity     the entity where it shows
   * @param sequenceNr the event of that entity where it shows (0 when it is about the entity as a whole)
   * @param detail     what is wrong
   */
  public record Violation(String invariant, AuditedEntity entity, long sequenceNr, String detail) {

    @Override
    public String toString() {
      return invariant + "  " + entity + (sequenceNr > 0 ? " #" + sequenceNr : "") + ": " + detail;
    }
  }

  /**
   * What was checked and found.
   *
   * @param entities   entities replayed
   * @param events     events replayed
   * @param unknown    persistence ids of journals Ordo does not know (not checked)
   * @param violations the broken invariants, by entity
   * @param orders     orders the symbol traders submitted (distinct client order ids)
   * @param fills      fills the positions applied (distinct trade ids)
   */
  public record Result(int entities, long events, List<String> unknown, List<Violation> violations, int orders, int fills) {}

  private final Auditor auditor;
  private final int defaultMaxEntries;

  /**
   * @param auditor           reads and folds the journal
   * @param defaultMaxEntries the strategy's entries per session when the journal holds no replay run recording it
   */
  public Verifier(Auditor auditor, int defaultMaxEntries) {
    this.auditor = auditor;
    this.defaultMaxEntries = defaultMaxEntries;
  }

  /** Replays every entity of the journal and checks the invariants. */
  public CompletionStage<Result> verify() {
    return auditor.entities().thenCompose(listing -> {
      CompletableFuture<List<Auditor.History>> all = CompletableFuture.completedFuture(new ArrayList<>());
      for (AuditedEntity entity : listing.entities()) {
        all = all.thenCompose(histories -> auditor.history(entity).thenApply(history -> {
          histories.add(history);
          return histories;
        }));
      }
      return all.thenApply(histories -> check(histories, listing.unknown()));
    });
  }

  /** The invariants checked on {@code histories} (the journals of every entity). */
  Result check(List<Auditor.History> histories, List<String> unknown) {
    List<Violation> violations = new ArrayList<>();
    Map<String, Auditor.History> traders = new TreeMap<>();
    Map<String, Auditor.History> positions = new TreeMap<>();
    Map<AccountId, Auditor.History> venues = new LinkedHashMap<>();
    Map<AccountId, Integer> maxEntries = new HashMap<>();
    long events = 0;
    for (Auditor.History history : histories) {
      events += history.entries().size();
      AuditedEntity entity = history.entity();
      switch (entity.type()) {
        case SYMBOL_TRADER -> traders.put(entity.id(), history);
        case POSITION -> positions.put(entity.id(), history);
        case PAPER_VENUE -> venues.put(entity.account(), history);
        case REPLAY_RUN -> {
          ReplayRun.State run = (ReplayRun.State) auditor.finalState(history);
          String max = run.manifest() == null ? null : run.manifest().strategyParameters().get("max-entries-per-day");
          if (max != null) maxEntries.put(entity.account(), Integer.parseInt(max));
        }
        default -> { }
      }
    }
    for (Auditor.History trader : traders.values()) {
      tradeIdsOnce(trader, violations);
      clientOrderIdsOnce(trader, violations);
      entriesPerSession(trader, maxEntries.getOrDefault(trader.entity().account(), defaultMaxEntries), violations);
      ordersEnd(trader, venues.get(trader.entity().account()), violations);
    }
    for (Auditor.History position : positions.values()) {
      tradeIdsOnce(position, violations);
      positionEqualsFills(position, traders.get(position.entity().id()), violations);
    }
    for (Auditor.History trader : traders.values()) {
      // A trader with fills and no position journal at all: its position is flat, not the fold of those fills.
      if (!positions.containsKey(trader.entity().id()))
        positionEqualsFills(new Auditor.History(AuditedEntity.of(AuditedEntity.Type.POSITION, trader.entity().id()), List.of()), trader, violations);
    }
    for (Auditor.History venue : venues.values()) {
      tradeIdsOnce(venue, violations);
      clientOrderIdsOnce(venue, violations);
      venueFillsEqualPositionFills(venue, positions, violations);
    }
    return new Result(histories.size(), events, unknown, violations, distinctOrders(traders.values()), distinctFills(positions.values()));
  }

  /** The fill an event applies, or null. */
  private static Fill fillOf(Object event) {
    if (event instanceof Position.FillApplied e) return e.fill();
    if (event instanceof SymbolTrader.OrderFilled e) return e.fill();
    if (event instanceof PaperVenue.TradeExecuted e) return e.fill();
    return null;
  }

  private static int distinctOrders(Collection<Auditor.History> traders) {
    Set<ClientOrderId> ids = new HashSet<>();
    for (Auditor.History trader : traders)
      for (JournalReader.Entry entry : trader.entries()) if (entry.event() instanceof SymbolTrader.OrderSubmitted e) ids.add(e.clientOrderId());
    return ids.size();
  }

  private static int distinctFills(Collection<Auditor.History> positions) {
    Set<TradeId> ids = new HashSet<>();
    for (Auditor.History position : positions)
      for (JournalReader.Entry entry : position.entries()) if (entry.event() instanceof Position.FillApplied e) ids.add(e.fill().tradeId());
    return ids.size();
  }

  private static void tradeIdsOnce(Auditor.History history, List<Violation> violations) {
    Map<TradeId, Long> seen = new HashMap<>();
    for (JournalReader.Entry entry : history.entries()) {
      Fill fill = fillOf(entry.event());
      if (fill == null) continue;
      Long first = seen.putIfAbsent(fill.tradeId(), entry.sequenceNr());
      if (first != null) violations.add(new Violation("trade-id-once", history.entity(), entry.sequenceNr(),
          "trade " + fill.tradeId() + " applied again (first at #" + first + ")"));
    }
  }

  private static void clientOrderIdsOnce(Auditor.History history, List<Violation> violations) {
    Map<ClientOrderId, Long> seen = new HashMap<>();
    for (JournalReader.Entry entry : history.entries()) {
      ClientOrderId id = null;
      if (entry.event() instanceof SymbolTrader.OrderSubmitted e) id = e.clientOrderId();
      if (entry.event() instanceof PaperVenue.OrderAccepted e) id = e.order().clientOrderId();
      if (entry.event() instanceof PaperVenue.OrderRejected e) id = e.order().clientOrderId();
      if (id == null) continue;
      Long first = seen.putIfAbsent(id, entry.sequenceNr());
      if (first != null) violations.add(new Violation("client-order-id-once", history.entity(), entry.sequenceNr(),
          "order " + id + " sent again (first at #" + first + ")"));
    }
  }

  private static void entriesPerSession(Auditor.History trader, int max, List<Violation> violations) {
    Set<ClientOrderId> entered = new HashSet<>();
    Map<LocalDate, Integer> entries = new HashMap<>();
    for (JournalReader.Entry entry : trader.entries()) {
      if (!(entry.event() instanceof SymbolTrader.OrderFilled filled) || filled.role() != OrderRole.ENTRY) continue;
      if (!entered.add(filled.fill().clientOrderId())) continue;
      LocalDate session = filled.fill().tsEvent().toLocalDate();
      int count = entries.merge(session, 1, Integer::sum);
      if (count > max) violations.add(new Violation("entries-per-session", trader.entity(), entry.sequenceNr(),
          "entry " + count + " of session " + session + " (" + filled.fill().clientOrderId() + "); the strategy allows " + max));
    }
  }

  private void ordersEnd(Auditor.History trader, Auditor.History venue, List<Violation> violations) {
    SymbolTrader.State state = (SymbolTrader.State) auditor.finalState(trader);
    Set<ClientOrderId> working = new HashSet<>();
    if (venue != null) {
      PaperVenue.State book = (PaperVenue.State) auditor.finalState(venue);
      for (VenueOrder order : book.openOrders()) working.add(order.clientOrderId());
    }
    for (OrderRecord order : state.orders()) {
      if (order.status().isClosed()) continue;
      boolean atBroker = venue != null ? working.contains(order.clientOrderId()) : order.venueOrderId() != null && !order.isInFlight();
      if (atBroker) continue;
      violations.add(new Violation("order-ends", trader.entity(), submittedAt(trader, order.clientOrderId()),
          "order " + order.clientOrderId() + " is " + order.status() + (order.isInFlight() ? ", waiting for the broker," : "")
              + " and not working at the broker" + (venue == null ? " (no paper venue journal: accepted orders count as working)" : "")));
    }
  }

  private static long submittedAt(Auditor.History trader, ClientOrderId id) {
    for (JournalReader.Entry entry : trader.entries())
      if (entry.event() instanceof SymbolTrader.OrderSubmitted e && e.clientOrderId().equals(id)) return entry.sequenceNr();
    return 0;
  }

  private void positionEqualsFills(Auditor.History position, Auditor.History trader, List<Violation> violations) {
    Map<TradeId, Fill> traderFills = new LinkedHashMap<>();
    if (trader != null)
      for (JournalReader.Entry entry : trader.entries()) if (entry.event() instanceof SymbolTrader.OrderFilled e) traderFills.putIfAbsent(e.fill().tradeId(), e.fill());
    Set<TradeId> inPosition = new HashSet<>();
    for (JournalReader.Entry entry : position.entries()) {
      if (!(entry.event() instanceof Position.FillApplied applied)) continue;
      inPosition.add(applied.fill().tradeId());
      Fill expected = traderFills.get(applied.fill().tradeId());
      if (expected == null) violations.add(new Violation("position-equals-fills", position.entity(), entry.sequenceNr(),
          "fill " + applied.fill().tradeId() + " is in the position but not among the trader's fills"));
      else if (!sameExecution(expected, applied.fill())) violations.add(new Violation("position-equals-fills", position.entity(), entry.sequenceNr(),
          "fill " + applied.fill().tradeId() + " differs from the trader's: " + describe(applied.fill()) + " vs " + describe(expected)));
    }
    for (Fill fill : traderFills.values()) {
      if (!inPosition.contains(fill.tradeId())) violations.add(new Violation("position-equals-fills", position.entity(), 0,
          "the trader's fill " + fill.tradeId() + " (" + describe(fill) + ") is not in the position"));
    }
    NetPosition folded = NetPosition.FLAT;
    for (Fill fill : traderFills.values()) folded = folded.apply(fill);
    NetPosition held = ((Position.State) auditor.finalState(position)).position();
    if (held.quantity().compareTo(folded.quantity()) != 0 || held.realizedPnl().compareTo(folded.realizedPnl()) != 0) {
      violations.add(new Violation("position-equals-fills", position.entity(), position.entries().isEmpty() ? 0
          : position.entries().get(position.entries().size() - 1).sequenceNr(), "position " + held.quantity().toPlainString() + " (realized "
          + held.realizedPnl().toPlainString() + ") but the fold of the trader's fills is " + folded.quantity().toPlainString() + " (realized "
          + folded.realizedPnl().toPlainString() + ")"));
    }
  }

  private static void venueFillsEqualPositionFills(Auditor.History venue, Map<String, Auditor.History> positions,
      List<Violation> violations) {
    AccountId account = venue.entity().account();
    Map<TradeId, Fill> positionFills = new HashMap<>();
    for (Auditor.History position : positions.values()) {
      if (!position.entity().account().equals(account)) continue;
      for (JournalReader.Entry entry : position.entries()) {
        Fill fill = fillOf(entry.event());
        if (fill != null) positionFills.putIfAbsent(fill.tradeId(), fill);
      }
    }
    Set<TradeId> atVenue = new HashSet<>();
    for (JournalReader.Entry entry : venue.entries()) {
      Fill fill = fillOf(entry.event());
      if (fill == null || !atVenue.add(fill.tradeId())) continue;
      Fill applied = positionFills.get(fill.tradeId());
      if (applied == null) violations.add(new Violation("venue-fills-equal-position-fills", venue.entity(), entry.sequenceNr(),
          "trade " + fill.tradeId() + " (" + describe(fill) + ") is in no position"));
      else if (!sameExecution(fill, applied)) violations.add(new Violation("venue-fills-equal-position-fills", venue.entity(), entry.sequenceNr(),
          "trade " + fill.tradeId() + " is " + describe(fill) + " at the venue but " + describe(applied) + " in the position"));
    }
    for (Map.Entry<TradeId, Fill> fill : positionFills.entrySet()) {
      if (atVenue.contains(fill.getKey())) continue;
      InstrumentId instrument = fill.getValue().instrumentId();
      Auditor.History position = positions.get(account + ":" + instrument);
      violations.add(new Violation("venue-fills-equal-position-fills", position.entity(), sequenceOf(position, fill.getKey()),
          "fill " + fill.getKey() + " (" + describe(fill.getValue()) + ") is not a trade of the paper venue"));
    }
  }

  private static long sequenceOf(Auditor.History history, TradeId id) {
    for (JournalReader.Entry entry : history.entries()) {
      Fill fill = fillOf(entry.event());
      if (fill != null && fill.tradeId().equals(id)) return entry.sequenceNr();
    }
    return 0;
  }

  private static boolean sameExecution(Fill a, Fill b) {
    return a.instrumentId().equals(b.instrumentId()) && a.side() == b.side() && a.lastQty().equals(b.lastQty()) && a.lastPx().equals(b.lastPx())
        && a.clientOrderId().equals(b.clientOrderId());
  }

  private static String describe(Fill fill) {
    return fill.side() + " " + fill.lastQty() + " " + fill.instrumentId() + " @ " + fill.lastPx() + " (" + fill.clientOrderId() + ")";
  }
}
