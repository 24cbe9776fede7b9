package dev.ordo.engine;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The log fields an actor's lines carry (SLF4J's MDC, set by Pekko around each message through
 * {@link Behaviors#withMdc}): {@code account} for every actor of an account's trading service, and
 * also {@code instrument}, {@code entityType} and {@code entityId} for an entity, and {@code clientOrderId} while a
 * symbol trader handles a message about one of its orders. They show in
 * {@code --log-format json} as fields, so one account's or one instrument's lines can be picked out.
 */
public final class LogMdc {

  /** MDC keys. */
  public static final String ACCOUNT = "account";
  public static final String INSTRUMENT = "instrument";
  public static final String ENTITY_TYPE = "entityType";
  public static final String ENTITY_ID = "entityId";
  public static final String CLIENT_ORDER_ID = "clientOrderId";

  private LogMdc() {}

  /** {@code behavior} with its lines tagged with {@code account}. */
  public static <T> Behavior<T> ofAccount(Class<T> type, AccountId account, Behavior<T> behavior) {
    return Behaviors.withMdc(type, Map.of(ACCOUNT, account.value()), behavior);
  }

  /** {@code behavior}, an entity of {@code entityType} not bound to one account or instrument (an expert), tagged with its type and id. */
  public static <T> Behavior<T> ofEntity(Class<T> type, String entityType, String entityId, Behavior<T> behavior) {
    return Behaviors.withMdc(type, Map.of(ENTITY_TYPE, entityType, ENTITY_ID, entityId), behavior);
  }

  /** {@code behavior}, an entity of {@code entityType} for {@code account} and {@code instrument}, tagged with all four. */
  public static <T> Behavior<T> ofEntity(Class<T> type, String entityType, String entityId, AccountId account, InstrumentId instrument,
      Behavior<T> behavior) {
    return Behaviors.withMdc(type, Map.of(ACCOUNT, account.value(), INSTRUMENT, instrument.toString(), ENTITY_TYPE, entityType, ENTITY_ID,
        entityId), behavior);
  }

  /**
   * {@code behavior}, an entity as {@link #ofEntity(Class, String, String, AccountId, InstrumentId, Behavior)} tags it, whose lines
   * while it handles a message about one order also carry that order's {@code clientOrderId} ({@code orderOf} gives it, or null).
   */
  public static <T> Behavior<T> ofEntity(Class<T> type, String entityType, String entityId, AccountId account, InstrumentId instrument,
      java.util.function.Function<T, dev.ordo.engine.model.ClientOrderId> orderOf, Behavior<T> behavior) {
    Map<String, String> entity = Map.of(ACCOUNT, account.value(), INSTRUMENT, instrument.toString(), ENTITY_TYPE, entityType, ENTITY_ID,
        entityId);
    return Behaviors.withMdc(type, entity, message -> {
      dev.ordo.engine.model.ClientOrderId order = orderOf.apply(message);
      return order == null ? Map.of() : Map.of(CLIENT_ORDER_ID, order.value());
    }, behavior);
  }
}
