package dev.ordo.engine.trading;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TradeId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The position of one account in one instrument: the fold of its fills. Sharded by
 * {@code account:instrument}, event-sourced. A fill is applied at most once per {@link TradeId},
 * so a fill delivered again (after a reconnect, by reconciliation) changes nothing. When a fill
 * brings the quantity to zero the position is marked closed.
 *
 * <p>Quantity is signed (positive long, negative short), in instrument units; average price and
 * realized P&amp;L in instrument currency; P&amp;L has no fees.
 */
public final class Position
    extends EventSourcedBehaviorWithEnforcedReplies<Position.Command, Position.Event, Position.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Position");

  /** Registers the entity type with Cluster Sharding; {@code clock} stamps {@code tsEvent}. */
  public static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> create(entityContext.getEntityId(), clock)));
  }

  /** The sharding entity id {@code account:SYMBOL.VENUE}. */
  public static String entityId(AccountId account, InstrumentId instrument) {
    return EntityIds.of(account, instrument);
  }

  /**
   * Creates the behavior for entity id {@code account:SYMBOL.VENUE}.
   *
   * @throws IllegalArgumentException when the entity id is not of that form
   */
  public static Behavior<Command> create(String entityId, Clock clock) {
    return new Position(EntityIds.account(entityId), EntityIds.instrument(entityId), clock);
  }

  /** Protocol of a position. */
  public sealed interface Command extends OrdoSerializable {}

  /** Applies {@code fill} unless its trade id was applied before; answered when journaled. */
  public record ApplyFill(Fill fill, ActorRef<Done> replyTo) implements Command {}

  /** Asks for the position. */
  public record GetPosition(ActorRef<State> replyTo) implements Command {}

  /** Journaled facts of a position. */
  public sealed interface Event extends OrdoSerializable {}

  /** A fill changed the position. */
  public record FillApplied(AccountId account, InstrumentId instrument, Fill fill, Instant tsEvent) implements Event {}

  /**
   * A position.
   *
   * @param quantity      signed quantity, instrument units
   * @param averagePrice  average price of the open quantity, null when flat
   * @param realizedPnl   realized P&amp;L, instrument currency
   * @param openedAt      time of the fill that opened the current (or last) position
   * @param closedAt      time of the fill that last flattened it, null while open
   * @param fills         fills applied
   */
  public record State(
      AccountId account,
      InstrumentId instrument,
      BigDecimal quantity,
      Price averagePrice,
      BigDecimal realizedPnl,
      OffsetDateTime openedAt,
      OffsetDateTime closedAt,
      long fills,
      Set<TradeId> appliedTradeIds)
      implements OrdoSerializable {

    /** {@code LONG}, {@code SHORT} or {@code FLAT}. */
    public String status() {
      return quantity.signum() > 0 ? "LONG" : quantity.signum() < 0 ? "SHORT" : "FLAT";
    }

    State apply(Fill fill) {
      BigDecimal signed = fill.side() == OrderSide.BUY ? fill.lastQty().value() : fill.lastQty().value().negate();
      BigDecimal px = fill.lastPx().value();
      BigDecimal newQuantity = quantity.add(signed);
      BigDecimal realized = realizedPnl;
      Price average = averagePrice;
      OffsetDateTime opened = openedAt;
      OffsetDateTime closed = closedAt;
      if (quantity.signum() == 0 || quantity.signum() == signed.signum()) {
        // Opening or adding: weighted average price.
        BigDecimal cost = (average == null ? BigDecimal.ZERO : average.value().multiply(quantity.abs())).add(px.multiply(signed.abs()));
        average = Price.of(cost.divide(newQuantity.abs(), 8, RoundingMode.HALF_EVEN).stripTrailingZeros());
        if (quantity.signum() == 0) {
          opened = fill.tsEvent();
          closed = null;
        }
      } else {
        // Reducing, closing or reversing.
        BigDecimal closing = signed.abs().min(quantity.abs());
        BigDecimal perUnit = quantity.signum() > 0 ? px.subtract(average.value()) : average.value().subtract(px);
        realized = realized.add(perUnit.multiply(closing));
        if (newQuantity.signum() == 0) {
          average = null;
          closed = fill.tsEvent();
        } else if (newQuantity.signum() != quantity.signum()) {
          average = fill.lastPx();
          opened = fill.tsEvent();
          closed = null;
        }
      }
      Set<TradeId> applied = new HashSet<>(appliedTradeIds);
      applied.add(fill.tradeId());
      return new State(account, instrument, newQuantity, average, realized, opened, closed, fills + 1, Set.copyOf(applied));
    }
  }

  private final AccountId account;
  private final InstrumentId instrument;
  private final Clock clock;

  private Position(AccountId account, InstrumentId instrument, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId(account, instrument)), JournalFailures.BACKOFF);
    this.account = account;
    this.instrument = instrument;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(account, instrument, BigDecimal.ZERO, null, BigDecimal.ZERO, null, null, 0, Set.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ApplyFill.class, this::onApplyFill)
        .onCommand(GetPosition.class, (state, command) -> Effect().reply(command.replyTo(), state))
        .build();
  }

  private ReplyEffect<Event, State> onApplyFill(State state, ApplyFill command) {
    Fill fill = command.fill();
    if (state.appliedTradeIds().contains(fill.tradeId())) return Effect().reply(command.replyTo(), Done.getInstance());
    if (!fill.instrumentId().equals(instrument))
      throw new IllegalArgumentException("fill of " + fill.instrumentId() + " sent to the position of " + instrument);
    return Effect().persist(new FillApplied(account, instrument, fill, clock.instant()))
        .thenReply(command.replyTo(), next -> Done.getInstance());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(FillApplied.class, (state, event) -> state.apply(event.fill())).build();
  }
}
