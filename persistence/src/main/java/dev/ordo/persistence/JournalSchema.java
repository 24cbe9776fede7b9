package dev.ordo.persistence;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Creates the journal, snapshot and tag tables when they are missing (pekko-persistence-jdbc
 * does not). Run it before the first persistent actor starts.
 */
public final class JournalSchema {

  private JournalSchema() {}

  /** Creates the tables of the configured database if missing; idempotent. */
  public static CompletionStage<Done> createIfMissing(ActorSystem<?> system) {
    return SchemaUtils.createIfNotExists(system);
  }
}
