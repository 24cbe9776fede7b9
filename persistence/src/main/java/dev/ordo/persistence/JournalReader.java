package dev.ordo.persistence;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads the journal through Pekko Persistence Query on pekko-persistence-jdbc's read journal
 * ({@link JdbcReadJournal}): the persistence ids it holds and each one's events, deserialized by the
 * same serializers the entities wrote them with. Read-only; safe next to a running engine (it sees
 * what is committed) and on a stopped engine's journal.
 */
public final class JournalReader {

  /**
   * One journaled event.
   *
   * @param persistenceId  e.g. {@code SymbolTrader|paper:TCS-EQ.NSE}
   * @param sequenceNr     its number in that entity's journal, from 1
   * @param written        when the journal wrote it (the plugin's write timestamp, wall clock, millisecond precision)
   * @param event          the event as the entity journaled it
   */
  public record Entry(String persistenceId, long sequenceNr, Instant written, Object event) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  private JournalReader(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** A reader of the journal configured in {@code system} ({@code jdbc-read-journal}). */
  public static JournalReader of(ActorSystem<?> system) {
    return new JournalReader(system);
  }

  /** Every persistence id with at least one event, sorted. */
  public CompletionStage<List<String>> persistenceIds() {
    return journal.currentPersistenceIds().runWith(Sink.seq(), system)
        .thenApply(ids -> ids.stream().sorted().toList());
  }

  /**
   * The events of {@code persistenceId} with sequence numbers {@code from..to} (inclusive), in
   * order; empty when there are none.
   */
  public CompletionStage<List<Entry>> events(String persistenceId, long from, long to) {
    return journal.currentEventsByPersistenceId(persistenceId, from, to)
        .map(envelope -> new Entry(envelope.persistenceId(), envelope.sequenceNr(), Instant.ofEpochMilli(envelope.timestamp()), envelope.event()))
        .runWith(Sink.seq(), system);
  }

  /** Every event of {@code persistenceId}, in order. */
  public CompletionStage<List<Entry>> events(String persistenceId) {
    return events(persistenceId, 1, Long.MAX_VALUE);
  }
}
