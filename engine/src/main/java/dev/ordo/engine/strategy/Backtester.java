package dev.ordo.engine.strategy;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.venue.VenueBook;
import dev.ordo.engine.venue.VenueMarket;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Runs a {@link Strategy} over bar files synchronously, without actors, journal or broker
 * adapter: the strategy's order actions go straight to one account's {@link VenueBook}, the paper
 * broker's own rules (fills, cash, the after-close market fill). It replays the bars in the
 * engine's steps ({@link ReplaySchedule}) and phases: every bar of a step opens, the book matches
 * them, they complete, then the sessions that ended close. So its trades are an independent
 * cross-check of the actor engine's report (which goes through symbol traders, gateways and the
 * journaled paper broker), and it is fast enough for parameter sweeps.
 *
 * <p>The account starts with the paper broker's cash; when cash binds, placements within one phase
 * are taken in instrument order.
 */
public final class Backtester {

  private Backtester() {}

  /** Names the n-th trade, as the paper broker does. */
  private static final LongFunction<TradeId> TRADE_IDS = n -> TradeId.of("T" + n);

  /**
   * Runs the strategy made by {@code strategies} for every instrument on one account funded with
   * {@code cash} at a venue with the default {@link VenueRules}, and returns all round trips,
   * ordered by entry time then instrument.
   *
   * @param cash starting cash by currency (the paper broker's {@code ordo.paper-cash})
   * @throws IllegalArgumentException when two files hold the same instrument
   */
  public static List<RoundTrip> run(List<InstrumentBars> data, Function<InstrumentBars, Strategy> strategies, Map<String, BigDecimal> cash) {
    return run(data, strategies, cash, VenueRules.defaults());
  }

  /**
   * As {@link #run(List, Function, Map)}, at a venue with {@code rules} (the paper broker's
   * {@code ordo.venue}).
   *
   * @throws IllegalArgumentException when two files hold the same instrument
   */
  public static List<RoundTrip> run(List<InstrumentBars> data, Function<InstrumentBars, Strategy> strategies, Map<String, BigDecimal> cash,
      VenueRules rules) {
    if (data.stream().allMatch(file -> file.bars().isEmpty())) return List.of();
    ReplaySchedule schedule = ReplaySchedule.of(data, null, null);
    Map<InstrumentId, Trader> traders = new HashMap<>();
    for (InstrumentBars file : data) traders.put(file.instrument().id(), new Trader(file.instrument().id(), strategies.apply(file)));
    Account account = new Account(VenueBook.empty().withDeposit(cash), VenueMarket.listing(schedule.instruments(), rules));
    for (ReplaySchedule.Step step : schedule.steps()) {
      Instant open = step.at();
      for (Bar bar : step.bars()) {
        Trader trader = traders.get(bar.instrumentId());
        account.decide(trader, trader.strategy.onBarOpen(trader.state, bar.tsOpen()), open);
      }
      for (Bar bar : step.bars()) account.match(traders.get(bar.instrumentId()), bar, open);
      Instant close = step.bars().stream().map(b -> b.tsClose().toInstant()).min(Instant::compareTo).orElseThrow();
      for (Bar bar : step.bars()) {
        Trader trader = traders.get(bar.instrumentId());
        account.decide(trader, trader.strategy.onBar(trader.state, bar), close);
      }
      for (Bar bar : step.sessionEnds()) account.market = account.market.sessionClosed(bar);
      for (Bar bar : step.sessionEnds()) {
        Trader trader = traders.get(bar.instrumentId());
        account.decide(trader, trader.strategy.onSessionEnd(trader.state, bar.tsOpen().toLocalDate()), close);
      }
    }
    List<RoundTrip> trades = new ArrayList<>(account.trades);
    trades.sort(Comparator.comparing((RoundTrip t) -> t.entryTime().toInstant()).thenComparing(RoundTrip::instrument));
    return trades;
  }

  /** A working order of a strategy: its venue id and the exit reason it records. */
  private record Working(VenueOrderId id, ExitReason reason) {}

  /** One instrument's strategy, its state and working orders, and its position (the fold of its fills). */
  private static final class Trader {
    final InstrumentId instrument;
    final Strategy strategy;
    final Map<OrderRole, Working> working = new EnumMap<>(OrderRole.class);
    StrategyState state;
    NetPosition position = NetPosition.FLAT;
    long orders;

    Trader(InstrumentId instrument, Strategy strategy) {
      this.instrument = instrument;
      this.strategy = strategy;
      this.state = strategy.initialState();
    }
  }

  /** The account at the venue while the run goes on, and the round trips closed so far. */
  private static final class Account {
    VenueBook book;
    VenueMarket market;
    final List<RoundTrip> trades = new ArrayList<>();

    Account(VenueBook book, VenueMarket market) {
      this.book = book;
      this.market = market;
    }

    /** Takes the strategy's next state and carries out its order actions at venue time {@code at}. */
    void decide(Trader trader, Decision decision, Instant at) {
      trader.state = decision.state();
      for (OrderAction action : decision.actions()) {
        if (action instanceof OrderAction.Place place) place(trader, place, at);
        else if (action instanceof OrderAction.ModifyTrigger modify) modify(trader, modify);
        else if (action instanceof OrderAction.Cancel cancel) cancel(trader, cancel.role(), at);
      }
    }

    private void place(Trader trader, OrderAction.Place place, Instant at) {
      VenueOrderId id = VenueOrderId.of(Long.toString(1_000_000_000L + book.orderSequence() + 1));
      OrderRequest request = new OrderRequest(ClientOrderId.of(trader.instrument + "-" + (++trader.orders)), trader.instrument, place.side(),
          place.type(), place.quantity(), place.trigger(), place.limit(), TimeInForce.DAY);
      VenueBook.Placement placement = book.place(id, request, at, market, TRADE_IDS);
      book = book.withPlacement(placement);
      if (!placement.accepted()) {
        decide(trader, trader.strategy.onOrderClosed(trader.state, place.role(), OrderStatus.REJECTED), at);
        return;
      }
      trader.working.put(place.role(), new Working(id, place.reason()));
      placement.fill().ifPresent(fill -> filled(trader, fill, at));
    }

    private void modify(Trader trader, OrderAction.ModifyTrigger modify) {
      Working working = trader.working.get(modify.role());
      if (working == null || book.modifyRefusal(working.id(), modify.trigger(), null, null, market).isPresent()) return;
      book = book.withModified(working.id(), modify.trigger(), null, null);
      trader.working.put(modify.role(), new Working(working.id(), modify.reason()));
    }

    private void cancel(Trader trader, OrderRole role, Instant at) {
      Working working = trader.working.remove(role);
      if (working == null || book.cancelRefusal(working.id()).isPresent()) return;
      book = book.withCanceled(working.id());
      decide(trader, trader.strategy.onOrderClosed(trader.state, role, OrderStatus.CANCELED), at);
    }

    /** Matches {@code bar} and hands each fill to the trader. */
    void match(Trader trader, Bar bar, Instant at) {
      market = market.barMatched(bar);
      List<Fill> fills = book.match(bar, TRADE_IDS);
      book = book.withFills(fills);
      for (Fill fill : fills) filled(trader, fill, at);
    }

    /** A fill of one of the trader's orders (already in the book): a round trip when it closes (part of) the position, then the strategy's answer. */
    private void filled(Trader trader, Fill fill, Instant at) {
      OrderRole role = trader.working.entrySet().stream().filter(w -> w.getValue().id().equals(fill.venueOrderId())).map(Map.Entry::getKey)
          .findFirst().orElseThrow(() -> new IllegalStateException("fill " + fill.tradeId() + " of an order " + trader.instrument + " does not know"));
      Working working = trader.working.remove(role);
      RoundTrip closed = trader.position.closedBy(fill, working.reason());
      if (closed != null) trades.add(closed);
      trader.position = trader.position.apply(fill);
      decide(trader, trader.strategy.onFill(trader.state, role, fill.lastQty(), fill.lastPx()), at);
    }
  }
}
