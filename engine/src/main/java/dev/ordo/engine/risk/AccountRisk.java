package dev.ordo.engine.risk;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.LogMdc;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.AppliedTradeIds;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.port.OrderRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The pre-trade risk checks and the trading state (ACTIVE or HALTED) of one account. Every placement
 * of every source passes here before the account's {@link dev.ordo.engine.broker.BrokerGateway} sends
 * it ({@link CheckOrder}); modifications and cancellations do not. Sharded by the account id,
 * event-sourced ({@code AccountRisk|<account>}).
 *
 * <p>What the checks need comes from the engine's own fills ({@link ApplyFill}, delivered by the
 * {@link dev.ordo.engine.trading.OrderUpdateRouter} before the symbol trader gets them), each applied
 * once per {@link TradeId}: the position of each instrument, the last price it filled at, the open
 * positions and the realized P&amp;L of the venue's trading day (the fill's session date in its venue's
 * zone; a new date starts again from zero).
 *
 * <p>An order that reduces a position (opposite side, at most its size) always passes. An order that
 * opens or increases one (an entry) is refused, in this order, when the account is HALTED
 * ({@code ACCOUNT_HALTED}), when today's realized loss is at the limit ({@code RISK_DAILY_LOSS}), and
 * when it would exceed {@code RISK_MAX_ORDER_NOTIONAL}, {@code RISK_MAX_POSITION_QUANTITY},
 * {@code RISK_MAX_POSITION_NOTIONAL} or {@code RISK_MAX_OPEN_POSITIONS} of its {@link RiskLimits}. An
 * order is valued at its limit, else its trigger, else the instrument's last fill price. Each refusal is
 * journaled ({@link OrderRefused}). A fill that brings today's realized loss to the limit HALTS the
 * account ({@link Halted}, by {@value #RISK_SUBJECT}); only {@link Resume} makes it ACTIVE again, a new
 * day does not.
 */
public final class AccountRisk
    extends EventSourcedBehaviorWithEnforcedReplies<AccountRisk.Command, AccountRisk.Event, AccountRisk.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "AccountRisk");

  /** Who halts the account when the daily loss limit is reached. */
  public static final String RISK_SUBJECT = "risk";

  /** Reason code of an entry refused while the account is HALTED. */
  public static final String ACCOUNT_HALTED = "ACCOUNT_HALTED";

  /** The checks, in the order they run; a refusal's code is {@code RISK_<check>}. */
  public enum Check {
    DAILY_LOSS,
    MAX_ORDER_NOTIONAL,
    MAX_POSITION_QUANTITY,
    MAX_POSITION_NOTIONAL,
    MAX_OPEN_POSITIONS;

    /** The refusal's reason code, e.g. {@code RISK_MAX_ORDER_NOTIONAL}. */
    public String code() {
      return "RISK_" + name();
    }
  }

  /** An account's trading state. */
  public enum TradingState {
    /** Orders pass the limits. */
    ACTIVE,
    /** Entries are refused ({@code ACCOUNT_HALTED}); exits, modifications and cancellations go on. */
    HALTED
  }

  /**
   * What an account's risk actor needs.
   *
   * @param limits the account's limits ({@link RiskLimits#NONE} for none)
   * @param clock  the account's engine clock (its replay clock in a replay): today's date and {@code tsEvent}
   * @param zone   the venue zone in which {@link GetStatus} reads today's date
   */
  public record Settings(RiskLimits limits, Clock clock, ZoneId zone) {}

  /** Registers the entity type with Cluster Sharding; {@code settings} gives each account its own. */
  public static void init(ActorSystem<?> system, Function<AccountId, Settings> settings) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> {
      AccountId account = AccountId.of(entityContext.getEntityId());
      return LogMdc.ofAccount(Command.class, account, create(account, settings.apply(account)));
    }));
  }

  /** The sharded risk actor of {@code account} (after {@link #init}). */
  public static EntityRef<Command> of(ActorSystem<?> system, AccountId account) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, account.value());
  }

  /** The risk actor of {@code account}, journaling under {@code AccountRisk|<account>}. */
  public static Behavior<Command> create(AccountId account, Settings settings) {
    return new AccountRisk(account, settings);
  }

  // ---------------------------------------------------------------- commands

  /** Protocol of the risk actor. */
  public sealed interface Command extends OrdoSerializable {}

  /** May {@code order} be sent? Answered {@link Approved} or {@link Refused} (journaled first). */
  public record CheckOrder(OrderRequest order, ActorRef<Verdict> replyTo) implements Command {}

  /** A fill of the account; applied once per trade id, answered when journaled (or when already applied). */
  public record ApplyFill(Fill fill, ActorRef<Done> replyTo) implements Command {}

  /** The kill switch: HALTED from now, asked by {@code requestedBy}; answered {@link Changed}, or {@link Conflict} when already HALTED. */
  public record Halt(String requestedBy, String reason, ActorRef<ControlAnswer> replyTo) implements Command {}

  /** ACTIVE again, asked by {@code requestedBy}; answered {@link Changed}, or {@link Conflict} when already ACTIVE. */
  public record Resume(String requestedBy, ActorRef<ControlAnswer> replyTo) implements Command {}

  /** Asks for the account's {@link Status}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** The answer to {@link CheckOrder}. */
  public sealed interface Verdict extends OrdoSerializable {
    ClientOrderId clientOrderId();
  }

  /** The order may be sent. */
  public record Approved(ClientOrderId clientOrderId) implements Verdict {}

  /**
   * The order must not be sent.
   *
   * @param code   {@code ACCOUNT_HALTED} or {@code RISK_<check>}
   * @param detail what was over which limit
   */
  public record Refused(ClientOrderId clientOrderId, String code, String detail) implements Verdict {
    /** {@code CODE: detail}, as the order's rejection reason. */
    public String reason() {
      return code + ": " + detail;
    }
  }

  /** The answer to {@link Halt} and {@link Resume}. */
  public sealed interface ControlAnswer extends OrdoSerializable {
    Status status();
  }

  /** Done: the account is now as {@code status} shows. */
  public record Changed(Status status) implements ControlAnswer {}

  /** Refused: the account already is in the asked state. */
  public record Conflict(Status status, String reason) implements ControlAnswer {}

  /**
   * An account's risk status.
   *
   * @param state            ACTIVE or HALTED
   * @param reason           why it is HALTED, else null
   * @param since            when it entered its state (null: ACTIVE since its first run)
   * @param changedBy        who halted or resumed it last ({@value #RISK_SUBJECT} for the daily loss limit), null before
   * @param tradingDay       today in the venue's zone
   * @param dailyRealizedPnl realized P&amp;L of today's fills (negative: a loss)
   * @param openPositions    instruments with a non-zero position
   * @param ordersRefused    orders refused since the account's first run
   */
  public record Status(AccountId account, TradingState state, String reason, Instant since, String changedBy, RiskLimits limits,
      LocalDate tradingDay, BigDecimal dailyRealizedPnl, int openPositions, long ordersRefused) implements OrdoSerializable {}

  // ---------------------------------------------------------------- events

  /** Journaled facts of an account's risk actor. */
  public sealed interface Event extends OrdoSerializable {
    AccountId account();

    Instant tsEvent();
  }

  /** A fill of the account, executed on {@code sessionDate} (its venue's date). */
  public record FillApplied(AccountId account, Fill fill, LocalDate sessionDate, Instant tsEvent) implements Event {}

  /** The account was halted by {@code requestedBy} ({@value #RISK_SUBJECT} when the daily loss limit was reached). */
  public record Halted(AccountId account, String reason, String requestedBy, Instant tsEvent) implements Event {}

  /** The account was made ACTIVE again by {@code requestedBy}. */
  public record Resumed(AccountId account, String requestedBy, Instant tsEvent) implements Event {}

  /** An order was refused before it reached the broker; {@code code} is {@code ACCOUNT_HALTED} or {@code RISK_<check>}. */
  public record OrderRefused(AccountId account, ClientOrderId clientOrderId, InstrumentId instrument, OrderSide side, Quantity quantity,
      String code, String detail, Instant tsEvent) implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * The position of one instrument as the fills built it.
   *
   * @param position  the fold of the instrument's fills
   * @param lastPrice the price of its last fill
   */
  public record InstrumentPosition(InstrumentId instrument, NetPosition position, Price lastPrice) implements OrdoSerializable {}

  /**
   * State of an account's risk actor. Its methods apply one event each.
   *
   * @param positions        per instrument that ever filled, sorted by instrument
   * @param tradingDay       the session date of the last fill, null before the first
   * @param dailyRealizedPnl realized P&amp;L of the fills of {@code tradingDay}
   * @param appliedTradeIds  the trade ids of the fills applied in the last {@link AppliedTradeIds#RETENTION} of fill time
   */
  public record State(AccountId account, TradingState tradingState, String reason, Instant since, String changedBy,
      List<InstrumentPosition> positions, LocalDate tradingDay, BigDecimal dailyRealizedPnl, AppliedTradeIds appliedTradeIds, long ordersRefused)
      implements OrdoSerializable {

    public State {
      tradingState = tradingState == null ? TradingState.ACTIVE : tradingState;
      positions = positions == null ? List.of() : List.copyOf(positions);
      dailyRealizedPnl = dailyRealizedPnl == null ? BigDecimal.ZERO : dailyRealizedPnl;
      appliedTradeIds = appliedTradeIds == null ? AppliedTradeIds.NONE : appliedTradeIds;
    }

    /** The position of {@code instrument}, or null when it never filled. */
    public InstrumentPosition position(InstrumentId instrument) {
      for (InstrumentPosition p : positions) if (p.instrument().equals(instrument)) return p;
      return null;
    }

    /** Signed quantity held in {@code instrument} (0 when none). */
    public BigDecimal quantity(InstrumentId instrument) {
      InstrumentPosition p = position(instrument);
      return p == null ? BigDecimal.ZERO : p.position().quantity();
    }

    /** Instruments with a non-zero position. */
    public int openPositions() {
      return (int) positions.stream().filter(p -> p.position().quantity().signum() != 0).count();
    }

    /** The realized P&amp;L of {@code day}: that of {@link #tradingDay} when it is {@code day}, else 0 (no fill yet that day). */
    public BigDecimal realizedOn(LocalDate day) {
      return day.equals(tradingDay) ? dailyRealizedPnl : BigDecimal.ZERO;
    }

    State fillApplied(FillApplied e) {
      Fill fill = e.fill();
      InstrumentPosition before = position(fill.instrumentId());
      NetPosition was = before == null ? NetPosition.FLAT : before.position();
      NetPosition now = was.apply(fill);
      BigDecimal realized = now.realizedPnl().subtract(was.realizedPnl());
      List<InstrumentPosition> next = new ArrayList<>();
      for (InstrumentPosition p : positions) if (!p.instrument().equals(fill.instrumentId())) next.add(p);
      next.add(new InstrumentPosition(fill.instrumentId(), now, fill.lastPx()));
      next.sort(Comparator.comparing(InstrumentPosition::instrument));
      boolean sameDay = e.sessionDate().equals(tradingDay);
      LocalDate day = tradingDay == null || e.sessionDate().isAfter(tradingDay) ? e.sessionDate() : tradingDay;
      BigDecimal daily = sameDay ? dailyRealizedPnl.add(realized) : day.equals(e.sessionDate()) ? realized : dailyRealizedPnl;
      return new State(account, tradingState, reason, since, changedBy, next, day, daily, appliedTradeIds.with(fill), ordersRefused);
    }

    State halted(Halted e) {
      return new State(account, TradingState.HALTED, e.reason(), e.tsEvent(), e.requestedBy(), positions, tradingDay, dailyRealizedPnl,
          appliedTradeIds, ordersRefused);
    }

    State resumed(Resumed e) {
      return new State(account, TradingState.ACTIVE, null, e.tsEvent(), e.requestedBy(), positions, tradingDay, dailyRealizedPnl,
          appliedTradeIds, ordersRefused);
    }

    State refused() {
      return new State(account, tradingState, reason, since, changedBy, positions, tradingDay, dailyRealizedPnl, appliedTradeIds,
          ordersRefused + 1);
    }
  }

  /** The state of {@code account} before any event: what {@link #applyEvent} folds from. */
  public static State initialState(AccountId account) {
    return new State(account, TradingState.ACTIVE, null, null, null, List.of(), null, BigDecimal.ZERO, AppliedTradeIds.NONE, 0);
  }

  /**
   * The risk actor's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not a risk actor's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof FillApplied e) return state.fillApplied(e);
    if (event instanceof Halted e) return state.halted(e);
    if (event instanceof Resumed e) return state.resumed(e);
    if (event instanceof OrderRefused) return state.refused();
    throw new IllegalArgumentException("not an account risk event: " + event);
  }

  // ---------------------------------------------------------------- checks

  /**
   * The verdict on {@code order} for an account in {@code state} under {@code limits} on {@code today}
   * (the order's venue date): the one place the checks live (see the class comment for their order).
   */
  public static Verdict check(State state, RiskLimits limits, OrderRequest order, LocalDate today) {
    ClientOrderId id = order.clientOrderId();
    InstrumentId instrument = order.instrumentId();
    BigDecimal held = state.quantity(instrument);
    BigDecimal quantity = order.quantity().value();
    BigDecimal signed = order.side() == OrderSide.BUY ? quantity : quantity.negate();
    boolean reduces = held.signum() != 0 && signed.signum() != held.signum() && quantity.compareTo(held.abs()) <= 0;
    if (reduces) return new Approved(id);
    if (state.tradingState() == TradingState.HALTED)
      return new Refused(id, ACCOUNT_HALTED, "account " + state.account() + " is halted (" + state.reason()
          + "); only orders that reduce a position are sent until it is resumed");
    BigDecimal daily = state.realizedOn(today);
    if (limits.maxDailyRealizedLoss() != null && daily.compareTo(limits.maxDailyRealizedLoss().negate()) <= 0)
      return new Refused(id, Check.DAILY_LOSS.code(), "realized P&L of " + today + " is " + daily.toPlainString()
          + ", at or beyond the max-daily-realized-loss " + limits.maxDailyRealizedLoss().toPlainString());
    Price price = order.limit() != null ? order.limit() : order.trigger();
    String valuedAt = order.limit() != null ? "its limit" : "its trigger";
    if (price == null && state.position(instrument) != null) {
      price = state.position(instrument).lastPrice();
      valuedAt = "the last fill price";
    }
    BigDecimal after = held.add(signed).abs();
    String what = order.side() + " " + quantity.toPlainString() + " " + instrument;
    if (price == null && (limits.maxOrderNotional() != null || limits.maxPositionNotional() != null)) {
      Check which = limits.maxOrderNotional() != null ? Check.MAX_ORDER_NOTIONAL : Check.MAX_POSITION_NOTIONAL;
      return new Refused(id, which.code(), what + " (" + order.type() + ") has no limit or trigger and " + instrument
          + " has not filled yet: no price to check it against the " + (which == Check.MAX_ORDER_NOTIONAL ? "max-order-notional" : "max-position-notional"));
    }
    if (limits.maxOrderNotional() != null) {
      BigDecimal notional = quantity.multiply(price.value());
      if (notional.compareTo(limits.maxOrderNotional()) > 0)
        return new Refused(id, Check.MAX_ORDER_NOTIONAL.code(), what + " at " + price + " (" + valuedAt + ") is a notional of "
            + notional.toPlainString() + ", over the max-order-notional " + limits.maxOrderNotional().toPlainString());
    }
    if (limits.maxPositionQuantity() != null && after.compareTo(limits.maxPositionQuantity()) > 0)
      return new Refused(id, Check.MAX_POSITION_QUANTITY.code(), what + " would make the position " + after.toPlainString()
          + " (now " + held.toPlainString() + "), over the max-position-quantity " + limits.maxPositionQuantity().toPlainString());
    if (limits.maxPositionNotional() != null) {
      BigDecimal notional = after.multiply(price.value());
      if (notional.compareTo(limits.maxPositionNotional()) > 0)
        return new Refused(id, Check.MAX_POSITION_NOTIONAL.code(), what + " would make the position " + after.toPlainString() + " x " + price
            + " (" + valuedAt + ") = " + notional.toPlainString() + ", over the max-position-notional " + limits.maxPositionNotional().toPlainString());
    }
    if (limits.maxOpenPositions() != null && held.signum() == 0 && after.signum() != 0) {
      int open = state.openPositions() + 1;
      if (open > limits.maxOpenPositions())
        return new Refused(id, Check.MAX_OPEN_POSITIONS.code(), what + " would open position " + open + ", over the max-open-positions "
            + limits.maxOpenPositions() + " (open now: " + state.openPositions() + ")");
    }
    return new Approved(id);
  }

  // ---------------------------------------------------------------- behavior

  private final AccountId account;
  private final Settings settings;

  private AccountRisk(AccountId account, Settings settings) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), account.value()), JournalFailures.BACKOFF);
    this.account = account;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return initialState(account);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(AccountRisk::applyEvent);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(CheckOrder.class, this::onCheckOrder)
        .onCommand(ApplyFill.class, this::onApplyFill)
        .onCommand(Halt.class, this::onHalt)
        .onCommand(Resume.class, this::onResume)
        .onCommand(GetStatus.class, (state, command) -> Effect().reply(command.replyTo(), status(state)))
        .build();
  }

  private ReplyEffect<Event, State> onCheckOrder(State state, CheckOrder command) {
    OrderRequest order = command.order();
    LocalDate today = LocalDate.ofInstant(settings.clock().instant(), VenueZones.zoneOf(order.instrumentId()));
    Verdict verdict = check(state, settings.limits(), order, today);
    if (verdict instanceof Refused refused) {
      org.slf4j.LoggerFactory.getLogger(AccountRisk.class).warn("{}: order {} refused: {}", account, order.clientOrderId(), refused.reason());
      return Effect().persist(new OrderRefused(account, order.clientOrderId(), order.instrumentId(), order.side(), order.quantity(),
          refused.code(), refused.detail(), settings.clock().instant())).thenReply(command.replyTo(), next -> verdict);
    }
    return Effect().reply(command.replyTo(), verdict);
  }

  private ReplyEffect<Event, State> onApplyFill(State state, ApplyFill command) {
    Fill fill = command.fill();
    if (state.appliedTradeIds().applied(fill)) return Effect().reply(command.replyTo(), Done.getInstance());
    Instant now = settings.clock().instant();
    LocalDate session = fill.tsEvent().atZoneSameInstant(VenueZones.zoneOf(fill.instrumentId())).toLocalDate();
    FillApplied applied = new FillApplied(account, fill, session, now);
    State after = state.fillApplied(applied);
    BigDecimal limit = settings.limits().maxDailyRealizedLoss();
    boolean reached = limit != null && state.tradingState() == TradingState.ACTIVE
        && after.realizedOn(session).compareTo(limit.negate()) <= 0 && state.realizedOn(session).compareTo(limit.negate()) > 0;
    if (!reached) return Effect().persist(applied).thenReply(command.replyTo(), next -> Done.getInstance());
    String reason = Check.DAILY_LOSS.code() + ": realized P&L of " + session + " reached " + after.realizedOn(session).toPlainString()
        + " with fill " + fill.tradeId() + " of " + fill.instrumentId() + ", at or beyond the max-daily-realized-loss " + limit.toPlainString();
    org.slf4j.LoggerFactory.getLogger(AccountRisk.class).warn("{}: account halted: {}", account, reason);
    return Effect().persist(List.of(applied, new Halted(account, reason, RISK_SUBJECT, now)))
        .thenReply(command.replyTo(), next -> Done.getInstance());
  }

  private ReplyEffect<Event, State> onHalt(State state, Halt command) {
    if (state.tradingState() == TradingState.HALTED)
      return Effect().reply(command.replyTo(), new Conflict(status(state), "account " + account + " is already HALTED (" + state.reason() + ")"));
    String reason = command.reason() == null || command.reason().isBlank() ? "halted by " + command.requestedBy() : command.reason();
    return Effect().persist(new Halted(account, reason, command.requestedBy(), settings.clock().instant()))
        .thenReply(command.replyTo(), next -> new Changed(status(next)));
  }

  private ReplyEffect<Event, State> onResume(State state, Resume command) {
    if (state.tradingState() == TradingState.ACTIVE)
      return Effect().reply(command.replyTo(), new Conflict(status(state), "account " + account + " is already ACTIVE"));
    return Effect().persist(new Resumed(account, command.requestedBy(), settings.clock().instant()))
        .thenReply(command.replyTo(), next -> new Changed(status(next)));
  }

  private Status status(State state) {
    LocalDate today = LocalDate.ofInstant(settings.clock().instant(), settings.zone());
    return new Status(account, state.tradingState(), state.reason(), state.since(), state.changedBy(), settings.limits(), today,
        state.realizedOn(today), state.openPositions(), state.ordersRefused());
  }
}
