package dev.ordo.engine.service;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.Credentials;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Starts and stops one {@link TradingService} per account. Local to its JVM: its commands carry
 * the broker adapter object and are never serialized.
 */
public final class ServiceManager {

  private ServiceManager() {}

  /** Protocol of the manager. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /**
   * Starts the service of {@code account} (answers the running one if already started); {@code live}
   * is null for the paper replay.
   */
  public record StartService(AccountId account, Broker broker, Credentials credentials, TradingService.Live live,
      ActorRef<ActorRef<TradingService.Command>> replyTo) implements Command {

    public StartService(AccountId account, Broker broker, Credentials credentials, ActorRef<ActorRef<TradingService.Command>> replyTo) {
      this(account, broker, credentials, null, replyTo);
    }
  }

  /** Stops the service of {@code account}; answers whether one was running. */
  public record StopService(AccountId account, ActorRef<Boolean> replyTo) implements Command {}

  /** Asks for the services running. */
  public record GetServices(ActorRef<Map<AccountId, ActorRef<TradingService.Command>>> replyTo) implements Command {}

  private record ServiceStopped(AccountId account) implements Command {}

  public static Behavior<Command> create(TradingService.Settings settings) {
    return Behaviors.setup(context -> {
      Map<AccountId, ActorRef<TradingService.Command>> services = new TreeMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(StartService.class, start -> {
            ActorRef<TradingService.Command> service = services.computeIfAbsent(start.account(), account -> {
              ActorRef<TradingService.Command> ref = context.spawn(
                  TradingService.create(account, start.broker(), start.credentials(), settings, start.live()), "trading-service-" + account);
              context.watchWith(ref, new ServiceStopped(account));
              return ref;
            });
            start.replyTo().tell(service);
            return Behaviors.same();
          })
          .onMessage(StopService.class, stop -> {
            ActorRef<TradingService.Command> service = services.remove(stop.account());
            if (service != null) context.stop(service);
            stop.replyTo().tell(service != null);
            return Behaviors.same();
          })
          .onMessage(GetServices.class, request -> {
            request.replyTo().tell(Map.copyOf(services));
            return Behaviors.same();
          })
          .onMessage(ServiceStopped.class, stopped -> {
            services.remove(stopped.account());
            return Behaviors.same();
          })
          .build();
    });
  }

  /** The accounts of {@code services}, sorted. */
  public static List<AccountId> accounts(Map<AccountId, ActorRef<TradingService.Command>> services) {
    return services.keySet().stream().sorted().toList();
  }
}
