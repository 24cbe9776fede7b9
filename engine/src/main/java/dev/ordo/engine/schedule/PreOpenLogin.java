package dev.ordo.engine.schedule;

import dev.ordo.engine.broker.AuthSession;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code pre-open-login}: makes sure the account has a broker session before the open, by asking its
 * {@link AuthSession} for a token, so the login is single-flight with every other caller (a session
 * already valid is kept; an expired or missing one triggers the one login). Fails with the session's
 * reason when no token can be had.
 */
public final class PreOpenLogin implements DayTask {

  /** The task's name. */
  public static final String NAME = "pre-open-login";

  private final ActorRef<AuthSession.Command> session;
  private final Scheduler scheduler;
  private final LocalTime at;
  private final Duration timeout;

  /**
   * @param at      time of day in the venue's zone (NSE: 08:55, twenty minutes before the open)
   * @param timeout how long to wait for the session's answer
   */
  public PreOpenLogin(ActorRef<AuthSession.Command> session, Scheduler scheduler, LocalTime at, Duration timeout) {
    this.session = session;
    this.scheduler = scheduler;
    this.at = at;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LocalTime at() {
    return at;
  }

  @Override
  public RetryPolicy retry() {
    return new RetryPolicy(3, Duration.ofSeconds(30));
  }

  @Override
  public CompletionStage<String> run(Instant now, LocalDate day) {
    return AskPattern.<AuthSession.Command, AuthSession.TokenReply>ask(session, AuthSession.GetToken::new, timeout, scheduler)
        .thenCompose(reply -> {
          if (reply instanceof AuthSession.Unavailable unavailable) throw new IllegalStateException("no broker session: " + unavailable.reason());
          return AskPattern.<AuthSession.Command, AuthSession.Status>ask(session, AuthSession.GetStatus::new, timeout, scheduler);
        })
        .thenApply(status -> "broker session ready (issued " + status.tokenIssuedAt() + ", " + status.logins() + " login(s) since start)");
  }
}
