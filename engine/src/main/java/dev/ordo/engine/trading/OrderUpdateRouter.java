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
 * {@link Position} of its account and instrument (the account's position is the sum of every
 * source's), and (with risk checks) first to the account's {@link dev.ordo.engine.risk.AccountRisk},
 * so the checks know a fill before a strategy or expert can act on it. The returned stage completes
 * when all have journaled it (each applies a trade id once), and fails when one does not answer within
 * {@code timeout}.
 */
public final class OrderUpdateRouter implements OrderUpdateListener {

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final boolean riskChecks;

  /** A router without risk checks (the {@link dev.ordo.engine.risk.AccountRisk} entity type is not needed). */
  public OrderUpdateRouter(ActorSystem<?> system, Duration timeout) {
    this(system, timeout, false);
  }

  /** @param riskChecks whether fills go to the accounts' {@link dev.ordo.engine.risk.AccountRisk} too (its entity type initialized) */
  public OrderUpdateRouter(ActorSystem<?> system, Duration timeout, boolean riskChecks) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
    this.riskChecks = riskChecks;
  }

  @Override
  public CompletionStage<Done> onFill(AccountId account, Fill fill) {
    if (!riskChecks) return toEntities(account, fill);
    return sharding.entityRefFor(dev.ordo.engine.risk.AccountRisk.ENTITY_TYPE_KEY, account.value())
        .<Done>ask(replyTo -> new dev.ordo.engine.risk.AccountRisk.ApplyFill(fill, replyTo), timeout)
        .thenCompose(done -> toEntities(account, fill));
  }

  private CompletionStage<Done> toEntities(AccountId account, Fill fill) {
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
