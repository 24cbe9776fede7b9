package dev.ordo.engine.actor;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.Credentials;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The supervisor of one account: it starts the account's {@link AuthSession},
 * {@link BrokerGateway} and {@link MarketDataConnection}, restarts them when they fail, and
 * registers the gateway for the account's symbol traders while it runs.
 */
public final class TradingService {

  private TradingService() {}

  /** Protocol of the service. */
  public sealed interface Command extends OrdoSerializable {}

  /** Asks for the service's parts. */
  public record GetParts(ActorRef<Parts> replyTo) implements Command {}

  /** The running children of the service. */
  public record Parts(
      AccountId account,
      ActorRef<AuthSession.Command> authSession,
      ActorRef<BrokerGateway.Command> gateway,
      ActorRef<MarketDataConnection.Command> marketData)
      implements OrdoSerializable {}

  /**
   * Settings of a service.
   *
   * @param marketDataAskTimeout how long a symbol trader may take to handle one market event
   */
  public record Settings(AuthSession.Settings auth, BrokerGateway.Settings gateway, Duration marketDataAskTimeout) {
    public static Settings defaults() {
      return new Settings(AuthSession.Settings.defaults(), BrokerGateway.Settings.defaults(), Duration.ofSeconds(60));
    }

    /**
     * Reads {@code auth.*}, {@code gateway.*} and {@code market-data-ask-timeout} of {@code config}
     * (the {@code ordo.trading-service} block).
     *
     * @throws com.typesafe.config.ConfigException when a key is missing or of the wrong type
     */
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          new AuthSession.Settings(config.getInt("auth.max-waiting"), config.getDuration("auth.wait-timeout"),
              config.getDuration("auth.min-backoff"), config.getDuration("auth.max-backoff")),
          new BrokerGateway.Settings(config.getDouble("gateway.calls-per-second"), config.getInt("gateway.burst"),
              config.getInt("gateway.queue-capacity"), config.getDuration("gateway.token-timeout")),
          config.getDuration("market-data-ask-timeout"));
    }
  }

  public static Behavior<Command> create(AccountId account, Broker broker, Credentials credentials, Settings settings, GatewayRegistry registry) {
    return Behaviors.setup(context -> {
      ActorRef<AuthSession.Command> auth = context.spawn(
          Behaviors.supervise(AuthSession.create(account, broker, credentials, settings.auth())).onFailure(SupervisorStrategy.restart()),
          "auth-session");
      ActorRef<BrokerGateway.Command> gateway = context.spawn(
          Behaviors.supervise(BrokerGateway.create(account, broker, auth, settings.gateway())).onFailure(SupervisorStrategy.restart()),
          "broker-gateway");
      ActorRef<MarketDataConnection.Command> marketData = context.spawn(
          Behaviors.supervise(MarketDataConnection.create(account, settings.marketDataAskTimeout())).onFailure(SupervisorStrategy.restart()),
          "market-data");
      registry.register(account, gateway);
      context.getLog().info("Trading service of account {} started", account);
      Parts parts = new Parts(account, auth, gateway, marketData);
      return Behaviors.receive(Command.class)
          .onMessage(GetParts.class, request -> {
            request.replyTo().tell(parts);
            return Behaviors.same();
          })
          .onSignal(PostStop.class, signal -> {
            registry.unregister(account, gateway);
            context.getLog().info("Trading service of account {} stopped", account);
            return Behaviors.same();
          })
          .build();
    });
  }
}
