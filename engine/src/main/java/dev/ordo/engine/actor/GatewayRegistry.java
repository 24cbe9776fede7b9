package dev.ordo.engine.actor;

import dev.ordo.engine.model.AccountId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The gateways of the accounts running in this JVM: {@link TradingService} registers its gateway
 * when it starts and removes it when it stops. Thread-safe.
 */
public final class GatewayRegistry implements GatewayDirectory {

  private final Map<AccountId, ActorRef<BrokerGateway.Command>> gateways = new ConcurrentHashMap<>();

  void register(AccountId account, ActorRef<BrokerGateway.Command> gateway) {
    gateways.put(account, gateway);
  }

  void unregister(AccountId account, ActorRef<BrokerGateway.Command> gateway) {
    gateways.remove(account, gateway);
  }

  @Override
  public ActorRef<BrokerGateway.Command> gateway(AccountId account) {
    ActorRef<BrokerGateway.Command> gateway = gateways.get(account);
    if (gateway == null) throw new IllegalStateException("trading service of account " + account + " is not running");
    return gateway;
  }
}
