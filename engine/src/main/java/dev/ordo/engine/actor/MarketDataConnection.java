package dev.ordo.engine.actor;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The market-data entry point of one account: it keeps the desired subscription set and
 * delivers market events of subscribed instruments to their {@link SymbolTrader}s. Fed by the
 * replay of bar files (a feed that cannot drop), it answers a {@link Deliver} once every trader
 * has handled its events, which lets the replay advance in lock-step. Events of one instrument
 * are delivered in order; instruments run in parallel.
 */
public final class MarketDataConnection {

  private MarketDataConnection() {}

  /** Protocol of the connection. */
  public sealed interface Command extends OrdoSerializable {}

  /** Replaces the desired subscription set. */
  public record Subscribe(Set<InstrumentId> instruments) implements Command {}

  /** The feed is up ({@code true}) or down. */
  public record FeedStateChanged(boolean connected) implements Command {}

  /** Delivers {@code events} (in order per instrument); answered when all were handled. */
  public record Deliver(List<MarketEvent> events, ActorRef<Delivery> replyTo) implements Command {}

  /** Asks for the connection's status. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  private record Delivered(ActorRef<Delivery> replyTo, int count, OffsetDateTime latest, String failure) implements Command {}

  /** A market event for one instrument. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = BarOpen.class, name = "BarOpen"),
    @JsonSubTypes.Type(value = BarClose.class, name = "BarClose"),
    @JsonSubTypes.Type(value = SessionEnd.class, name = "SessionEnd")
  })
  public sealed interface MarketEvent extends OrdoSerializable {
    InstrumentId instrumentId();
  }

  /** A bar of {@code instrumentId} opens at {@code tsOpen}. */
  public record BarOpen(InstrumentId instrumentId, OffsetDateTime tsOpen) implements MarketEvent {}

  /** A bar completed. */
  public record BarClose(Bar bar) implements MarketEvent {
    @Override
    public InstrumentId instrumentId() {
      return bar.instrumentId();
    }
  }

  /** The session of local date {@code session} of {@code instrumentId} is over. */
  public record SessionEnd(InstrumentId instrumentId, LocalDate session) implements MarketEvent {}

  /** Answer to {@link Deliver}. */
  public sealed interface Delivery extends OrdoSerializable {}

  /** All events were handled. */
  public record DeliveryDone(int events) implements Delivery {}

  /** Some event was not handled in time; {@code reason} says which. */
  public record DeliveryFailed(String reason) implements Delivery {}

  /**
   * Status of the connection.
   *
   * @param state           {@code CONNECTED} or {@code DISCONNECTED}
   * @param subscriptions   the desired subscription set
   * @param eventsDelivered market events delivered since start
   * @param lastEventTime   time of the latest delivered bar, null before the first
   */
  public record Status(AccountId account, String state, List<InstrumentId> subscriptions, long eventsDelivered, OffsetDateTime lastEventTime)
      implements OrdoSerializable {}

  /**
   * @param account    the account whose traders receive the events
   * @param askTimeout how long one trader may take to handle one event
   */
  public static Behavior<Command> create(AccountId account, Duration askTimeout) {
    return Behaviors.setup(context -> new Connection(account, askTimeout, context).behavior());
  }

  private static final class Connection {
    private final AccountId account;
    private final Duration askTimeout;
    private final ActorContext<Command> context;
    private final ClusterSharding sharding;
    private Set<InstrumentId> subscriptions = new TreeSet<>();
    private boolean connected;
    private long eventsDelivered;
    private OffsetDateTime lastEventTime;

    Connection(AccountId account, Duration askTimeout, ActorContext<Command> context) {
      this.account = account;
      this.askTimeout = askTimeout;
      this.context = context;
      this.sharding = ClusterSharding.get(context.getSystem());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, subscribe -> {
            subscriptions = new TreeSet<>(subscribe.instruments());
            context.getLog().info("Market data of {}: {} instrument(s) subscribed", account, subscriptions.size());
            return Behaviors.same();
          })
          .onMessage(FeedStateChanged.class, change -> {
            if (change.connected() != connected) {
              connected = change.connected();
              context.getLog().info("Market data of {}: {}", account, connected ? "CONNECTED" : "DISCONNECTED");
            }
            return Behaviors.same();
          })
          .onMessage(Deliver.class, this::onDeliver)
          .onMessage(Delivered.class, delivered -> {
            eventsDelivered += delivered.count();
            if (delivered.latest() != null && (lastEventTime == null || delivered.latest().isAfter(lastEventTime)))
              lastEventTime = delivered.latest();
            delivered.replyTo().tell(delivered.failure() == null ? new DeliveryDone(delivered.count()) : new DeliveryFailed(delivered.failure()));
            return Behaviors.same();
          })
          .onMessage(GetStatus.class, request -> {
            request.replyTo().tell(new Status(account, connected ? "CONNECTED" : "DISCONNECTED", List.copyOf(subscriptions), eventsDelivered,
                lastEventTime));
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> onDeliver(Deliver deliver) {
      Map<InstrumentId, List<MarketEvent>> byInstrument = new LinkedHashMap<>();
      OffsetDateTime latest = null;
      for (MarketEvent event : deliver.events()) {
        if (!subscriptions.contains(event.instrumentId())) continue;
        byInstrument.computeIfAbsent(event.instrumentId(), id -> new ArrayList<>()).add(event);
        if (event instanceof BarClose close && (latest == null || close.bar().tsOpen().isAfter(latest))) latest = close.bar().tsOpen();
      }
      List<CompletableFuture<Done>> deliveries = new ArrayList<>(byInstrument.size());
      int count = 0;
      for (Map.Entry<InstrumentId, List<MarketEvent>> entry : byInstrument.entrySet()) {
        CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
        for (MarketEvent event : entry.getValue()) {
          chain = chain.thenCompose(done -> deliver(entry.getKey(), event));
          count++;
        }
        deliveries.add(chain.toCompletableFuture());
      }
      int delivered = count;
      OffsetDateTime latestTime = latest;
      context.pipeToSelf(CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)), (ok, failure) ->
          new Delivered(deliver.replyTo(), delivered, latestTime, failure == null ? null : "market event not handled: " + failure.getMessage()));
      return Behaviors.same();
    }

    private CompletionStage<Done> deliver(InstrumentId instrument, MarketEvent event) {
      return sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument)).ask(replyTo -> {
        if (event instanceof BarOpen open) return new SymbolTrader.OpenBar(open.tsOpen(), replyTo);
        if (event instanceof BarClose close) return new SymbolTrader.CloseBar(close.bar(), replyTo);
        return new SymbolTrader.EndSession(((SessionEnd) event).session(), replyTo);
      }, askTimeout);
    }
  }
}
