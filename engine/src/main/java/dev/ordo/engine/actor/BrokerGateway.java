package dev.ordo.engine.actor;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.SessionToken;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Every broker call of one account passes here. The gateway takes the token from
 * {@link AuthSession}, runs the {@link BrokerCall}, and when the broker answers "token expired"
 * reports that token to the session (which logs in once) and retries the call once with the new
 * token. A call whose outcome is unknown ({@link BrokerError.Timeout}) is never retried: the
 * caller marks the order UNKNOWN for reconciliation.
 *
 * <p>{@link Priority} is carried with every call: CRITICAL (order placement, modification,
 * cancellation), NORMAL (books, positions, limits), SCAN (quotes for scanning).
 */
public final class BrokerGateway {

  private BrokerGateway() {}

  /** Priority of a call; CRITICAL first. */
  public enum Priority {
    CRITICAL,
    NORMAL,
    SCAN
  }

  /** Protocol of the gateway. */
  public sealed interface Command extends OrdoSerializable {}

  /** Run {@code call}; the reply goes to {@code replyTo}. */
  public record Execute(BrokerCall call, Priority priority, ActorRef<BrokerCall.Reply> replyTo) implements Command {}

  private record TokenArrived(Execute request, int attempt, AuthSession.TokenReply reply) implements Command {}

  private record CallCompleted(Execute request, int attempt, SessionToken token, BrokerCall.Reply reply) implements Command {}

  /**
   * @param tokenTimeout how long a call waits for a token before failing with {@link BrokerError.Unavailable}
   */
  public record Settings(Duration tokenTimeout) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(30));
    }
  }

  public static Behavior<Command> create(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings) {
    return Behaviors.setup(context -> new Gateway(account, broker, authSession, settings, context).behavior());
  }

  private static final class Gateway {
    private final AccountId account;
    private final Broker broker;
    private final ActorRef<AuthSession.Command> authSession;
    private final Settings settings;
    private final ActorContext<Command> context;

    Gateway(AccountId account, Broker broker, ActorRef<AuthSession.Command> authSession, Settings settings, ActorContext<Command> context) {
      this.account = account;
      this.broker = broker;
      this.authSession = authSession;
      this.settings = settings;
      this.context = context;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Execute.class, request -> {
            requestToken(request, 1);
            return Behaviors.same();
          })
          .onMessage(TokenArrived.class, this::onToken)
          .onMessage(CallCompleted.class, this::onCompleted)
          .build();
    }

    private void requestToken(Execute request, int attempt) {
      context.ask(AuthSession.TokenReply.class, authSession, settings.tokenTimeout(), AuthSession.GetToken::new,
          (reply, failure) -> new TokenArrived(request, attempt,
              failure != null ? new AuthSession.Unavailable("no token within " + settings.tokenTimeout()) : reply));
    }

    private Behavior<Command> onToken(TokenArrived arrived) {
      if (arrived.reply() instanceof AuthSession.Granted granted) {
        SessionToken token = granted.token();
        context.pipeToSelf(arrived.request().call().execute(broker, token), (reply, failure) -> new CallCompleted(
            arrived.request(), arrived.attempt(), token,
            failure != null ? new BrokerCall.Failed(arrived.request().call(), new BrokerError.Timeout(String.valueOf(failure))) : reply));
      } else {
        String reason = ((AuthSession.Unavailable) arrived.reply()).reason();
        arrived.request().replyTo().tell(new BrokerCall.Failed(arrived.request().call(), new BrokerError.Unavailable(reason)));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onCompleted(CallCompleted completed) {
      BrokerCall.Reply reply = completed.reply();
      if (reply instanceof BrokerCall.Failed failed && failed.error() instanceof BrokerError.AuthExpired) {
        authSession.tell(new AuthSession.ReportRejected(completed.token()));
        if (completed.attempt() == 1) {
          context.getLog().debug("{} call {} met an expired token; retrying once", account, failed.call().getClass().getSimpleName());
          requestToken(completed.request(), 2);
          return Behaviors.same();
        }
      }
      completed.request().replyTo().tell(reply);
      return Behaviors.same();
    }
  }
}
