package dev.ordo.engine;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The log fields an actor's lines carry (SLF4J's MDC, set by Pekko around each message through
 * {@link Behaviors#withMdc}): {@code account} for every actor of an account's trading service, and
 * also {@code instrument}, {@code entityType} and {@code entityId} for an entity. They show in
 * {@code --log-format json} as fields, so one account's or one instrument's lines can be picked out.
 */
public final class LogMdc {

  /** MDC keys. */
  public static final String ACCOUNT = "account";
  public static final String INSTRUMENT = "instrument";
  public static final String ENTITY_TYPE = "entityType";
  public static final String ENTITY_ID = "entityId";

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
}
