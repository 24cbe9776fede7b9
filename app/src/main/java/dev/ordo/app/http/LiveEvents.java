package dev.ordo.app.http;

import dev.ordo.app.api.BarsView;
import dev.ordo.app.api.LiveBarView;
import dev.ordo.app.api.LiveEventView;
import dev.ordo.app.audit.AuditInput;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.engine.marketdata.BarCompleted;
import dev.ordo.persistence.JournalReader;
import dev.ordo.persistence.JournalWrites;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * The live feed of the dashboard, pushed to each client as Server-Sent Events and filtered by its token's scope: every event the
 * journal commits ({@link JournalWrites.EventListener}) as {@link LiveEventView} JSON (type {@code journal}), every bar a symbol
 * trader received ({@link BarCompleted} from the event stream: most are not journaled) as {@link LiveBarView} JSON (type
 * {@code bar}; the bars are published only while a client is connected: {@link BarCompleted#WATCHERS}), and the status ({@code GET /status}'s JSON, type {@code status}) when the client connects and every
 * {@link #STATUS_EVERY} (heartbeats and feed states are not journaled). Neither the journal nor the bars' senders are held up: the
 * DAO's callback and the bars' subscriber offer to a bounded queue and return (what finds the queue full is dropped and counted);
 * one stream broadcasts them; each client keeps those of the accounts its scope sees and turns them into JSON (nothing is
 * serialized while no client listens: a replay journals thousands of events and applies thousands of bars a second); each has its
 * own bounded buffer that drops its oldest events when the client reads too slowly; the events and bars a client is sent are
 * numbered (the SSE {@code id}: 1, 2, ... per connection) before that buffer, so a client that lost some sees the gap and reads the
 * state again. The status is computed per client at each tick, a tick that finds the previous one still under way is skipped.
 */
public final class LiveEvents {

  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

  /** Events waiting to be turned into JSON, and each client's buffer. */
  static final int BUFFER = 1024;
  /** A comment line this often keeps an idle connection open (and lets a client notice a dead one). */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);
  /** How often each client is sent the status. */
  static final Duration STATUS_EVERY = Duration.ofSeconds(3);

  /** What the feed broadcasts: a journaled event or a bar. */
  private sealed interface Item {}

  private record Journaled(String persistenceId, long sequenceNr, long timestamp, Object event) implements Item {}

  private record Completed(BarCompleted completed) implements Item {}

  /** One journaled event a client sees, with its entity. */
  private record Published(AuditedEntity entity, Journaled journaled) {}

  /** One SSE event for a client: its type and JSON. */
  private record Shown(String type, String json) {}

  /** A client's stream started or ended. */
  private enum Client { CONNECTED, GONE }

  private final Source<Item, NotUsed> hub;
  private final SharedKillSwitch shutdown;
  private final Auditor auditor;
  private final ActorRef<Client> clients;

  private LiveEvents(Source<Item, NotUsed> hub, SharedKillSwitch shutdown, Auditor auditor, ActorRef<Client> clients) {
    this.hub = hub;
    this.clients = clients;
    this.shutdown = shutdown;
    this.auditor = auditor;
  }

  /**
   * Starts the feed of {@code system}'s journal and bars: from now on every committed event of an entity Ordo knows and every
   * {@link BarCompleted} is broadcast. The streams end at the system's coordinated shutdown, before the HTTP server unbinds, so an
   * open client does not hold it up.
   */
  public static LiveEvents start(ActorSystem<?> system) {
    Auditor auditor = new Auditor(system, AuditInput.strategies(system.settings().config()));
    SharedKillSwitch shutdown = KillSwitches.shared("live-events");
    Pair<BoundedSourceQueue<Item>, Source<Item, NotUsed>> queueAndHub = Source.<Item>queue(BUFFER)
        .via(shutdown.flow())
        .toMat(BroadcastHub.of(Item.class, 256), Keep.both())
        .run(system);
    // A consumer that is always there, so the hub moves on while no client listens (it would otherwise hold the events back)
    queueAndHub.second().runWith(Sink.ignore(), system);
    BoundedSourceQueue<Item> queue = queueAndHub.first();
    // the DAO calls from the plugin's threads, several at once, the bars' subscriber from its own: the count of dropped items is
    // the one shared value here
    LongAdder dropped = new LongAdder();
    java.util.function.Consumer<Item> offer = item -> {
      if (queue.offer(item).isEnqueued() == false) {
        dropped.increment();
        if (dropped.sum() % 10_000 == 1)
          log.warn("live feed: {} journaled event(s) or bar(s) not pushed to dashboard clients (the feed was behind); the journal and the bar files have them",
              dropped.sum());
      }
    };
    JournalWrites.get(system).listenToEvents((persistenceId, sequenceNr, timestamp, event) ->
        offer.accept(new Journaled(persistenceId, sequenceNr, timestamp, event)));
    ActorRef<BarCompleted> bars = system.systemActorOf(Behaviors.receiveMessage(completed -> {
      offer.accept(new Completed(completed));
      return Behaviors.same();
    }), "live-events-bars", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(BarCompleted.class, bars));
    ActorRef<Client> clients = system.systemActorOf(watching(bars, 0), "live-events-clients", Props.empty());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "end-live-events", () -> {
      JournalWrites.get(system).listenToEvents(null);
      system.eventStream().tell(new EventStream.Unsubscribe<>(bars));
      shutdown.shutdown();
      return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    });
    return new LiveEvents(queueAndHub.second(), shutdown, auditor, clients);
  }

  /**
   * Counts the connected clients: while there is one, {@code bars} is registered as a {@link BarCompleted#WATCHERS}, so the bar
   * deliveries publish their bars (they cost a replay at full speed a visible share of its time when published for no one).
   */
  private static Behavior<Client> watching(ActorRef<BarCompleted> bars, int connected) {
    return Behaviors.receive((context, change) -> {
      int now = change == Client.CONNECTED ? connected + 1 : Math.max(0, connected - 1);
      if (connected == 0 && now == 1) context.getSystem().receptionist().tell(Receptionist.register(BarCompleted.WATCHERS, bars));
      if (connected == 1 && now == 0) context.getSystem().receptionist().tell(Receptionist.deregister(BarCompleted.WATCHERS, bars));
      return watching(bars, now);
    });
  }

  /** The item as {@code scope} may see it, as JSON: a journaled event of an entity Ordo knows, or a bar; else empty. */
  private static Optional<Shown> shown(Auditor auditor, Item item, ApiScope scope) {
    if (item instanceof Completed bar) {
      if (!scope.seesAccount(bar.completed().account())) return Optional.empty();
      return json("bar", new LiveBarView(bar.completed().account().value(), bar.completed().instrument().toString(),
          BarsView.BarView.of(bar.completed().bar(), null)), bar.completed());
    }
    Journaled journaled = (Journaled) item;
    return AuditedEntity.ofPersistenceId(journaled.persistenceId()).filter(entity -> scope.seesJournalOf(entity.account()))
        .flatMap(entity -> toJson(auditor, new Published(entity, journaled)));
  }

  /** {@code view} as an SSE event of {@code type}; empty (logged, naming {@code what}) when it cannot be written. */
  private static Optional<Shown> json(String type, Object view, Object what) {
    try {
      return Optional.of(new Shown(type, Json.mapper().writeValueAsString(view)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException failure) {
      log.warn("live feed: {} not pushed: {}", what, failure.toString());
      return Optional.empty();
    }
  }

  /** The event as the audit shows it ({@link LiveEventView} JSON); empty (logged) when it cannot be shown. */
  private static Optional<Shown> toJson(Auditor auditor, Published published) {
    AuditedEntity e = published.entity();
    Journaled journaled = published.journaled();
    try {
      Auditor.EventView view = auditor.view(e,
          new JournalReader.Entry(journaled.persistenceId(), journaled.sequenceNr(), Instant.ofEpochMilli(journaled.timestamp()), journaled.event()));
      LiveEventView live = new LiveEventView(e.type().auditName(), e.id(), e.account() == null ? null : e.account().value(),
          e.instrument() == null ? null : e.instrument().toString(), view.sequenceNr(), view.time(), view.journaledAt(), view.type(), view.payload());
      return Optional.of(new Shown("journal", Json.mapper().writeValueAsString(live)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException failure) {
      log.warn("live feed: event {} #{} not pushed: {}", journaled.persistenceId(), journaled.sequenceNr(), failure.toString());
      return Optional.empty();
    }
  }

  /**
   * The feed as {@code principal} may see it: the events of the accounts its scope sees (the service manager's and the experts',
   * which hold no one account's, only for an {@code admin} or {@code read} token, as in the audit), each as an SSE event of type
   * {@code journal}, and the bars of those accounts, type {@code bar}, numbered together by the {@code id} of this connection (1,
   * 2, ...: a gap means some were dropped for a slow reader); {@code status} (the view {@code GET /status} answers this principal)
   * as an SSE event of type {@code status}, without an id, at once and every {@link #STATUS_EVERY} (a status that fails is skipped);
   * and a heartbeat every {@link #HEARTBEAT}. It ends when the engine stops.
   */
  public Source<ServerSentEvent, NotUsed> stream(ApiTokens.Principal principal, Supplier<CompletionStage<?>> status) {
    ApiScope scope = principal.scope();
    Source<ServerSentEvent, NotUsed> numbered = hub.map(item -> shown(auditor, item, scope)).filter(Optional::isPresent).map(Optional::get)
        .zipWithIndex()
        .buffer(BUFFER, OverflowStrategy.dropHead())
        .map(n -> ServerSentEvent.create(n.first().json(), n.first().type(), Long.toString(n.second() + 1)));
    // a tick that comes while the previous status is still computed or not yet sent is dropped by the tick source
    Source<ServerSentEvent, NotUsed> statuses = Source.tick(Duration.ZERO, STATUS_EVERY, Done.getInstance())
        .mapMaterializedValue(cancellable -> NotUsed.getInstance())
        .mapAsync(1, tick -> status.get().thenApply(view -> json("status", view, "the status"))
            .exceptionally(failure -> {
              log.warn("live feed: the status not pushed to {}: {}", principal.subject(), failure.toString());
              return Optional.empty();
            }))
        .filter(Optional::isPresent).map(Optional::get)
        .map(shown -> ServerSentEvent.create(shown.json(), shown.type()));
    return numbered.merge(statuses)
        .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat)
        .via(shutdown.flow())
        .watchTermination((notUsed, done) -> {
          clients.tell(Client.CONNECTED);
          done.whenComplete((ended, failure) -> clients.tell(Client.GONE));
          return notUsed;
        });
  }
}
