package dev.ordo.engine.marketdata;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.SymbolTrader;
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
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Delivers replayed market events of one account to its {@link SymbolTrader}s, for instruments in
 * its subscription set, and answers once every trader has handled them; the {@link ReplayDriver}
 * advances only then, which makes the replay lock-step. The events of one instrument go one after
 * the other (each waits for the trader's answer to the previous one); instruments run in parallel.
 * Live bars do not pass here: {@link BarBuilder} sends them to the traders itself.
 */
public final class BarDelivery {

  private BarDelivery() {}

  /** Protocol of the delivery. */
  public sealed interface Command extends OrdoSerializable {}

  /** Replaces the subscription set: events of other instruments are dropped. */
  public record Subscribe(Set<InstrumentId> instruments) implements Command {}

  /** The replay feed started ({@code true}) or ended ({@code false}); shown in the status. */
  public record FeedStateChanged(boolean connected) implements Command {}

  /**
   * Delivers {@code events} (in order per instrument) of subscribed instruments; answered
   * {@link DeliveryDone} when every trader handled its events, {@link DeliveryFailed} when one did
   * not answer within the ask timeout.
   */
  public record Deliver(List<MarketEvent> events, ActorRef<Delivery> replyTo) implements Command {}

  /** Asks for the delivery's {@link Status}. */
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

    /**
     * The command that has the instrument's trader handle this event; the trader answers {@code replyTo} when done. Bars are
     * marked replayed: the replay re-delivers those after a trader's last journaled one when it resumes.
     */
    SymbolTrader.Command traderCommand(ActorRef<Done> replyTo);
  }

  /** A bar of {@code instrumentId} opens at {@code tsOpen}. */
  public record BarOpen(InstrumentId instrumentId, OffsetDateTime tsOpen) implements MarketEvent {
    @Override
    public SymbolTrader.Command traderCommand(ActorRef<Done> replyTo) {
      return new SymbolTrader.OpenBar(tsOpen, replyTo, true);
    }
  }

  /** A bar completed. */
  public record BarClose(Bar bar) implements MarketEvent {
    @Override
    public InstrumentId instrumentId() {
      return bar.instrumentId();
    }

    @Override
    public SymbolTrader.Command traderCommand(ActorRef<Done> replyTo) {
      return new SymbolTrader.CloseBar(bar, replyTo, true);
    }
  }

  /** The session of local date {@code session} of {@code instrumentId} is over. */
  public record SessionEnd(InstrumentId instrumentId, LocalDate session) implements MarketEvent {
    @Override
    public SymbolTrader.Command traderCommand(ActorRef<Done> replyTo) {
      return new SymbolTrader.EndSession(session, replyTo);
    }
  }

  /** Answer to {@link Deliver}. */
  public sealed interface Delivery extends OrdoSerializable {}

  /** All {@code events} (of subscribed instruments) were handled. */
  public record DeliveryDone(int events) implements Delivery {}

  /** Some event was not handled in time; {@code reason} says which. */
  public record DeliveryFailed(String reason) implements Delivery {}

  /**
   * Status of the delivery.
   *
   * @param feedConnected   the replay feed runs (between {@code FeedStateChanged(true)} and {@code (false)})
   * @param subscriptions   the subscription set, sorted
   * @param eventsDelivered market events handled by the traders since start
   * @param lastEventTime   open time of the latest bar closed ({@link BarClose}), null before the first
   */
  public record Status(AccountId account, boolean feedConnected, List<InstrumentId> subscriptions, long eventsDelivered,
      OffsetDateTime lastEventTime) implements OrdoSerializable {}

  /**
   * @param account    the account whose traders receive the events
   * @param askTimeout how long one trader may take to handle one event
   */
  public static Behavior<Command> create(AccountId account, Duration askTimeout) {
    return Behaviors.setup(context -> new Deliveries(account, askTimeout, context).behavior());
  }

  private static final class Deliveries {
    private final AccountId account;
    private final Duration askTimeout;
    private final ActorContext<Command> context;
    private ClusterSharding sharding;
    private Set<InstrumentId> subscriptions = new TreeSet<>();
    private boolean feedConnected;
    private long eventsDelivered;
    private OffsetDateTime lastEventTime;

    Deliveries(AccountId account, Duration askTimeout, ActorContext<Command> context) {
      this.account = account;
      this.askTimeout = askTimeout;
      this.context = context;
    }

    /** Sharding is looked up at the first delivery, so the actor starts (and answers its status) without a cluster. */
    private ClusterSharding sharding() {
      if (sharding == null) sharding = ClusterSharding.get(context.getSystem());
      return sharding;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, subscribe -> {
            subscriptions = new TreeSet<>(subscribe.instruments());
            context.getLog().info("Bar delivery of {}: {} instrument(s) subscribed", account, subscriptions.size());
            return Behaviors.same();
          })
          .onMessage(FeedStateChanged.class, change -> {
            if (change.connected() != feedConnected) {
              feedConnected = change.connected();
              context.getLog().info("Bar delivery of {}: replay feed {}", account, feedConnected ? "CONNECTED" : "DISCONNECTED");
            }
            return Behaviors.same();
          })
          .onMessage(Deliver.class, this::onDeliver)
          .onMessage(Delivered.class, delivered -> {
            if (delivered.failure() != null) {
              delivered.replyTo().tell(new DeliveryFailed(delivered.failure()));
              return Behaviors.same();
            }
            eventsDelivered += delivered.count();
            if (delivered.latest() != null && (lastEventTime == null || delivered.latest().isAfter(lastEventTime)))
              lastEventTime = delivered.latest();
            delivered.replyTo().tell(new DeliveryDone(delivered.count()));
            return Behaviors.same();
          })
          .onMessage(GetStatus.class, request -> {
            request.replyTo().tell(new Status(account, feedConnected, List.copyOf(subscriptions), eventsDelivered, lastEventTime));
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
      List<CompletableFuture<Done>> chains = new ArrayList<>(byInstrument.size());
      int count = 0;
      for (Map.Entry<InstrumentId, List<MarketEvent>> entry : byInstrument.entrySet()) {
        EntityRef<SymbolTrader.Command> trader = sharding().entityRefFor(SymbolTrader.ENTITY_TYPE_KEY,
            SymbolTrader.entityId(account, entry.getKey()));
        CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
        for (MarketEvent event : entry.getValue()) {
          chain = chain.thenCompose(done -> trader.ask(event::traderCommand, askTimeout));
          count++;
        }
        chains.add(chain.toCompletableFuture());
      }
      int delivered = count;
      OffsetDateTime latestTime = latest;
      context.pipeToSelf(CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)), (ok, failure) ->
          new Delivered(deliver.replyTo(), delivered, latestTime, failure == null ? null : "market event not handled: " + failure.getMessage()));
      return Behaviors.same();
    }
  }
}
