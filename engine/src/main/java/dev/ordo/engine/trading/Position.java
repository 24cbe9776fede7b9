package dev.ordo.engine.trading;

import dev.ordo.engine.JournalFailures;
import dev.ordo.engine.LogMdc;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.AppliedTradeIds;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.TradeId;
import java.time.Clock;
import java.time.Instant;
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
 * The position of one account in one instrument: the fold of its fills ({@link NetPosition}).
 * Sharded by {@code account:SYMBOL.VENUE}, event-sourced. A fill is applied at most once per
 * {@link TradeId}, so a fill delivered again (after a reconnect, by reconciliation) changes
 * nothing. When a fill brings the quantity to zero the position is marked closed.
 */
public final class Position
    extends EventSourcedBehaviorWithEnforcedReplies<Position.Command, Position.Event, Position.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Position");

  /** Registers the entity type with Cluster Sharding; {@code clock} stamps {@code tsEvent}. */
  public static void init(ActorSystem<?> system, Clock clock) {
    init(system, account -> clock);
  }

  /** Registers the entity type with Cluster Sharding, each account's positions stamped by its own clock ({@code clocks}). */
  public static void init(ActorSystem<?> system, java.util.function.Function<AccountId, Clock> clocks) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, entityContext -> LogMdc.ofEntity(Command.class, ENTITY_TYPE_KEY.name(),
        entityContext.getEntityId(), EntityIds.account(entityContext.getEntityId()), EntityIds.instrument(entityContext.getEntityId()),
        create(entityContext.getEntityId(), clocks.apply(EntityIds.account(entityContext.getEntityId()))))));
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

  /**
   * Applies {@code fill} unless its trade id was applied before; answered when journaled.
   * A fill of another instrument is refused: answered without effect, and logged.
   */
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
   * @param position        the fold of the fills applied (signed quantity in instrument units, prices and P&amp;L in instrument currency)
   * @param fills           number of fills applied
   * @param appliedTradeIds the trade ids of the fills applied in the last {@link AppliedTradeIds#RETENTION} of fill time
   */
  public record State(AccountId account, InstrumentId instrument, NetPosition position, long fills, AppliedTradeIds appliedTradeIds)
      implements OrdoSerializable {

    public State {
      position = position == null ? NetPosition.FLAT : position;
      appliedTradeIds = appliedTradeIds == null ? AppliedTradeIds.NONE : appliedTradeIds;
    }

    State fillApplied(Fill fill) {
      return new State(account, instrument, position.apply(fill), fills + 1, appliedTradeIds.with(fill));
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
    return initialState(account, instrument);
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
    if (state.appliedTradeIds().applied(fill)) {
      if (state.appliedTradeIds().tooOld(fill))
        org.slf4j.LoggerFactory.getLogger(Position.class).warn("Fill {} of {} executed at {}, over {} before the latest fill applied: taken as applied",
            fill.tradeId(), instrument, fill.tsEvent(), AppliedTradeIds.RETENTION);
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    if (!fill.instrumentId().equals(instrument)) {
      org.slf4j.LoggerFactory.getLogger(Position.class)
          .error("Fill {} of {} sent to the position of {}; not applied", fill.tradeId(), fill.instrumentId(), instrument);
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    return Effect().persist(new FillApplied(account, instrument, fill, clock.instant())).thenReply(command.replyTo(), next -> Done.getInstance());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Position::applyEvent);
  }

  /** The position of {@code account} in {@code instrument} before any fill: what {@link #applyEvent} folds from. */
  public static State initialState(AccountId account, InstrumentId instrument) {
    return new State(account, instrument, NetPosition.FLAT, 0, AppliedTradeIds.NONE);
  }

  /**
   * The position's event handler: {@code state} after {@code event}, as recovery and the audit fold it.
   *
   * @throws IllegalArgumentException for an event that is not a position's
   */
  public static State applyEvent(State state, Event event) {
    if (event instanceof FillApplied e) return state.fillApplied(e.fill());
    throw new IllegalArgumentException("not a position's event: " + event);
  }
}
