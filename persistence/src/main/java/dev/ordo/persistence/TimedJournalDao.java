package dev.ordo.persistence;

import java.time.Duration;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's journal DAO, timed: every batch insert into the journal table is reported to the actor system's
 * {@link JournalWrites} (events in it, time taken, committed or not). Configured as {@code jdbc-journal.dao} in
 * {@code ordo-persistence.conf}; the plugin creates it by reflection with these six constructor arguments.
 *
 * <p>Why here: the plugin has no metrics of its own. Its documented extension points are the DAO ({@code jdbc-journal.dao}) and the
 * database provider ({@code database-provider-fqcn}); a provider wrapping the DataSource would see every statement (reads and
 * replays too) and no event count, while {@link #writeJournalRows} is the one method every journal write goes through, once per
 * batched insert transaction, after the plugin's write queue has batched the entities' persists. So the time is the database's
 * (connection, insert, commit), not the queue wait before it nor the entity's mailbox after it.
 *
 * <p>It also hands every event of a committed {@link #asyncWriteMessages} to {@link JournalWrites}' event listener, the event
 * objects as the entities persisted them (before serialization), so a reader (the dashboard's live feed) hears exactly what the
 * journal holds, without polling it. The listener is called after the write, on the plugin's threads, and must not block.
 */
public final class TimedJournalDao extends DefaultJournalDao {

  private final JournalWrites writes;

  /** The plugin's arguments, passed on to {@link DefaultJournalDao}; the writes go to {@code serialization}'s actor system's {@link JournalWrites}. */
  public TimedJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, JournalConfig journalConfig, Serialization serialization,
      ExecutionContext ec, Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.writes = JournalWrites.get(serialization.system());
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    Future<Seq<Try<BoxedUnit>>> written = super.asyncWriteMessages(messages);
    JournalWrites.EventListener listener = writes.eventListener();
    if (listener == JournalWrites.EventListener.NONE) return written;
    written.onComplete(result -> {
      if (result.isSuccess()) report(listener, messages, result.get());
      return null;
    }, ec());
    return written;
  }

  /** Each event of the atomic writes that succeeded, in order; a write that failed or was rejected is not reported. */
  private static void report(JournalWrites.EventListener listener, Seq<AtomicWrite> messages, Seq<Try<BoxedUnit>> results) {
    java.util.List<AtomicWrite> writes = CollectionConverters.asJava(messages);
    java.util.List<Try<BoxedUnit>> outcomes = CollectionConverters.asJava(results);
    for (int i = 0; i < writes.size(); i++) {
      // the plugin answers one result per atomic write, or an empty sequence when all succeeded
      if (!outcomes.isEmpty() && outcomes.get(i).isFailure()) continue;
      for (PersistentRepr repr : CollectionConverters.asJava(writes.get(i).payload())) {
        Object event = repr.payload() instanceof Tagged tagged ? tagged.payload() : repr.payload();
        listener.journaled(repr.persistenceId(), repr.sequenceNr(), repr.timestamp(), event);
      }
    }
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalTables.JournalPekkoSerializationRow, Set<String>>> rows) {
    // a duration for monitoring, on the monotonic clock; no domain time is read here
    long start = System.nanoTime();
    Future<BoxedUnit> written = super.writeJournalRows(rows);
    int events = rows.size();
    written.onComplete(result -> {
      writes.written(events, Duration.ofNanos(System.nanoTime() - start), result.isSuccess());
      return null;
    }, ec());
    return written;
  }
}
