package dev.ordo.app.http;

import dev.ordo.app.api.LiveEventView;
import dev.ordo.app.audit.AuditInput;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.persistence.JournalReader;
import dev.ordo.persistence.JournalWrites;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed of the dashboard: every event the journal commits ({@link JournalWrites.EventListener}), as
 * {@link LiveEventView} JSON, pushed to each client as Server-Sent Events, filtered by its token's scope. The journal is
 * never held up: the DAO's callback offers the event to a bounded queue and returns (an event that finds the queue full is
 * dropped and counted); one stream broadcasts the events; each client keeps those of the entities its scope sees and turns
 * them into JSON (nothing is serialized while no client listens: a replay journals thousands of events a second); each has its own bounded
 * buffer that drops its oldest events when the client reads too slowly; the events a client is sent are numbered (the SSE
 * {@code id}: 1, 2, ... per connection) before that buffer, so a client that lost some sees the gap and reads the state again.
 */
public final class LiveEvents {

  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

  /** Events waiting to be turned into JSON, and each client's buffer. */
  static final int BUFFER = 1024;
  /** A comment line this often keeps an idle connection open (and lets a client notice a dead one). */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /** One event a client sees, with its entity. */
  private record Published(AuditedEntity entity, Journaled journaled) {}

  private record Journaled(String persistenceId, long sequenceNr, long timestamp, Object event) {}

  private final Source<Journaled, NotUsed> hub;
  private final SharedKillSwitch shutdown;
  private final Auditor auditor;

  private LiveEvents(Source<Journaled, NotUsed> hub, SharedKillSwitch shutdown, Auditor auditor) {
    this.hub = hub;
    this.shutdown = shutdown;
    this.auditor = auditor;
  }

  /**
   * Starts the feed of {@code system}'s journal: from now on every committed event of an entity Ordo knows is broadcast. The
   * streams end at the system's coordinated shutdown, before the HTTP server unbinds, so an open client does not hold it up.
   */
  public static LiveEvents start(ActorSystem<?> system) {
    Auditor auditor = new Auditor(system, AuditInput.strategies(system.settings().config()));
    SharedKillSwitch shutdown = KillSwitches.shared("live-events");
    Pair<BoundedSourceQueue<Journaled>, Source<Journaled, NotUsed>> queueAndHub = Source.<Journaled>queue(BUFFER)
        .via(shutdown.flow())
        .toMat(BroadcastHub.of(Journaled.class, 256), Keep.both())
        .run(system);
    // A consumer that is always there, so the hub moves on while no client listens (it would otherwise hold the events back)
    queueAndHub.second().runWith(Sink.ignore(), system);
    BoundedSourceQueue<Journaled> queue = queueAndHub.first();
    // the DAO calls from the plugin's threads, several at once: the count of dropped events is the one shared value here
    LongAdder dropped = new LongAdder();
    JournalWrites.get(system).listenToEvents((persistenceId, sequenceNr, timestamp, event) -> {
      if (queue.offer(new Journaled(persistenceId, sequenceNr, timestamp, event)) .isEnqueued() == false) {
        dropped.increment();
        if (dropped.sum() % 10_000 == 1)
          log.warn("live feed: {} journaled event(s) not pushed to dashboard clients (the feed was behind); the journal has them", dropped.sum());
      }
    });
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "end-live-events", () -> {
      JournalWrites.get(system).listenToEvents(null);
      shutdown.shutdown();
      return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    });
    return new LiveEvents(queueAndHub.second(), shutdown, auditor);
  }

  /** The event with its entity, when it is one of an entity Ordo knows that {@code scope} sees; else empty. */
  private static Optional<Published> visible(Journaled journaled, ApiScope scope) {
    return AuditedEntity.ofPersistenceId(journaled.persistenceId()).filter(entity -> scope.seesJournalOf(entity.account()))
        .map(entity -> new Published(entity, journaled));
  }

  /** The event as the audit shows it ({@link LiveEventView} JSON); empty (logged) when it cannot be shown. */
  private static Optional<String> toJson(Auditor auditor, Published published) {
    AuditedEntity e = published.entity();
    Journaled journaled = published.journaled();
    try {
      Auditor.EventView view = auditor.view(e,
          new JournalReader.Entry(journaled.persistenceId(), journaled.sequenceNr(), Instant.ofEpochMilli(journaled.timestamp()), journaled.event()));
      LiveEventView live = new LiveEventView(e.type().auditName(), e.id(), e.account() == null ? null : e.account().value(),
          e.instrument() == null ? null : e.instrument().toString(), view.sequenceNr(), view.time(), view.journaledAt(), view.type(), view.payload());
      return Optional.of(Json.mapper().writeValueAsString(live));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException failure) {
      log.warn("live feed: event {} #{} not pushed: {}", journaled.persistenceId(), journaled.sequenceNr(), failure.toString());
      return Optional.empty();
    }
  }

  /**
   * The feed as {@code principal} may see it: the events of the accounts its scope sees (the service manager's and the experts',
   * which hold no one account's, only for an {@code admin} or {@code read} token, as in the audit), each as an SSE event of type
   * {@code journal} whose {@code id} numbers the events of this connection (1, 2, ...: a gap means events were dropped for a slow
   * reader), and a heartbeat every {@link #HEARTBEAT}. It ends when the engine stops.
   */
  public Source<ServerSentEvent, NotUsed> stream(ApiTokens.Principal principal) {
    ApiScope scope = principal.scope();
    return hub.map(journaled -> visible(journaled, scope)).filter(Optional::isPresent).map(Optional::get)
        .map(published -> toJson(auditor, published)).filter(Optional::isPresent).map(Optional::get)
        .zipWithIndex()
        .buffer(BUFFER, OverflowStrategy.dropHead())
        .map(numbered -> ServerSentEvent.create(numbered.first(), "journal", Long.toString(numbered.second() + 1)))
        .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat)
        .via(shutdown.flow());
  }
}
