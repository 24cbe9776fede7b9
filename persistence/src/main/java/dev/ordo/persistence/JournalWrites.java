package dev.ordo.persistence;

import java.time.Duration;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The journal's writes to its database as {@link TimedJournalDao} sees them, handed to one {@link Listener} per actor system
 * (the app's metrics), and the events of each committed write to one {@link EventListener} (the dashboard's live feed): a Pekko
 * extension, so the DAO, which pekko-persistence-jdbc creates by reflection, and the app meet in the actor system without a
 * static. Writes before a listener is set are not reported.
 */
public final class JournalWrites implements Extension {

  /** What a listener hears of each batch the journal inserted. Called on the plugin's threads: return at once, never throw. */
  public interface Listener {

    /** A listener that ignores everything. */
    Listener NONE = (events, took, committed) -> {};

    /**
     * One insert of {@code events} journal rows (events of one or more entities; the plugin batches up to
     * {@code jdbc-journal.batchSize}) took {@code took}, from the DAO handing it to Slick to its transaction's end.
     *
     * @param committed false when the insert failed (the entities whose events it held fail their persist)
     */
    void written(int events, Duration took, boolean committed);
  }

  /** What a listener hears of each event the journal committed. Called on the plugin's threads: return at once, never throw. */
  public interface EventListener {

    /** A listener that ignores everything. */
    EventListener NONE = (persistenceId, sequenceNr, timestamp, event) -> {};

    /**
     * {@code event} (the entity's own event object, as it was serialized; a tagged event without its tags) is in the journal
     * of {@code persistenceId} at {@code sequenceNr}, written at {@code timestamp} (epoch milliseconds, the journal's
     * {@code write_timestamp}). Heard once per event, after its write committed, in sequence order per entity.
     */
    void journaled(String persistenceId, long sequenceNr, long timestamp, Object event);
  }

  private static final Id ID = new Id();

  private volatile Listener listener = Listener.NONE;
  private volatile EventListener eventListener = EventListener.NONE;

  private JournalWrites() {}

  /** The extension of {@code system}. */
  public static JournalWrites get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  static JournalWrites get(org.apache.pekko.actor.ActorSystem system) {
    return ID.get(system);
  }

  /** From now on, every write is reported to {@code listener} (replacing the previous one). */
  public void listen(Listener newListener) {
    this.listener = newListener == null ? Listener.NONE : newListener;
  }

  void written(int events, Duration took, boolean committed) {
    listener.written(events, took, committed);
  }

  /** From now on, every committed event is reported to {@code newListener} (replacing the previous one). */
  public void listenToEvents(EventListener newListener) {
    this.eventListener = newListener == null ? EventListener.NONE : newListener;
  }

  /** The event listener now, {@link EventListener#NONE} when there is none. */
  EventListener eventListener() {
    return eventListener;
  }

  private static final class Id extends AbstractExtensionId<JournalWrites> implements ExtensionIdProvider {
    @Override
    public JournalWrites createExtension(ExtendedActorSystem system) {
      return new JournalWrites();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
