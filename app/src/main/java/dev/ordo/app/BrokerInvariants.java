package dev.ordo.app;

import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.trading.Position;
import dev.ordo.sim.SimStats;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The invariants between the engine and a (simulated) broker after a run, the one place that states
 * them for {@code ordo soak} and {@code ordo crash-test --broker sim}: no ClientOrderId reached the
 * broker twice (the simulator's own count); every fill of the broker's trade book applied exactly
 * once by the engine's positions (their applied trade ids, with those older than the week they remember,
 * equal the trade book's, as many as they counted, and the simulator made no fill the trade book lacks); the engine's position in each instrument equals the broker's;
 * no short position (the reference strategy is long only, so a short one means a sale done twice).
 */
final class BrokerInvariants {

  private BrokerInvariants() {}

  /**
   * One invariant and whether it held.
   *
   * @param invariant what must hold, in words
   * @param holds     whether it held
   * @param otherwise what was found instead (empty when it held)
   */
  record Check(String invariant, boolean holds, String otherwise) {

    /** Prints {@code  PASS invariant} or {@code  FAIL invariant: otherwise}. */
    void print(PrintStream out) {
      out.printf("  %s %s%s%n", holds ? "PASS" : "FAIL", invariant, holds ? "" : ": " + otherwise);
    }
  }

  /**
   * What the broker and the engine hold at the end.
   *
   * @param stats           the simulator's counters ({@code GET /sim/stats})
   * @param brokerTrades    the broker's trade book
   * @param brokerPositions the broker's positions (one row per instrument and product)
   * @param positions       the engine's positions (live, or folded from a stopped engine's journal)
   */
  record Truth(SimStats.Snapshot stats, List<Fill> brokerTrades, List<PositionReport> brokerPositions, List<Position.State> positions) {

    /** Fills the engine's positions applied, counting repeats. */
    long appliedCount() {
      return positions.stream().mapToLong(Position.State::fills).sum();
    }

    /** Distinct trade ids the engine's positions remember applying (the fills of their last week of fill time). */
    Set<TradeId> appliedIds() {
      Set<TradeId> applied = new HashSet<>();
      positions.forEach(p -> applied.addAll(p.appliedTradeIds().recent()));
      return applied;
    }

    /**
     * The broker's trades the engine's positions no longer remember by id, because they are over a week (of fill time) older
     * than the position's latest fill ({@link dev.ordo.engine.model.AppliedTradeIds}): counted by {@link #appliedCount}.
     */
    Set<TradeId> forgottenIds() {
      Map<InstrumentId, Position.State> byInstrument = new HashMap<>();
      positions.forEach(p -> byInstrument.put(p.instrument(), p));
      Set<TradeId> old = new HashSet<>();
      for (Fill fill : brokerTrades) {
        Position.State p = byInstrument.get(fill.instrumentId());
        if (p != null && p.appliedTradeIds().tooOld(fill)) old.add(fill.tradeId());
      }
      return old;
    }
  }

  /** The four invariants on {@code truth}, in the order above. */
  static List<Check> check(Truth truth) {
    SimStats.Snapshot stats = truth.stats();
    Set<TradeId> brokerIds = new TreeSet<>();
    truth.brokerTrades().forEach(f -> brokerIds.add(f.tradeId()));
    Set<TradeId> applied = truth.appliedIds();
    // a fill the positions no longer remember was applied if the count says so (each fill is counted once, when applied)
    Set<TradeId> accounted = new HashSet<>(applied);
    accounted.addAll(truth.forgottenIds());
    long appliedCount = truth.appliedCount();

    Map<InstrumentId, BigDecimal> engineQty = new TreeMap<>();
    truth.positions().forEach(p -> engineQty.merge(p.instrument(), p.position().quantity(), BigDecimal::add));
    Map<InstrumentId, BigDecimal> brokerQty = new TreeMap<>();
    truth.brokerPositions().forEach(p -> brokerQty.merge(p.instrumentId(), p.netQuantity(), BigDecimal::add));
    List<String> positionDiffs = new ArrayList<>();
    Set<InstrumentId> all = new TreeSet<>(engineQty.keySet());
    all.addAll(brokerQty.keySet());
    for (InstrumentId id : all) {
      BigDecimal e = engineQty.getOrDefault(id, BigDecimal.ZERO);
      BigDecimal b = brokerQty.getOrDefault(id, BigDecimal.ZERO);
      if (e.compareTo(b) != 0) positionDiffs.add(id + " engine " + e.toPlainString() + " broker " + b.toPlainString());
    }
    List<String> shorts = engineQty.entrySet().stream().filter(e -> e.getValue().signum() < 0)
        .map(e -> e.getKey() + " " + e.getValue().toPlainString()).toList();

    return List.of(
        new Check("no duplicate ClientOrderId at the broker", stats.duplicateClientOrderIds() == 0,
            stats.duplicateClientOrderIds() + " duplicates"),
        new Check("every broker fill applied exactly once", accounted.equals(brokerIds) && appliedCount == brokerIds.size()
            && stats.fills() == brokerIds.size(), "broker " + brokerIds.size() + " fills in its trade book (" + stats.fills() + " made), engine applied "
            + appliedCount + " (" + applied.size() + " distinct remembered); missing " + firstFew(difference(brokerIds, accounted)) + ", unknown to the broker "
            + firstFew(difference(applied, brokerIds))),
        new Check("engine positions equal the broker's", positionDiffs.isEmpty(), String.join("; ", positionDiffs)),
        new Check("no short position (the reference strategy is long only: nothing was sold twice)", shorts.isEmpty(), String.join("; ", shorts)));
  }

  private static <T> Set<T> difference(Set<T> a, Set<T> b) {
    Set<T> d = new TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  private static <T> String firstFew(Set<T> items) {
    List<T> list = new ArrayList<>(items);
    return list.size() > 5 ? list.subList(0, 5) + " and " + (list.size() - 5) + " more" : list.toString();
  }
}
