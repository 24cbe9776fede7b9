package dev.ordo.engine.broker;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.SessionToken;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The broker session of one account: single-flight login and re-login.
 *
 * <ul>
 *   <li>Callers ask for the token with {@link GetToken}. While a login runs (or backs off after a
 *       failure) they wait, at most {@code maxWaiting} of them and each at most {@code waitTimeout};
 *       then they are answered {@link Unavailable} with the reason (last login error or a full queue).
 *   <li>A call that met an expired token (Kotak Neo: HTTP 401, code 900901) reports the token it
 *       used with {@link ReportRejected}. The first report about the current token starts exactly
 *       one login; reports arriving during that login, or about an already-replaced token, start
 *       nothing. N callers seeing one expiry cause one login.
 *   <li>Failed logins are retried with exponential back-off from {@code minBackoff} to
 *       {@code maxBackoff}, while anyone waits.
 * </ul>
 *
 * Tokens never reach a log line, only their fingerprint.
 */
public final class AuthSession {

  private AuthSession() {}

  /** Protocol of the session. */
  public sealed interface Command extends OrdoSerializable {}

  /** Asks for a valid token; answered with {@link Granted} or {@link Unavailable}. */
  public record GetToken(ActorRef<TokenReply> replyTo) implements Command {}

  /** A broker call using {@code token} was answered "token expired". */
  public record ReportRejected(SessionToken token) implements Command {}

  /** Asks for the session's status (no secret in it). */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  private record LoginSucceeded(SessionToken token) implements Command {}

  private record LoginFailed(String reason) implements Command {}

  private record WaitExpired(long waiter) implements Command {}

  private enum RetryLogin implements Command {
    INSTANCE
  }

  /** Answer to {@link GetToken}. */
  public sealed interface TokenReply extends OrdoSerializable {}

  /** A token valid as far as the session knows. */
  public record Granted(SessionToken token) implements TokenReply {}

  /** No token could be had in time; {@code reason} says why. */
  public record Unavailable(String reason) implements TokenReply {}

  /** State of the session. */
  public enum State {
    /** No token and no login running. */
    LOGGED_OUT,
    /** A login runs; callers wait. */
    LOGGING_IN,
    /** The last login failed; the next waits for its back-off. */
    BACKING_OFF,
    /** A token is held. */
    ACTIVE
  }

  /**
   * Status of the session.
   *
   * @param state         the session's state
   * @param logins        successful logins since start
   * @param failedLogins  failed login attempts since start
   * @param waiting       calls waiting for a token now
   * @param tokenIssuedAt when the current token was issued, null when none
   */
  public record Status(AccountId account, State state, int logins, int failedLogins, int waiting, Instant tokenIssuedAt)
      implements OrdoSerializable {}

  /**
   * Settings of the session.
   *
   * @param maxWaiting  calls that may wait for a login at once; more are answered {@link Unavailable}
   * @param waitTimeout how long one call may wait for a login
   * @param minBackoff  wait after the first failed login
   * @param maxBackoff  longest wait between failed logins
   */
  public record Settings(int maxWaiting, Duration waitTimeout, Duration minBackoff, Duration maxBackoff) {
    public static Settings defaults() {
      return new Settings(10_000, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(60));
    }
  }

  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Session(account, broker, credentials, settings, context, timers).loggedOut()));
  }

  private static final class Session {
    private final AccountId account;
    private final Broker broker;
    private final Credentials credentials;
    private final Settings settings;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Map<Long, ActorRef<TokenReply>> waiting = new LinkedHashMap<>();
    private long nextWaiter;
    private int logins;
    private int failedLogins;
    private int consecutiveFailures;
    private String lastFailure = "login in progress";

    Session(AccountId account, Broker broker, Credentials credentials, Settings settings, ActorContext<Command> context,
        TimerScheduler<Command> timers) {
      this.account = account;
      this.broker = broker;
      this.credentials = credentials;
      this.settings = settings;
      this.context = context;
      this.timers = timers;
    }

    Behavior<Command> loggedOut() {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            await(request);
            return startLogin();
          })
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(WaitExpired.class, this::onWaitExpired)
          .onMessage(GetStatus.class, request -> replyStatus(request, State.LOGGED_OUT, null))
          .build();
    }

    private Behavior<Command> startLogin() {
      context.getLog().info("Logging in account {}", account);
      context.pipeToSelf(broker.login(credentials), (result, failure) -> {
        if (failure != null) return new LoginFailed(failure.getClass().getSimpleName() + ": " + failure.getMessage());
        if (result instanceof BrokerResult.Ok<SessionToken> ok) return new LoginSucceeded(ok.value());
        BrokerError error = ((BrokerResult.Err<SessionToken>) result).error();
        return new LoginFailed(error.getClass().getSimpleName() + ": " + error.detail());
      });
      return loggingIn();
    }

    private Behavior<Command> loggingIn() {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            await(request);
            return Behaviors.same();
          })
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(WaitExpired.class, this::onWaitExpired)
          .onMessage(GetStatus.class, request -> replyStatus(request, State.LOGGING_IN, null))
          .onMessage(LoginSucceeded.class, success -> {
            logins++;
            consecutiveFailures = 0;
            context.getLog().info("Account {} logged in (token {})", account, success.token().fingerprint());
            serveWaiting(new Granted(success.token()));
            return active(success.token());
          })
          .onMessage(LoginFailed.class, failure -> {
            failedLogins++;
            consecutiveFailures++;
            lastFailure = "login failed: " + failure.reason();
            Duration wait = backoff(consecutiveFailures);
            context.getLog().warn("Login of account {} failed ({}); next attempt in {}", account, failure.reason(), wait);
            timers.startSingleTimer(RetryLogin.INSTANCE, wait);
            return backingOff();
          })
          .build();
    }

    /** After a failed login: retries when the back-off has passed, if someone still waits. */
    private Behavior<Command> backingOff() {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            await(request);
            return Behaviors.same();
          })
          .onMessage(RetryLogin.class, retry -> waiting.isEmpty() ? loggedOut() : startLogin())
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(WaitExpired.class, this::onWaitExpired)
          .onMessage(GetStatus.class, request -> replyStatus(request, State.BACKING_OFF, null))
          .build();
    }

    private Behavior<Command> active(SessionToken token) {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            request.replyTo().tell(new Granted(token));
            return Behaviors.same();
          })
          .onMessage(ReportRejected.class, report -> {
            if (!report.token().value().equals(token.value())) {
              context.getLog().debug("Ignoring expiry report about replaced token {}", report.token().fingerprint());
              return Behaviors.same();
            }
            context.getLog().info("Token {} of account {} expired; logging in again", token.fingerprint(), account);
            lastFailure = "login in progress";
            return startLogin();
          })
          .onMessage(WaitExpired.class, this::onWaitExpired)
          .onMessage(GetStatus.class, request -> replyStatus(request, State.ACTIVE, token.issuedAt()))
          .build();
    }

    private void await(GetToken request) {
      if (waiting.size() >= settings.maxWaiting()) {
        request.replyTo().tell(new Unavailable(settings.maxWaiting() + " calls already wait for the login of account " + account));
        return;
      }
      long id = nextWaiter++;
      waiting.put(id, request.replyTo());
      timers.startSingleTimer(new WaitExpired(id), new WaitExpired(id), settings.waitTimeout());
    }

    private Behavior<Command> onWaitExpired(WaitExpired expired) {
      ActorRef<TokenReply> replyTo = waiting.remove(expired.waiter());
      if (replyTo != null)
        replyTo.tell(new Unavailable("no session for account " + account + " within " + seconds(settings.waitTimeout()) + " (" + lastFailure + ")"));
      return Behaviors.same();
    }

    private void serveWaiting(TokenReply reply) {
      for (Map.Entry<Long, ActorRef<TokenReply>> entry : waiting.entrySet()) {
        timers.cancel(new WaitExpired(entry.getKey()));
        entry.getValue().tell(reply);
      }
      waiting.clear();
    }

    private Behavior<Command> replyStatus(GetStatus request, State state, Instant issuedAt) {
      request.replyTo().tell(new Status(account, state, logins, failedLogins, waiting.size(), issuedAt));
      return Behaviors.same();
    }

    private static String seconds(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private Duration backoff(int failures) {
      long factor = 1L << Math.min(failures - 1, 20);
      Duration wait = settings.minBackoff().multipliedBy(factor);
      return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }
  }
}
