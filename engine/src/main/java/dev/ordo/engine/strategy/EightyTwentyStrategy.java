package dev.ordo.engine.strategy;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reference 80-20 reversal strategy, long side, exactly as specified in
 * {@code shared/specs/strategy-80-20.md}:
 *
 * <ul>
 *   <li>Setup for session D when D-1 (the previous date in the data) has range R &gt; 0, opened
 *       in its top 20% ({@code open >= low + 0.8R}) and closed in its bottom 20%
 *       ({@code close <= low + 0.2R}); then {@code prevLow} = D-1's low.
 *   <li>Armed by a bar with {@code low < prevLow} while flat with no working entry, fewer than
 *       {@code maxEntriesPerDay} entries and open time before {@code lastEntryBarOpen}; while
 *       armed a BUY stop at {@code prevLow} for {@code floor(capitalPerTrade / prevLow)} (at
 *       least 1) is placed.
 *   <li>After an entry fill, a SELL stop at {@code floorTick(session low so far)}, raised to
 *       {@code floorTick(bar low)} after each later bar, never lowered; a stop fill disarms.
 *   <li>Session exit at the first bar opening at or after {@code sessionExit}: cancel the
 *       entry, sell the position at market (filled at that bar's open). A session without such a
 *       bar sells at its last close (rule 4).
 * </ul>
 *
 * <p>Beyond the spec, for a broker that refuses orders (the replay's venue never refuses these): an
 * open position is never left without protection. When its stop ends without a fill (rejected, or
 * canceled or expired by the broker) and no exit is working, the position is sold at market at once
 * (reason {@link ExitReason#STOP_REJECTED}, or {@code SESSION_END} after the session exit), and that
 * sale disarms like a stop-out. When that exit is itself refused, the position is sold at market
 * again at the next bar's open. A rejected entry frees the entry slot (the next armed bar places it
 * again); a refused trail keeps the working stop.
 *
 * Prices are exact decimals; only stops are rounded (down, to {@code tickSize}).
 */
public final class EightyTwentyStrategy implements Strategy {

  /** The strategy's name as journaled. */
  public static final String NAME = "80-20";

  private static final BigDecimal EIGHTY_PERCENT = new BigDecimal("0.8");
  private static final BigDecimal TWENTY_PERCENT = new BigDecimal("0.2");

  private final Parameters parameters;

  public EightyTwentyStrategy(Parameters parameters) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
  }

  /**
   * Parameters of the strategy; {@link #defaults()} are the spec's.
   *
   * @param tickSize         price grid for stops, instrument currency (spec: 0.05)
   * @param capitalPerTrade  capital per entry, instrument currency (spec: 100000)
   * @param maxEntriesPerDay entries allowed per session (spec: 2)
   * @param lastEntryBarOpen last bar open time (exclusive) after which no entry is placed, exchange local (spec: 15:10)
   * @param sessionExit      open time of the session-exit bar, exchange local (spec: 15:15)
   */
  public record Parameters(
      BigDecimal tickSize,
      BigDecimal capitalPerTrade,
      int maxEntriesPerDay,
      LocalTime lastEntryBarOpen,
      LocalTime sessionExit) {

    public Parameters {
      Objects.requireNonNull(tickSize, "tickSize");
      Objects.requireNonNull(capitalPerTrade, "capitalPerTrade");
      Objects.requireNonNull(lastEntryBarOpen, "lastEntryBarOpen");
      Objects.requireNonNull(sessionExit, "sessionExit");
      if (tickSize.signum() <= 0) throw new IllegalArgumentException("tickSize must be positive, got " + tickSize);
      if (capitalPerTrade.signum() <= 0)
        throw new IllegalArgumentException("capitalPerTrade must be positive, got " + capitalPerTrade);
      if (maxEntriesPerDay < 0)
        throw new IllegalArgumentException("maxEntriesPerDay must not be negative, got " + maxEntriesPerDay);
    }

    /** The spec's defaults: tick 0.05, capital 100000, 2 entries a day, last entry bar 15:10, exit 15:15. */
    public static Parameters defaults() {
      return new Parameters(new BigDecimal("0.05"), new BigDecimal("100000"), 2, LocalTime.of(15, 10), LocalTime.of(15, 15));
    }

    public Parameters withTickSize(BigDecimal newTickSize) {
      return new Parameters(newTickSize, capitalPerTrade, maxEntriesPerDay, lastEntryBarOpen, sessionExit);
    }
  }

  /**
   * State of the strategy for one instrument.
   *
   * @param session       local date of the current session, null before the first bar
   * @param sessionOpen   first open of the session (null before its first complete bar)
   * @param sessionHigh   highest high so far
   * @param sessionLow    lowest low so far
   * @param sessionClose  last close so far
   * @param prevLow       the previous session's low when this session is a setup, else null
   * @param armed         a bar broke below {@code prevLow} since the last stop-out
   * @param entries       entry fills this session
   * @param exited        the session exit was reached (or the session ended): no more orders
   * @param position      shares held (long only)
   * @param stop          current protective stop, null when none
   * @param stopRaised    the stop was trailed upward at least once
   * @param entryWorking  an entry order is working
   * @param stopWorking   a stop order is working
   * @param exitWorking   an exit (market) order is working
   * @param filledThisBar the entry filled during the current bar
   */
  public record State(
      LocalDate session,
      Price sessionOpen,
      Price sessionHigh,
      Price sessionLow,
      Price sessionClose,
      Price prevLow,
      boolean armed,
      int entries,
      boolean exited,
      Quantity position,
      Price stop,
      boolean stopRaised,
      boolean entryWorking,
      boolean stopWorking,
      boolean exitWorking,
      boolean filledThisBar)
      implements StrategyState {

    static State initial() {
      return new State(null, null, null, null, null, null, false, 0, false, Quantity.ZERO, null, false, false, false, false, false);
    }

    /** True when this session is a setup session (previous session qualified). */
    public boolean isSetup() {
      return prevLow != null;
    }

    State withStats(Price open, Price high, Price low, Price close) {
      return new State(session, open, high, low, close, prevLow, armed, entries, exited, position, stop, stopRaised,
          entryWorking, stopWorking, exitWorking, filledThisBar);
    }

    State withArmed(boolean value) {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, value, entries, exited,
          position, stop, stopRaised, entryWorking, stopWorking, exitWorking, filledThisBar);
    }

    State withExited() {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, armed, entries, true,
          position, stop, stopRaised, entryWorking, stopWorking, exitWorking, filledThisBar);
    }

    State withEntryWorking(boolean value) {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, armed, entries, exited,
          position, stop, stopRaised, value, stopWorking, exitWorking, filledThisBar);
    }

    State withExitWorking(boolean value) {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, armed, entries, exited,
          position, stop, stopRaised, entryWorking, stopWorking, value, filledThisBar);
    }

    State withStop(Price newStop, boolean raised, boolean working) {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, armed, entries, exited,
          position, newStop, raised, entryWorking, working, exitWorking, filledThisBar);
    }

    State withPosition(Quantity newPosition, int newEntries, boolean filled) {
      return new State(session, sessionOpen, sessionHigh, sessionLow, sessionClose, prevLow, armed, newEntries, exited,
          newPosition, stop, stopRaised, entryWorking, stopWorking, exitWorking, filled);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  public Parameters parameters() {
    return parameters;
  }

  @Override
  public StrategyState initialState() {
    return State.initial();
  }

  @Override
  public Decision onBarOpen(StrategyState strategyState, OffsetDateTime tsOpen) {
    State state = rollSession((State) strategyState, tsOpen.toLocalDate());
    // Rule 1: first bar of the session at or after sessionExit.
    if (!state.exited() && !tsOpen.toLocalTime().isBefore(parameters.sessionExit())) return flatten(state);
    // A position with neither a working stop nor a working exit (its exit was refused) is sold again.
    boolean unprotected = state.position().isPositive() && !state.stopWorking() && !state.exitWorking() && !state.filledThisBar();
    return unprotected ? sellAtMarket(state) : Decision.stay(state);
  }

  @Override
  public Decision onFill(StrategyState strategyState, OrderRole role, Quantity quantity, Price price) {
    State state = (State) strategyState;
    return switch (role) {
      case ENTRY -> {
        State entered = state.withPosition(state.position().plus(quantity), state.entries() + 1, true).withEntryWorking(false);
        // A fill learnt after the session exit (the cancel lost the race): no position is left open.
        yield state.exited() ? flatten(entered) : Decision.stay(entered);
      }
      case STOP_LOSS, TAKE_PROFIT -> {
        Quantity left = reduce(state.position(), quantity);
        State next = state.withPosition(left, state.entries(), state.filledThisBar());
        // A stop-out disarms: a new entry needs a new bar below prevLow.
        if (left.isZero()) next = next.withStop(null, false, false).withArmed(false);
        yield Decision.stay(next);
      }
      case EXIT -> {
        Quantity left = reduce(state.position(), quantity);
        State next = state.withPosition(left, state.entries(), state.filledThisBar());
        if (left.isZero()) next = next.withExitWorking(false);
        // An exit before the session exit replaced a refused stop: it disarms as a stop-out does.
        if (left.isZero() && !state.exited()) next = next.withStop(null, false, false).withArmed(false);
        yield Decision.stay(next);
      }
    };
  }

  @Override
  public Decision onOrderClosed(StrategyState strategyState, OrderRole role, OrderStatus status) {
    State state = (State) strategyState;
    return switch (role) {
      case ENTRY -> Decision.stay(state.withEntryWorking(false));
      case STOP_LOSS -> {
        State next = state.withStop(state.stop(), state.stopRaised(), false);
        // Never naked: a position whose stop ended without a fill, and that no exit is selling, is sold now.
        yield next.position().isPositive() && !next.exitWorking() ? sellAtMarket(next) : Decision.stay(next);
      }
      // A position still open is sold again at the next bar's open (onBarOpen).
      case EXIT -> Decision.stay(state.withExitWorking(false));
      case TAKE_PROFIT -> Decision.stay(state);
    };
  }

  @Override
  public Decision onBar(StrategyState strategyState, Bar bar) {
    State state = rollSession((State) strategyState, bar.tsOpen().toLocalDate());
    state = state.sessionOpen() == null
        ? state.withStats(bar.open(), bar.high(), bar.low(), bar.close())
        : state.withStats(state.sessionOpen(), state.sessionHigh().max(bar.high()), state.sessionLow().min(bar.low()),
            bar.close());
    boolean filledDuringBar = state.filledThisBar();
    state = state.withPosition(state.position(), state.entries(), false);
    if (state.exited() || !state.isSetup()) return Decision.stay(state);

    List<OrderAction> actions = new ArrayList<>();
    if (state.position().isPositive()) {
      if (filledDuringBar) {
        Price stop = state.sessionLow().floorTick(parameters.tickSize());
        actions.add(new OrderAction.Place(OrderRole.STOP_LOSS, OrderSide.SELL, OrderType.STOP_MARKET, state.position(),
            stop, null, ExitReason.STOP));
        state = state.withStop(stop, false, true);
      } else if (state.stop() != null && state.stopWorking()) {
        Price candidate = bar.low().floorTick(parameters.tickSize());
        if (candidate.isGreaterThan(state.stop())) {
          actions.add(new OrderAction.ModifyTrigger(OrderRole.STOP_LOSS, candidate, ExitReason.TRAIL));
          state = state.withStop(candidate, true, state.stopWorking());
        }
      }
    } else if (!state.entryWorking()
        && state.entries() < parameters.maxEntriesPerDay()
        && bar.tsOpen().toLocalTime().isBefore(parameters.lastEntryBarOpen())) {
      if (bar.low().isLessThan(state.prevLow())) state = state.withArmed(true);
      if (state.armed()) {
        actions.add(new OrderAction.Place(OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET,
            entryQuantity(state.prevLow()), state.prevLow(), null, null));
        state = state.withEntryWorking(true);
      }
    }
    return new Decision(state, actions);
  }

  @Override
  public java.util.Optional<Price> lastPrice(StrategyState strategyState) {
    return java.util.Optional.ofNullable(((State) strategyState).sessionClose());
  }

  @Override
  public Decision onSessionEnd(StrategyState strategyState, LocalDate session) {
    State state = (State) strategyState;
    if (!session.equals(state.session()) || state.exited()) return Decision.stay(state);
    // Rule 4: no bar reached sessionExit; sell at the last close, cancel a working entry.
    return flatten(state);
  }

  /** Cancels the entry, cancels the stop and sells the position at market (unless an exit already sells it); no more orders this session. */
  private Decision flatten(State state) {
    List<OrderAction> actions = new ArrayList<>();
    State next = state.withExited();
    if (state.entryWorking()) actions.add(new OrderAction.Cancel(OrderRole.ENTRY));
    if (state.position().isPositive() && !state.exitWorking()) {
      if (state.stopWorking()) actions.add(new OrderAction.Cancel(OrderRole.STOP_LOSS));
      actions.add(new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET, state.position(), null, null,
          ExitReason.SESSION_END));
      next = next.withExitWorking(true);
    }
    return new Decision(next, actions);
  }

  /** Sells the whole position at market: {@code SESSION_END} after the session exit, else {@code STOP_REJECTED} (it replaces the stop). */
  private static Decision sellAtMarket(State state) {
    ExitReason reason = state.exited() ? ExitReason.SESSION_END : ExitReason.STOP_REJECTED;
    return new Decision(state.withExitWorking(true), List.of(new OrderAction.Place(OrderRole.EXIT, OrderSide.SELL, OrderType.MARKET,
        state.position(), null, null, reason)));
  }

  /** Starts session {@code date} when it differs from the current one, deciding its setup from the one before. */
  private State rollSession(State state, LocalDate date) {
    if (date.equals(state.session())) return state;
    Price prevLow = null;
    if (state.sessionOpen() != null && isSetup(state)) prevLow = state.sessionLow();
    return new State(date, null, null, null, null, prevLow, false, 0, false, state.position(), state.stop(),
        state.stopRaised(), false, state.stopWorking(), state.exitWorking(), false);
  }

  private static boolean isSetup(State previous) {
    BigDecimal low = previous.sessionLow().value();
    BigDecimal range = previous.sessionHigh().value().subtract(low);
    if (range.signum() <= 0) return false;
    boolean openedHigh = previous.sessionOpen().value().compareTo(low.add(EIGHTY_PERCENT.multiply(range))) >= 0;
    boolean closedLow = previous.sessionClose().value().compareTo(low.add(TWENTY_PERCENT.multiply(range))) <= 0;
    return openedHigh && closedLow;
  }

  private Quantity entryQuantity(Price prevLow) {
    BigDecimal shares = parameters.capitalPerTrade().divide(prevLow.value(), 0, RoundingMode.FLOOR);
    return Quantity.of(shares.max(BigDecimal.ONE));
  }

  private static Quantity reduce(Quantity position, Quantity filled) {
    return filled.compareTo(position) >= 0 ? Quantity.ZERO : position.minus(filled);
  }
}
