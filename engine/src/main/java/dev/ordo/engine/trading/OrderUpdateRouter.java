package dev.ordo.engine.trading;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.port.OrderUpdateListener;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Delivers every fill pushed by the broker to the order's owner (the {@link SymbolTrader} of its
 * account and instrument, or the expert its ClientOrderId names: {@link OrderSources}) and to the
 * {@link Position} of its account and instrument (the account's position is the sum of every source's). The returned stage completes when both have journaled it (each
 * applies a trade id once), and fails when either does not answer within {@code timeout}.
 */
public final class OrderUpdateRouter implements OrderUpdateListener {

  private final ClusterSharding sharding;
  private final Duration timeout;

  public OrderUpdateRouter(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Done> onFill(AccountId account, Fill fill) {
    java.util.Optional<String> expert = OrderSources.expertOf(fill.clientOrderId());
    CompletableFuture<Done> trader = expert.isPresent()
        ? sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, expert.get())
            .<Done>ask(replyTo -> new dev.ordo.engine.expert.Expert.ApplyFill(fill, replyTo), timeout).toCompletableFuture()
        : sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, fill.instrumentId()))
            .<Done>ask(replyTo -> new SymbolTrader.ApplyFill(fill, replyTo), timeout)
            .toCompletableFuture();
    CompletableFuture<Done> position = sharding
        .entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, fill.instrumentId()))
        .<Done>ask(replyTo -> new Position.ApplyFill(fill, replyTo), timeout)
        .toCompletableFuture();
    return CompletableFuture.allOf(trader, position).thenApply(ignored -> Done.getInstance());
  }
}
