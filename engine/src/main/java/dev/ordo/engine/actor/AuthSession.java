package dev.ordo.engine.actor;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.SessionToken;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The broker session of one account: single-flight login and re-login. Callers ask for the
 * token with {@link GetToken}; while a login is running their requests wait in a bounded stash
 * and are answered with the new token. A call that met an expired token (Kotak Neo 900901)
 * reports the token it used with {@link ReportRejected}: the first report about the current
 * token starts exactly one login, a report about an already-replaced token starts nothing.
 * Failed logins back off exponentially (from {@code minBackoff} to {@code maxBackoff}).
 * Tokens are never logged (only their fingerprint).
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

  private enum RetryLogin implements Command {
    INSTANCE
  }

  /** Answer to {@link GetToken}. */
  public sealed interface TokenReply extends OrdoSerializable {}

  /** A token valid as far as the session knows. */
  public record Granted(SessionToken token) implements TokenReply {}

  /** No token could be obtained (stash full, or logins failing); {@code reason} says why. */
  public record Unavailable(String reason) implements TokenReply {}

  /**
   * Status of the session.
   *
   * @param state          {@code LOGGED_OUT}, {@code LOGGING_IN} or {@code ACTIVE}
   * @param logins         successful logins since start
   * @param failedLogins   failed login attempts since start
   * @param tokenIssuedAt  when the current token was issued, null when none
   */
  public record Status(AccountId account, String state, int logins, int failedLogins, Instant tokenIssuedAt)
      implements OrdoSerializable {}

  /**
   * Settings of the session.
   *
   * @param stashCapacity requests that may wait for a login at once; more are answered {@link Unavailable}
   * @param minBackoff    wait after the first failed login
   * @param maxBackoff    longest wait between failed logins
   */
  public record Settings(int stashCapacity, Duration minBackoff, Duration maxBackoff) {
    public static Settings defaults() {
      return new Settings(10_000, Duration.ofSeconds(1), Duration.ofSeconds(60));
    }
  }

  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(settings.stashCapacity(),
        stash -> new Session(account, broker, credentials, settings, context, timers, stash).loggedOut())));
  }

  private static final class Session {
    private final AccountId account;
    private final Broker broker;
    private final Credentials credentials;
    private final Settings settings;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final StashBuffer<Command> stash;
    private int logins;
    private int failedLogins;
    private int consecutiveFailures;

    Session(AccountId account, Broker broker, Credentials credentials, Settings settings, ActorContext<Command> context,
        TimerScheduler<Command> timers, StashBuffer<Command> stash) {
      this.account = account;
      this.broker = broker;
      this.credentials = credentials;
      this.settings = settings;
      this.context = context;
      this.timers = timers;
      this.stash = stash;
    }

    Behavior<Command> loggedOut() {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            stashOrRefuse(request);
            return startLogin();
          })
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(GetStatus.class, request -> replyStatus(request, "LOGGED_OUT", null))
          .build();
    }

    /** Waiting for a back-off to pass before the next attempt; requests wait in the stash. */
    private Behavior<Command> backingOff() {
      return Behaviors.receive(Command.class)
          .onMessage(GetToken.class, request -> {
            stashOrRefuse(request);
            return Behaviors.same();
          })
          .onMessage(RetryLogin.class, retry -> startLogin())
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(GetStatus.class, request -> replyStatus(request, "LOGGING_IN", null))
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
            stashOrRefuse(request);
            return Behaviors.same();
          })
          .onMessage(ReportRejected.class, report -> Behaviors.same())
          .onMessage(GetStatus.class, request -> replyStatus(request, "LOGGING_IN", null))
          .onMessage(LoginSucceeded.class, success -> {
            logins++;
            consecutiveFailures = 0;
            context.getLog().info("Account {} logged in (token {})", account, success.token().fingerprint());
            return stash.unstashAll(active(success.token()));
          })
          .onMessage(LoginFailed.class, failure -> {
            failedLogins++;
            consecutiveFailures++;
            Duration wait = backoff(consecutiveFailures);
            context.getLog().warn("Login of account {} failed ({}); next attempt in {}", account, failure.reason(), wait);
            timers.startSingleTimer(RetryLogin.INSTANCE, wait);
            return backingOff();
          })
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
            return startLogin();
          })
          .onMessage(GetStatus.class, request -> replyStatus(request, "ACTIVE", token.issuedAt()))
          .build();
    }

    private void stashOrRefuse(GetToken request) {
      if (stash.isFull()) {
        request.replyTo().tell(new Unavailable("too many requests waiting for login of account " + account));
      } else {
        stash.stash(request);
      }
    }

    private Behavior<Command> replyStatus(GetStatus request, String state, Instant issuedAt) {
      request.replyTo().tell(new Status(account, state, logins, failedLogins, issuedAt));
      return Behaviors.same();
    }

    private Duration backoff(int failures) {
      long factor = 1L << Math.min(failures - 1, 20);
      Duration wait = settings.minBackoff().multipliedBy(factor);
      return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }
  }
}
