package dev.ordo.engine.broker;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.risk.AccountRisk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Every broker call of one account passes here, under one rate limit, in priority order:
 * CRITICAL (order placement, modification, cancellation) before NORMAL (books, positions,
 * limits) before SCAN (quotes for scanning); first come, first served within a priority.
 *
 * <p>The rate limit is a token bucket: {@code burst} calls may start at once, then permits come back
 * at {@code callsPerSecond} (refilled every {@code 1 / callsPerSecond}, at least every 10 ms). The gateway takes the token from {@link AuthSession}, runs the
 * {@link BrokerCall}, and when the broker answers "token expired" reports that token to the
 * session (which logs in once, whatever the number of callers) and retries the call once, ahead
 * of its priority's queue, with the new token. A call whose outcome is unknown
 * ({@link BrokerError.Timeout}) is never retried: the caller marks the order UNKNOWN for
 * reconciliation. A full queue answers {@link BrokerError.RateLimited} at once.
 *
 * <p>With the account's {@link AccountRisk} (the pre-trade checks), every {@link BrokerCall.PlaceOrder},
 * whatever its source, is checked there before it is queued: a refused one is answered
 * {@link BrokerCall.Failed} with {@link BrokerError.Rejected} whose detail is the refusal's reason
 * ({@code RISK_<CHECK>: ...} or {@code ACCOUNT_HALTED: ...}) and never reaches the broker; a check
 * that does not answer within {@code tokenTimeout} fails the call with {@link BrokerError.Unavailable}
 * (fail closed). Modifications, cancellations and reads are not checked.
 *
 * <p>For monitoring, the gateway tells its {@link Listener} how long each call waited in its priority's
 * queue and how long the broker took to answer it, both measured on the gateway's clock.
 */
public final class BrokerGateway {

  private BrokerGateway() {}

  /** Priority of a call; CRITICAL first. */
  public enum Priority {
    CRITICAL,
    NORMAL,
    SCAN
  }

  /**
   * What a gateway reports of the calls it runs, for monitoring (the app turns it into metrics). Called
   * from the gateway's message handler: an implementation returns at once and never blocks or throws.
   * Durations are measured on the gateway's clock (see {@link BrokerGateway#create(AccountId, Broker, ActorRef, Settings, RecipientRef, Clock, Listener)});
   * a clock set back yields {@link Duration#ZERO}, never a negative duration.
   */
  public interface Listener {

    /** A listener that ignores everything. */
    Listener NONE = new Listener() {
      @Override
      public void waited(AccountId account, Priority priority, Duration waited) {}

      @Override
      public void answered(AccountId account, BrokerCall call, Priority priority, BrokerCall.Reply reply, Duration took) {}
    };

    /**
     * A call of {@code priority} left its queue to start after {@code waited} (from its arrival in the queue, after the
     * pre-trade check, to its rate-limit permit); a call retried after a re-login waits, and is reported, again.
     */
    void waited(AccountId account, Priority priority, Duration waited);

    /**
     * The broker answered {@code call} (an attempt: a retry is reported on its own) {@code took} after the gateway sent it with
     * its token; {@code reply} is the answer, a {@link BrokerCall.Failed} for an error (a failed stage as {@link BrokerError.Timeout}).
     */
    void answered(AccountId account, BrokerCall call, Priority priority, BrokerCall.Reply reply, Duration took);
  }

  /** Protocol of the gateway. */
  public sealed interface Command extends OrdoSerializable {}

  /** Run {@code call}; the reply goes to {@code replyTo}. */
  public record Execute(BrokerCall call, Priority priority, ActorRef<BrokerCall.Reply> replyTo) implements Command {}

  /** Asks for queue lengths and counters. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * Gateway status.
   *
   * @param queued      calls waiting for a permit, by priority
   * @param started     calls started since start (retries included)
   * @param inFlight    calls started and not answered yet (waiting for the risk check, a token or the broker)
   * @param retried     calls retried once after a re-login
   * @param refused     calls refused because their queue was full
   */
  public record Status(AccountId account, Map<Priority, Integer> queued, long started, long retried, long refused, int inFlight)
      implements OrdoSerializable {

    /** True when no call waits in a queue or runs: a stop loses nothing. */
    public boolean idle() {
      return inFlight == 0 && queued.values().stream().allMatch(n -> n == 0);
    }
  }

  private record RiskAnswered(Execute request, AccountRisk.Verdict verdict, Throwable failure) implements Command {}

  private record TokenArrived(Execute request, int attempt, AuthSession.TokenReply reply) implements Command {}

  private record CallCompleted(Execute request, int attempt, SessionToken token, Instant sentAt, BrokerCall.Reply reply) implements Command {}

  private enum Refill implements Command {
    INSTANCE
  }

  /**
   * Settings of a gateway.
   *
   * @param callsPerSecond sustained call rate (Kotak Neo documents HTTP 429 beyond its limits)
   * @param burst          calls that may start at once after a quiet period
   * @param queueCapacity  calls that may wait per priority
   * @param tokenTimeout   how long a call waits for a token before failing with {@link BrokerError.Unavailable}
   */
  public record Settings(double callsPerSecond, int burst, int queueCapacity, Duration tokenTimeout) {
    public Settings {
      if (!(callsPerSecond > 0)) throw new IllegalArgumentException("callsPerSecond must be positive, got " + callsPerSecond);
      if (burst < 1) throw new IllegalArgumentException("burst must be at least 1, got " + burst);
      if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
    }

    public static Settings defaults() {
      return new Settings(10, 10, 10_000, Duration.ofSeconds(30));
    }

    /** These settings with another rate and burst. */
    public Settings withRate(double newCallsPerSecond, int newBurst) {
      return new Settings(newCallsPerSecond, newBurst, queueCapacity, tokenTimeout);
    }

    /** Time between refills: one permit's worth, but never below 10 ms. */
    Duration refillInterval() {
      long nanos = (long) (1_000_000_000L / callsPerSecond);
      return Duration.ofNanos(Math.max(nanos, 10_000_000L));
    }

    /** Permits added per refill, so the sustained rate holds whatever the interval. */
    int permitsPerRefill() {
      return (int) Math.max(1, Math.round(callsPerSecond * refillInterval().toNanos() / 1e9));
    }
  }

  /** The key the gateway of {@code account} registers under with the receptionist (see {@link GatewayLink}). */
  public static ServiceKey<Command> serviceKey(AccountId account) {
    return ServiceKey.create(Command.class, "broker-gateway-" + account.value());
  }

  /** A gateway without pre-trade checks; it registers itself under {@link #serviceKey} so the account's symbol traders find it. */
  public static Behavior<Command> create(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings) {
    return create(account, broker, authSession, settings, null);
  }

  /**
   * A gateway that checks every placement with {@code risk} (the account's {@link AccountRisk}; null: no
   * checks); it registers itself under {@link #serviceKey} so the account's symbol traders find it.
   */
  public static Behavior<Command> create(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings,
      RecipientRef<AccountRisk.Command> risk) {
    return create(account, broker, authSession, settings, risk, Clock.systemUTC(), Listener.NONE);
  }

  /**
   * A gateway as {@link #create(AccountId, Broker, ActorRef, Settings, RecipientRef)} that reports each call's queue wait and
   * answer time to {@code listener}, measured on {@code clock} (the machine's, even in a replay: a replay clock stands still
   * between bars).
   */
  public static Behavior<Command> create(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings,
      RecipientRef<AccountRisk.Command> risk, Clock clock, Listener listener) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(serviceKey(account), context.getSelf()));
      return Behaviors.withTimers(timers -> new Gateway(account, broker, authSession, settings, risk, clock, listener, context, timers).behavior());
    });
  }

  private static final class Gateway {
    private final AccountId account;
    private final Broker broker;
    private final ActorRef<AuthSession.Command> authSession;
    private final Settings settings;
    private final RecipientRef<AccountRisk.Command> risk;
    private final Clock clock;
    private final Listener listener;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Map<Priority, ArrayDeque<Queued>> queues = new EnumMap<>(Priority.class);
    private int permits;
    private long started;
    private long retried;
    private long refused;
    private int inFlight;
    /** Placements waiting for the risk check's answer (counted in {@link Status#inFlight}). */
    private int checking;

    /** A call waiting for a permit since {@code queuedAt} (on {@link #clock}). */
    private record Queued(Execute request, int attempt, Instant queuedAt) {}

    Gateway(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings,
        RecipientRef<AccountRisk.Command> risk, Clock clock, Listener listener, ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.account = account;
      this.broker = broker;
      this.authSession = authSession;
      this.settings = settings;
      this.risk = risk;
      this.clock = clock;
      this.listener = listener;
      this.context = context;
      this.timers = timers;
      this.permits = settings.burst();
      for (Priority p : Priority.values()) queues.put(p, new ArrayDeque<>());
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Execute.class, request -> {
            if (risk != null && request.call() instanceof BrokerCall.PlaceOrder place) {
              checking++;
              context.ask(AccountRisk.Verdict.class, risk, settings.tokenTimeout(), replyTo -> new AccountRisk.CheckOrder(place.request(), replyTo),
                  (verdict, failure) -> new RiskAnswered(request, verdict, failure));
              return Behaviors.same();
            }
            return enqueue(request);
          })
          .onMessage(RiskAnswered.class, answered -> {
            checking--;
            Execute request = answered.request();
            if (answered.verdict() instanceof AccountRisk.Approved) return enqueue(request);
            BrokerError error = answered.verdict() instanceof AccountRisk.Refused refused
                ? new BrokerError.Rejected(refused.reason())
                : new BrokerError.Unavailable("the risk check of account " + account + " did not answer within " + settings.tokenTimeout()
                    + " (" + answered.failure() + "); the order was not sent");
            request.replyTo().tell(new BrokerCall.Failed(request.call(), error));
            return Behaviors.same();
          })
          .onMessage(Refill.class, refill -> {
            permits = Math.min(settings.burst(), permits + settings.permitsPerRefill());
            if (permits >= settings.burst()) timers.cancel(Refill.INSTANCE);
            dispatch();
            return Behaviors.same();
          })
          .onMessage(TokenArrived.class, this::onToken)
          .onMessage(CallCompleted.class, this::onCompleted)
          .onMessage(GetStatus.class, request -> {
            Map<Priority, Integer> queued = new EnumMap<>(Priority.class);
            queues.forEach((p, q) -> queued.put(p, q.size()));
            request.replyTo().tell(new Status(account, queued, started, retried, refused, inFlight + checking));
            return Behaviors.same();
          })
          .build();
    }

    /** Queues {@code request} at its priority (or refuses it when that queue is full) and starts what permits allow. */
    private Behavior<Command> enqueue(Execute request) {
      ArrayDeque<Queued> queue = queues.get(request.priority());
      if (queue.size() >= settings.queueCapacity()) {
        refused++;
        request.replyTo().tell(new BrokerCall.Failed(request.call(),
            new BrokerError.RateLimited(request.priority() + " queue of account " + account + " is full (" + settings.queueCapacity() + ")")));
        return Behaviors.same();
      }
      queue.addLast(new Queued(request, 1, clock.instant()));
      dispatch();
      return Behaviors.same();
    }

    /** Starts queued calls, highest priority first, while permits last. */
    private void dispatch() {
      while (permits > 0) {
        Queued next = null;
        for (Priority p : Priority.values()) {
          next = queues.get(p).pollFirst();
          if (next != null) break;
        }
        if (next == null) return;
        listener.waited(account, next.request().priority(), since(next.queuedAt()));
        permits--;
        started++;
        inFlight++;
        if (!timers.isTimerActive(Refill.INSTANCE)) timers.startTimerAtFixedRate(Refill.INSTANCE, settings.refillInterval());
        requestToken(next.request(), next.attempt());
      }
    }

    private void requestToken(Execute request, int attempt) {
      context.ask(AuthSession.TokenReply.class, authSession, settings.tokenTimeout(), AuthSession.GetToken::new,
          (reply, failure) -> new TokenArrived(request, attempt,
              failure != null ? new AuthSession.Unavailable("no token within " + settings.tokenTimeout()) : reply));
    }

    private Behavior<Command> onToken(TokenArrived arrived) {
      if (arrived.reply() instanceof AuthSession.Granted granted) {
        SessionToken token = granted.token();
        Instant sentAt = clock.instant();
        context.pipeToSelf(arrived.request().call().execute(broker, token), (reply, failure) -> new CallCompleted(
            arrived.request(), arrived.attempt(), token, sentAt,
            failure != null ? new BrokerCall.Failed(arrived.request().call(), new BrokerError.Timeout(String.valueOf(failure))) : reply));
      } else {
        String reason = ((AuthSession.Unavailable) arrived.reply()).reason();
        inFlight--;
        arrived.request().replyTo().tell(new BrokerCall.Failed(arrived.request().call(), new BrokerError.Unavailable(reason)));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onCompleted(CallCompleted completed) {
      inFlight--;
      BrokerCall.Reply reply = completed.reply();
      listener.answered(account, completed.request().call(), completed.request().priority(), reply, since(completed.sentAt()));
      if (reply instanceof BrokerCall.Failed failed && failed.error() instanceof BrokerError.AuthExpired) {
        authSession.tell(new AuthSession.ReportRejected(completed.token()));
        if (completed.attempt() == 1) {
          context.getLog().debug("{} call {} met an expired token; retrying once", account, failed.call().getClass().getSimpleName());
          retried++;
          queues.get(completed.request().priority()).addFirst(new Queued(completed.request(), 2, clock.instant()));
          dispatch();
          return Behaviors.same();
        }
      }
      completed.request().replyTo().tell(reply);
      return Behaviors.same();
    }

    /** Time on {@link #clock} from {@code start} to now; zero when the clock was set back. */
    private Duration since(Instant start) {
      Duration elapsed = Duration.between(start, clock.instant());
      return elapsed.isNegative() ? Duration.ZERO : elapsed;
    }
  }
}
