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
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Delivers replayed market events of one account to its {@link SymbolTrader}s, for instruments in
 * its subscription set, and answers once every trader has handled them; the {@link ReplayDriver}
 * advances only then, which makes the replay lock-step. The events of one instrument go one after
 * the other (each waits for the trader's answer to the previous one); instruments run in parallel.
 * Deliveries run one at a time, in the order they came. Each bar a trader handled is published on the
 * event stream as {@link BarCompleted} while someone watches ({@link BarCompleted#WATCHERS}). Live
 * bars do not pass here: {@link BarBuilder} sends them to the traders itself.
 *
 * <p>Events are told, not asked: each instrument has a child actor that its trader answers and
 * that reports {@code Answered(instrument)}, and one timer watches the whole delivery (an ask per
 * event cost a temporary actor, a scheduled timeout and a future chain: a third of the replay).
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
   * {@link DeliveryDone} when every trader handled its events, {@link DeliveryFailed} when they did
   * not within the ask timeout (times the most events of one instrument); the failure names the
   * traders still owing an answer, and their late answers are ignored.
   */
  public record Deliver(List<MarketEvent> events, ActorRef<Delivery> replyTo) implements Command {}

  /** Asks for the delivery's {@link Status}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** The trader of {@code instrument} answered the event it was sent. */
  private record Answered(InstrumentId instrument) implements Command {}

  /** Whether someone watches the bars ({@link BarCompleted#WATCHERS}): only then are they published. */
  private record WatchersChanged(boolean watched) implements Command {}

  /** The round {@code round} did not finish in time. */
  private record RoundLate(long round) implements Command {}

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
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.subscribe(BarCompleted.WATCHERS,
          context.messageAdapter(Receptionist.Listing.class, listing -> new WatchersChanged(BarCompleted.watched(listing)))));
      return Behaviors.withTimers(timers -> new Deliveries(account, askTimeout, context, timers).behavior());
    });
  }

  private static final class Deliveries {
    private final AccountId account;
    private final Duration askTimeout;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private ClusterSharding sharding;
    private Set<InstrumentId> subscriptions = new TreeSet<>();
    private boolean feedConnected;
    private long eventsDelivered;
    private OffsetDateTime latestEventTime;
    /** Per instrument: its trader's sharding reference and the child that turns the trader's answers into {@link Answered}. */
    private final Map<InstrumentId, Link> links = new HashMap<>();
    /** Deliveries waiting for the running one to finish. */
    private final ArrayDeque<Deliver> waiting = new ArrayDeque<>();
    /** The delivery being run, null when none. */
    private Round round;
    private long rounds;
    /** Whether a bar watcher is registered: bars are published only then. */
    private boolean watched;

    private record Link(EntityRef<SymbolTrader.Command> trader, ActorRef<Done> answers) {}

    /** One {@link Deliver} under way: per instrument the events not sent yet; instruments in {@code awaiting} have one at their trader. */
    private static final class Round {
      final long id;
      final ActorRef<Delivery> replyTo;
      final Map<InstrumentId, ArrayDeque<MarketEvent>> unsent;
      final Map<InstrumentId, MarketEvent> awaiting = new HashMap<>();
      final int count;
      final OffsetDateTime latest;

      Round(long id, ActorRef<Delivery> replyTo, Map<InstrumentId, ArrayDeque<MarketEvent>> unsent, int count, OffsetDateTime latest) {
        this.id = id;
        this.replyTo = replyTo;
        this.unsent = unsent;
        this.count = count;
        this.latest = latest;
      }
    }

    Deliveries(AccountId account, Duration askTimeout, ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.account = account;
      this.askTimeout = askTimeout;
      this.context = context;
      this.timers = timers;
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
          .onMessage(Deliver.class, deliver -> {
            waiting.add(deliver);
            if (round == null) startNext();
            return Behaviors.same();
          })
          .onMessage(WatchersChanged.class, changed -> {
            watched = changed.watched();
            return Behaviors.same();
          })
          .onMessage(Answered.class, this::onAnswered)
          .onMessage(RoundLate.class, this::onRoundLate)
          .onMessage(GetStatus.class, request -> {
            request.replyTo().tell(new Status(account, feedConnected, List.copyOf(subscriptions), eventsDelivered, latestEventTime));
            return Behaviors.same();
          })
          .build();
    }

    /** Starts the next waiting delivery: the first event of each instrument goes to its trader at once. */
    private void startNext() {
      while (round == null && !waiting.isEmpty()) {
        Deliver deliver = waiting.poll();
        Map<InstrumentId, ArrayDeque<MarketEvent>> byInstrument = new LinkedHashMap<>();
        OffsetDateTime latest = null;
        int count = 0;
        int longest = 0;
        for (MarketEvent event : deliver.events()) {
          if (!subscriptions.contains(event.instrumentId())) continue;
          ArrayDeque<MarketEvent> queue = byInstrument.computeIfAbsent(event.instrumentId(), id -> new ArrayDeque<>());
          queue.add(event);
          longest = Math.max(longest, queue.size());
          count++;
          if (event instanceof BarClose close && (latest == null || close.bar().tsOpen().isAfter(latest))) latest = close.bar().tsOpen();
        }
        if (count == 0) {
          deliver.replyTo().tell(new DeliveryDone(0));
          continue;
        }
        round = new Round(++rounds, deliver.replyTo(), byInstrument, count, latest);
        timers.startSingleTimer(RoundLate.class, new RoundLate(round.id), askTimeout.multipliedBy(longest));
        for (InstrumentId instrument : byInstrument.keySet()) sendNext(instrument);
      }
    }

    private void sendNext(InstrumentId instrument) {
      MarketEvent event = round.unsent.get(instrument).poll();
      if (event == null) {
        round.awaiting.remove(instrument);
        return;
      }
      round.awaiting.put(instrument, event);
      Link link = links.computeIfAbsent(instrument, this::link);
      link.trader().tell(event.traderCommand(link.answers()));
    }

    private Link link(InstrumentId instrument) {
      EntityRef<SymbolTrader.Command> trader = sharding().entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument));
      ActorRef<Command> self = context.getSelf();
      ActorRef<Done> answers = context.spawnAnonymous(Behaviors.<Done>receiveMessage(done -> {
        self.tell(new Answered(instrument));
        return Behaviors.same();
      }));
      return new Link(trader, answers);
    }

    private Behavior<Command> onAnswered(Answered answered) {
      // An answer after its round failed (or a duplicate) is ignored.
      if (round == null || !round.awaiting.containsKey(answered.instrument())) return Behaviors.same();
      if (watched && round.awaiting.get(answered.instrument()) instanceof BarClose close)
        context.getSystem().eventStream().tell(new EventStream.Publish<>(new BarCompleted(account, close.bar())));
      sendNext(answered.instrument());
      if (!round.awaiting.isEmpty()) return Behaviors.same();
      timers.cancel(RoundLate.class);
      eventsDelivered += round.count;
      if (round.latest != null && (latestEventTime == null || round.latest.isAfter(latestEventTime))) latestEventTime = round.latest;
      round.replyTo.tell(new DeliveryDone(round.count));
      round = null;
      startNext();
      return Behaviors.same();
    }

    private Behavior<Command> onRoundLate(RoundLate late) {
      if (round == null || round.id != late.round()) return Behaviors.same();
      StringBuilder who = new StringBuilder();
      round.awaiting.forEach((instrument, event) -> who.append(who.length() == 0 ? "" : ", ")
          .append(SymbolTrader.entityId(account, instrument)).append(" did not answer ").append(event));
      round.replyTo.tell(new DeliveryFailed("market event not handled: " + who + " within " + askTimeout));
      round = null;
      startNext();
      return Behaviors.same();
    }
  }
}
