package dev.ordo.engine.broker;

import dev.ordo.engine.model.AccountId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * How an actor that places orders (a symbol trader) reaches its account's {@link BrokerGateway}
 * wherever the gateway runs: the gateway registers under {@link BrokerGateway#serviceKey} with
 * Pekko's receptionist, and the link subscribes to that key. Calls made while no gateway is listed
 * (before the first listing arrives, or while the account's service is stopped) wait, in order, and
 * go out as soon as one is. Owned by one actor and used only from its message handlers.
 */
public final class GatewayLink {

  private final AccountId account;
  private ActorRef<BrokerGateway.Command> gateway;
  private final List<BrokerGateway.Execute> waiting = new ArrayList<>();

  private GatewayLink(AccountId account) {
    this.account = account;
  }

  /**
   * Subscribes the actor of {@code context} to the gateway of {@code account}; {@code adapt} turns a
   * receptionist listing into one of the actor's messages, whose handler calls {@link #onListing}.
   */
  public static <T> GatewayLink subscribe(ActorContext<T> context, AccountId account, Function<Receptionist.Listing, T> adapt) {
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, adapt::apply);
    context.getSystem().receptionist().tell(Receptionist.subscribe(BrokerGateway.serviceKey(account), listings));
    return new GatewayLink(account);
  }

  /** A new listing of the account's gateways: the first one is used, and the waiting calls go to it. */
  public void onListing(Receptionist.Listing listing) {
    Set<ActorRef<BrokerGateway.Command>> gateways = listing.getServiceInstances(BrokerGateway.serviceKey(account));
    gateway = gateways.isEmpty() ? null : gateways.iterator().next();
    if (gateway == null) return;
    for (BrokerGateway.Execute call : waiting) gateway.tell(call);
    waiting.clear();
  }

  /** Sends {@code call} to the gateway, or keeps it until one is listed. */
  public void send(BrokerGateway.Execute call) {
    if (gateway != null) gateway.tell(call);
    else waiting.add(call);
  }
}
