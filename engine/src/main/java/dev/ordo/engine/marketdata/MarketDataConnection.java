package dev.ordo.engine.marketdata;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.trading.SymbolTrader;
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
import java.util.Random;
import java.util.function.Consumer;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.port.MarketDataStream;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The market-data entry point of one account. It keeps the desired subscription set as data and
 * has two feeds:
 *
 * <ul>
 *   <li><b>The broker's stream</b> ({@link MarketDataStream}), as a state machine
 *       {@code DISCONNECTED -> CONNECTING -> CONNECTED -> BACKOFF -> CONNECTING ...}: the desired
 *       subscriptions are sent on every CONNECTED (a reconnected socket has none); a watchdog
 *       replaces a connection that is open but silent for {@code staleAfter}; failed or dropped
 *       connections are retried after a jittered exponential back-off, capped; a heartbeat is
 *       sent every {@code heartbeatEvery}. State changes are logged once at INFO, at most one INFO
 *       per {@code infoInterval} while flapping (the rest at DEBUG, then summarized); keep-alives
 *       at DEBUG. Frames of a replaced connection are ignored.
 *   <li><b>The replay of bar files</b> ({@link Deliver}): delivers bar events of subscribed
 *       instruments to their {@link SymbolTrader}s and answers once every trader has handled them,
 *       which lets the replay advance in lock-step. Events of one instrument are delivered in
 *       order; instruments run in parallel.
 * </ul>
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

  /** Wants a connection to the broker's stream (from DISCONNECTED; ignored otherwise). */
  public enum Connect implements Command {
    INSTANCE
  }

  /** No longer wants a connection: closes it and stays DISCONNECTED. */
  public enum Disconnect implements Command {
    INSTANCE
  }

  /** Messages of one connection attempt, tagged with its generation; local only. */
  private sealed interface Local extends Command, NoSerializationVerificationNeeded {}

  private record TokenForConnect(long generation, AuthSession.TokenReply reply) implements Local {}

  private record Opened(long generation, MarketDataStream.Connection connection) implements Local {}

  private record OpenFailed(long generation, String reason) implements Local {}

  private record TickArrived(long generation, TradeTick tick) implements Local {}

  private record KeepaliveArrived(long generation) implements Local {}

  private record OrderUpdateArrived(long generation, String venueOrderId) implements Local {}

  private record Closed(long generation, String reason) implements Local {}

  private enum Timer implements Local {
    RETRY,
    WATCHDOG,
    HEARTBEAT,
    UNMUTE_INFO
  }

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
   * @param state           {@code DISCONNECTED}, {@code CONNECTING}, {@code CONNECTED} or {@code BACKOFF}
   * @param subscriptions   the desired subscription set
   * @param eventsDelivered replayed market events delivered since start
   * @param lastEventTime   time of the latest delivered bar, null before the first
   * @param connects        stream connections opened since start
   * @param failures        connection attempts failed, drops and stale connections replaced since start
   * @param ticks           ticks received from the stream since start
   */
  public record Status(AccountId account, String state, List<InstrumentId> subscriptions, long eventsDelivered, OffsetDateTime lastEventTime,
      long connects, long failures, long ticks) implements OrdoSerializable {}

  /**
   * Settings of the stream side.
   *
   * @param staleAfter     a connection with no frame for this long is replaced
   * @param minBackoff     wait after the first failure
   * @param maxBackoff     longest wait between attempts
   * @param jitter         random spread of each wait, 0..1 (0.2: plus or minus 20%)
   * @param heartbeatEvery keep-alive period (Kotak Neo: 29 s)
   * @param infoInterval   at most one INFO line about state changes per interval
   */
  public record StreamSettings(Duration staleAfter, Duration minBackoff, Duration maxBackoff, double jitter, Duration heartbeatEvery,
      Duration infoInterval) {
    public static StreamSettings defaults() {
      return new StreamSettings(Duration.ofSeconds(45), Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, Duration.ofSeconds(29),
          Duration.ofMinutes(1));
    }
  }

  /**
   * The stream side of a connection.
   *
   * @param stream      the broker's stream
   * @param authSession gives the token the stream authenticates with
   * @param ticks       receives every tick of the stream (called from the actor; must not block)
   * @param random      source of the back-off jitter (seeded in tests and soaks)
   * @param reconnected called (from the actor) on every CONNECTED after the first, e.g. to reconcile
   * @param orderUpdated called (from the actor) for every pushed order change, e.g. to fetch the fills
   * @param label        what the stream is, in log lines ({@code Market data}, {@code Order feed})
   */
  public record StreamSide(MarketDataStream stream, ActorRef<AuthSession.Command> authSession, Consumer<TradeTick> ticks, Random random,
      StreamSettings settings, Runnable reconnected, Runnable orderUpdated, String label) {

    /** A market-data side: no order updates. */
    public StreamSide(MarketDataStream stream, ActorRef<AuthSession.Command> authSession, Consumer<TradeTick> ticks, Random random,
        StreamSettings settings, Runnable reconnected) {
      this(stream, authSession, ticks, random, settings, reconnected, () -> {}, "Market data");
    }
  }

  /**
   * @param account    the account whose traders receive the events
   * @param askTimeout how long one trader may take to handle one event
   */
  public static Behavior<Command> create(AccountId account, Duration askTimeout) {
    return create(account, askTimeout, null);
  }

  /** A connection that also runs the broker's stream ({@code streamSide} may be null for replay only). */
  public static Behavior<Command> create(AccountId account, Duration askTimeout, StreamSide streamSide) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Connection(account, askTimeout, streamSide, context, timers).behavior()));
  }

  private enum StreamState {
    DISCONNECTED,
    CONNECTING,
    CONNECTED,
    BACKOFF
  }

  private static final class Connection {
    private final AccountId account;
    private final Duration askTimeout;
    private final StreamSide streamSide;
    private final String label;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private ClusterSharding sharding;
    private Set<InstrumentId> subscriptions = new TreeSet<>();
    private boolean connected;
    private long eventsDelivered;
    private OffsetDateTime lastEventTime;
    // Stream side.
    private StreamState streamState = StreamState.DISCONNECTED;
    private boolean wanted;
    private long generation;
    private MarketDataStream.Connection open;
    private Set<InstrumentId> subscribedOnConnection = new TreeSet<>();
    private int consecutiveFailures;
    private boolean frameSinceCheck;
    private int silentChecks;
    private boolean infoMuted;
    private int mutedChanges;
    private long connects;
    private long failures;
    private long ticks;

    Connection(AccountId account, Duration askTimeout, StreamSide streamSide, ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.account = account;
      this.askTimeout = askTimeout;
      this.streamSide = streamSide;
      this.label = streamSide != null ? streamSide.label() : "Market data";
      this.context = context;
      this.timers = timers;
    }

    /** Sharding is needed only to deliver replayed bars; a stream-only connection runs without a cluster. */
    private ClusterSharding sharding() {
      if (sharding == null) sharding = ClusterSharding.get(context.getSystem());
      return sharding;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, subscribe -> {
            subscriptions = new TreeSet<>(subscribe.instruments());
            context.getLog().info("{} of {}: {} instrument(s) subscribed", label, account, subscriptions.size());
            if (streamState == StreamState.CONNECTED) syncSubscriptions();
            return Behaviors.same();
          })
          .onMessage(Connect.class, connect -> {
            if (streamSide == null) throw new IllegalStateException("market data of " + account + " has no stream to connect");
            wanted = true;
            if (streamState == StreamState.DISCONNECTED) startConnecting();
            return Behaviors.same();
          })
          .onMessage(Disconnect.class, disconnect -> {
            wanted = false;
            timers.cancelAll();
            generation++;
            closeQuietly();
            changeState(StreamState.DISCONNECTED, "disconnect requested");
            return Behaviors.same();
          })
          .onMessage(TokenForConnect.class, this::onToken)
          .onMessage(Opened.class, this::onOpened)
          .onMessage(OpenFailed.class, failed -> {
            if (failed.generation() == generation) failed("connect failed: " + failed.reason());
            return Behaviors.same();
          })
          .onMessage(TickArrived.class, tick -> {
            if (tick.generation() != generation || streamState != StreamState.CONNECTED) return Behaviors.same();
            frameSinceCheck = true;
            ticks++;
            streamSide.ticks().accept(tick.tick());
            return Behaviors.same();
          })
          .onMessage(KeepaliveArrived.class, keepalive -> {
            if (keepalive.generation() != generation) return Behaviors.same();
            frameSinceCheck = true;
            context.getLog().debug("{} of {}: keep-alive", label, account);
            return Behaviors.same();
          })
          .onMessage(OrderUpdateArrived.class, update -> {
            if (update.generation() != generation) return Behaviors.same();
            frameSinceCheck = true;
            context.getLog().debug("{} of {}: order {} changed at the broker", label, account, update.venueOrderId());
            streamSide.orderUpdated().run();
            return Behaviors.same();
          })
          .onMessage(Closed.class, closed -> {
            if (closed.generation() == generation && streamState == StreamState.CONNECTED) failed("connection closed: " + closed.reason());
            return Behaviors.same();
          })
          .onMessage(Timer.class, this::onTimer)
          .onMessage(FeedStateChanged.class, change -> {
            if (change.connected() != connected) {
              connected = change.connected();
              context.getLog().info("{} of {}: {}", label, account, connected ? "CONNECTED" : "DISCONNECTED");
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
            String state = streamSide != null ? streamState.name() : connected ? "CONNECTED" : "DISCONNECTED";
            request.replyTo().tell(new Status(account, state, List.copyOf(subscriptions), eventsDelivered, lastEventTime, connects, failures, ticks));
            return Behaviors.same();
          })
          .build();
    }

    private void startConnecting() {
      long attempt = ++generation;
      changeState(StreamState.CONNECTING, "attempt " + (consecutiveFailures + 1));
      context.ask(AuthSession.TokenReply.class, streamSide.authSession(), streamSide.settings().staleAfter(), AuthSession.GetToken::new,
          (reply, failure) -> new TokenForConnect(attempt,
              failure != null ? new AuthSession.Unavailable("no token: " + failure.getMessage()) : reply));
    }

    private Behavior<Command> onToken(TokenForConnect token) {
      if (token.generation() != generation || streamState != StreamState.CONNECTING) return Behaviors.same();
      if (!(token.reply() instanceof AuthSession.Granted granted)) {
        failed("no session: " + ((AuthSession.Unavailable) token.reply()).reason());
        return Behaviors.same();
      }
      long attempt = token.generation();
      ActorRef<Command> self = context.getSelf();
      MarketDataStream.Listener listener = new MarketDataStream.Listener() {
        @Override
        public void onTick(TradeTick tick) {
          self.tell(new TickArrived(attempt, tick));
        }

        @Override
        public void onKeepalive() {
          self.tell(new KeepaliveArrived(attempt));
        }

        @Override
        public void onOrderUpdate(String venueOrderId) {
          self.tell(new OrderUpdateArrived(attempt, venueOrderId));
        }

        @Override
        public void onClosed(String reason) {
          self.tell(new Closed(attempt, reason));
        }
      };
      CompletionStage<MarketDataStream.Connection> opening;
      try {
        opening = streamSide.stream().connect(granted.token(), listener);
      } catch (RuntimeException e) {
        opening = CompletableFuture.failedFuture(e);
      }
      context.pipeToSelf(opening, (connection, failure) -> failure != null
          ? new OpenFailed(attempt, failure.getClass().getSimpleName() + ": " + failure.getMessage())
          : new Opened(attempt, connection));
      return Behaviors.same();
    }

    private Behavior<Command> onOpened(Opened opened) {
      if (opened.generation() != generation || streamState != StreamState.CONNECTING) {
        try {
          opened.connection().close();
        } catch (RuntimeException e) {
          context.getLog().debug("{} of {}: closing a late connection failed: {}", label, account, e.toString());
        }
        return Behaviors.same();
      }
      open = opened.connection();
      connects++;
      consecutiveFailures = 0;
      subscribedOnConnection = new TreeSet<>();
      changeState(StreamState.CONNECTED, "connection " + connects);
      syncSubscriptions();
      if (connects > 1) streamSide.reconnected().run();
      frameSinceCheck = false;
      silentChecks = 0;
      timers.startTimerWithFixedDelay(Timer.WATCHDOG, streamSide.settings().staleAfter().dividedBy(2));
      timers.startTimerWithFixedDelay(Timer.HEARTBEAT, streamSide.settings().heartbeatEvery());
      return Behaviors.same();
    }

    /** Sends the difference between the desired set and what this connection has subscribed. */
    private void syncSubscriptions() {
      Set<InstrumentId> add = new TreeSet<>(subscriptions);
      add.removeAll(subscribedOnConnection);
      Set<InstrumentId> remove = new TreeSet<>(subscribedOnConnection);
      remove.removeAll(subscriptions);
      try {
        if (!remove.isEmpty()) open.unsubscribe(remove);
        if (!add.isEmpty()) open.subscribe(add);
        subscribedOnConnection = new TreeSet<>(subscriptions);
      } catch (RuntimeException e) {
        failed("subscribing failed: " + e);
      }
    }

    /** Closes the current connection; a connection that fails to close is dropped all the same. */
    private void closeQuietly() {
      MarketDataStream.Connection closing = open;
      open = null;
      if (closing == null) return;
      try {
        closing.close();
      } catch (RuntimeException e) {
        context.getLog().warn("{} of {}: closing the connection failed: {}", label, account, e.toString());
      }
    }

    private Behavior<Command> onTimer(Timer timer) {
      switch (timer) {
        case RETRY -> {
          if (wanted && streamState == StreamState.BACKOFF) startConnecting();
        }
        case WATCHDOG -> {
          if (streamState != StreamState.CONNECTED) return Behaviors.same();
          silentChecks = frameSinceCheck ? 0 : silentChecks + 1;
          frameSinceCheck = false;
          if (silentChecks >= 2) failed("no frame for " + streamSide.settings().staleAfter().toSeconds() + "s (stale)");
        }
        case HEARTBEAT -> {
          if (streamState == StreamState.CONNECTED && open != null) {
            try {
              open.heartbeat();
              context.getLog().debug("{} of {}: heartbeat sent", label, account);
            } catch (RuntimeException e) {
              failed("heartbeat failed: " + e);
            }
          }
        }
        case UNMUTE_INFO -> {
          infoMuted = false;
          if (mutedChanges > 0) {
            context.getLog().info("{} of {}: {} more state change(s) in the last {}s; now {}", label, account, mutedChanges,
                streamSide.settings().infoInterval().toSeconds(), streamState);
            mutedChanges = 0;
            infoMuted = true;
            timers.startSingleTimer(Timer.UNMUTE_INFO, streamSide.settings().infoInterval());
          }
        }
      }
      return Behaviors.same();
    }

    /** The current attempt or connection failed: close it and retry after a back-off. */
    private void failed(String reason) {
      failures++;
      consecutiveFailures++;
      generation++;
      timers.cancel(Timer.WATCHDOG);
      timers.cancel(Timer.HEARTBEAT);
      closeQuietly();
      Duration wait = backoff(consecutiveFailures);
      changeState(StreamState.BACKOFF, reason + "; retry in " + wait.toMillis() + " ms");
      if (wanted) timers.startSingleTimer(Timer.RETRY, wait);
    }

    /** {@code min(max, min * 2^(n-1))}, spread by plus or minus {@code jitter}. */
    private Duration backoff(int failures) {
      StreamSettings settings = streamSide.settings();
      double base = settings.minBackoff().toMillis() * Math.pow(2, Math.min(failures - 1, 30));
      double capped = Math.min(base, settings.maxBackoff().toMillis());
      double spread = 1 + settings.jitter() * (2 * streamSide.random().nextDouble() - 1);
      return Duration.ofMillis(Math.max(1, Math.round(capped * spread)));
    }

    private void changeState(StreamState next, String why) {
      if (next == streamState) return;
      streamState = next;
      if (infoMuted) {
        mutedChanges++;
        context.getLog().debug("{} of {}: {} ({})", label, account, next, why);
        return;
      }
      context.getLog().info("{} of {}: {} ({})", label, account, next, why);
      infoMuted = true;
      timers.startSingleTimer(Timer.UNMUTE_INFO, streamSide.settings().infoInterval());
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
      return sharding().entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument)).ask(replyTo -> {
        if (event instanceof BarOpen open) return new SymbolTrader.OpenBar(open.tsOpen(), replyTo);
        if (event instanceof BarClose close) return new SymbolTrader.CloseBar(close.bar(), replyTo);
        return new SymbolTrader.EndSession(((SessionEnd) event).session(), replyTo);
      }, askTimeout);
    }
  }
}
