package dev.ordo.engine.marketdata;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The connection of one account to a broker's push stream ({@link MarketDataStream}): the
 * market-data WebSocket, or the order-update feed. It keeps the desired subscription set as data
 * and runs the state machine {@link State} {@code DISCONNECTED -> CONNECTING -> CONNECTED -> BACKOFF
 * -> CONNECTING ...}: the desired subscriptions are sent on every CONNECTED (a reconnected socket
 * has none); a watchdog replaces a connection that is open but silent for {@code staleAfter};
 * failed or dropped connections are retried after a jittered exponential back-off, capped; a
 * heartbeat is sent every {@code heartbeatEvery}. State changes are logged once at INFO, at most
 * one INFO per {@code infoInterval} while flapping (the rest at DEBUG, then summarized);
 * keep-alives at DEBUG. Frames of a replaced connection are ignored. Replayed bars do not pass
 * here ({@link BarDelivery}).
 */
public final class MarketDataConnection {

  private MarketDataConnection() {}

  /** Protocol of the connection. */
  public sealed interface Command extends OrdoSerializable {}

  /** Replaces the desired subscription set. */
  public record Subscribe(Set<InstrumentId> instruments) implements Command {}

  /** Asks for the connection's status. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

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

  /** State of the connection to the stream. */
  public enum State {
    /** Not wanted (before {@link Connect}, after {@link Disconnect}). */
    DISCONNECTED,
    /** Getting a token and opening the socket. */
    CONNECTING,
    /** Open and subscribed. */
    CONNECTED,
    /** The last attempt or connection failed; waiting for the next attempt. */
    BACKOFF
  }

  /**
   * Status of the connection.
   *
   * @param state         the state machine's state
   * @param subscriptions the desired subscription set, sorted
   * @param connects      stream connections opened since start
   * @param failures      connection attempts failed, drops and stale connections replaced since start
   * @param ticks         ticks received from the stream since start
   */
  public record Status(AccountId account, State state, List<InstrumentId> subscriptions, long connects, long failures, long ticks)
      implements OrdoSerializable {}

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
   * A connection of {@code account} to {@code streamSide}'s stream, DISCONNECTED until {@link Connect}.
   *
   * @throws NullPointerException when {@code streamSide} is null
   */
  public static Behavior<Command> create(AccountId account, StreamSide streamSide) {
    Objects.requireNonNull(streamSide, "streamSide");
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Connection(account, streamSide, context, timers).behavior()));
  }

  private static final class Connection {
    private final AccountId account;
    private final StreamSide streamSide;
    private final String label;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private Set<InstrumentId> subscriptions = new TreeSet<>();
    private State streamState = State.DISCONNECTED;
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

    Connection(AccountId account, StreamSide streamSide, ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.account = account;
      this.streamSide = streamSide;
      this.label = streamSide.label();
      this.context = context;
      this.timers = timers;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, subscribe -> {
            subscriptions = new TreeSet<>(subscribe.instruments());
            context.getLog().info("{} of {}: {} instrument(s) subscribed", label, account, subscriptions.size());
            if (streamState == State.CONNECTED) syncSubscriptions();
            return Behaviors.same();
          })
          .onMessage(Connect.class, connect -> {
            wanted = true;
            if (streamState == State.DISCONNECTED) startConnecting();
            return Behaviors.same();
          })
          .onMessage(Disconnect.class, disconnect -> {
            wanted = false;
            timers.cancelAll();
            generation++;
            closeQuietly();
            changeState(State.DISCONNECTED, "disconnect requested");
            return Behaviors.same();
          })
          .onMessage(TokenForConnect.class, this::onToken)
          .onMessage(Opened.class, this::onOpened)
          .onMessage(OpenFailed.class, failed -> {
            if (failed.generation() == generation) failed("connect failed: " + failed.reason());
            return Behaviors.same();
          })
          .onMessage(TickArrived.class, tick -> {
            if (tick.generation() != generation || streamState != State.CONNECTED) return Behaviors.same();
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
            if (closed.generation() == generation && streamState == State.CONNECTED) failed("connection closed: " + closed.reason());
            return Behaviors.same();
          })
          .onMessage(Timer.class, this::onTimer)
          .onMessage(GetStatus.class, request -> {
            request.replyTo().tell(new Status(account, streamState, List.copyOf(subscriptions), connects, failures, ticks));
            return Behaviors.same();
          })
          // stopped with its service (a stop, a hand-over to another cluster node): the socket goes with it
          .onSignal(org.apache.pekko.actor.typed.PostStop.class, stopped -> {
            closeQuietly();
            return Behaviors.same();
          })
          .build();
    }

    private void startConnecting() {
      long attempt = ++generation;
      changeState(State.CONNECTING, "attempt " + (consecutiveFailures + 1));
      context.ask(AuthSession.TokenReply.class, streamSide.authSession(), streamSide.settings().staleAfter(), AuthSession.GetToken::new,
          (reply, failure) -> new TokenForConnect(attempt,
              failure != null ? new AuthSession.Unavailable("no token: " + failure.getMessage()) : reply));
    }

    private Behavior<Command> onToken(TokenForConnect token) {
      if (token.generation() != generation || streamState != State.CONNECTING) return Behaviors.same();
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
      if (opened.generation() != generation || streamState != State.CONNECTING) {
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
      changeState(State.CONNECTED, "connection " + connects);
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
          if (wanted && streamState == State.BACKOFF) startConnecting();
        }
        case WATCHDOG -> {
          if (streamState != State.CONNECTED) return Behaviors.same();
          silentChecks = frameSinceCheck ? 0 : silentChecks + 1;
          frameSinceCheck = false;
          if (silentChecks >= 2) failed("no frame for " + streamSide.settings().staleAfter().toSeconds() + "s (stale)");
        }
        case HEARTBEAT -> {
          if (streamState == State.CONNECTED && open != null) {
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
      changeState(State.BACKOFF, reason + "; retry in " + wait.toMillis() + " ms");
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

    private void changeState(State next, String why) {
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
  }
}
