package dev.ordo.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
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
   * The persistence ids that start with {@code prefix} (e.g. {@code "Expert|"}), sorted as Java sorts strings: one query
   * on the journal's primary key (persistence id, sequence number). In H2 it reads only the rows of those ids, where
   * {@link #persistenceIds()} gathers every id of the journal (a replayed year asked it once a day); PostgreSQL plans a
   * LIKE prefix as an index range only in the C collation ({@code ordo db start} makes C.UTF-8), else it filters a scan,
   * still without gathering every id. Runs on the blocking dispatcher, on a connection of the journal's own pool.
   *
   * @throws CompletionException (in the stage) when the journal database cannot be queried
   */
  public CompletionStage<List<String>> persistenceIdsStartingWith(String prefix) {
    Config read = system.settings().config().getConfig("jdbc-read-journal");
    SlickDatabase database = ((SlickExtensionImpl) SlickExtension.get(system.classicSystem())).database(read);
    String sql = prefixQuery(read);
    String pattern = prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = database.database().source().createConnection();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        statement.setString(1, pattern);
        List<String> ids = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) ids.add(rows.getString(1));
        }
        return ids.stream().sorted().toList(); // not the database's collation's order
      } catch (SQLException e) {
        throw new CompletionException(new IllegalStateException("cannot list the journal's persistence ids starting with " + prefix + ": "
            + e.getMessage(), e));
      }
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * The query of {@link #persistenceIdsStartingWith}, on the read journal's table and column names ({@code read}: the
   * {@code jdbc-read-journal} configuration), its one parameter a LIKE pattern escaped with {@code !}. A LIKE whose pattern
   * starts with a literal is a range on the index in H2.
   */
  static String prefixQuery(Config read) {
    Config table = read.getConfig("tables.event_journal");
    String schema = table.getString("schemaName");
    // quoted: the plugin's H2 schema names its tables and columns in lower case, quoted; PostgreSQL's unquoted ones are lower case too
    String name = (schema.isEmpty() ? "" : '"' + schema + "\".") + '"' + table.getString("tableName") + '"';
    String column = '"' + table.getString("columnNames.persistenceId") + '"';
    return "SELECT DISTINCT " + column + " FROM " + name + " WHERE " + column + " LIKE ? ESCAPE '!'";
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
