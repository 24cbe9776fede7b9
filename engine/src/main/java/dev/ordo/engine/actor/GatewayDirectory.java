package dev.ordo.engine.actor;

import dev.ordo.engine.model.AccountId;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Finds the {@link BrokerGateway} of an account for the sharded entities that place orders.
 * The trading service of an account registers its gateway when it starts.
 */
public interface GatewayDirectory {

  /**
   * The gateway of {@code account}.
   *
   * @throws IllegalStateException when the account's trading service is not running
   */
  ActorRef<BrokerGateway.Command> gateway(AccountId account);
}
