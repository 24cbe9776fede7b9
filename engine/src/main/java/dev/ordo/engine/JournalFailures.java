package dev.ordo.engine;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * What an event-sourced actor does when the journal fails to write or read (database restarting,
 * connection pool exhausted): it restarts with exponential back-off (0.2 s up to 30 s, 20%
 * jitter) and recovers its state from the journal, instead of staying stopped. Requests in
 * flight at the failure are not answered; their askers time out and report it.
 */
public final class JournalFailures {

  public static final BackoffSupervisorStrategy BACKOFF =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(30), 0.2);

  private JournalFailures() {}
}
