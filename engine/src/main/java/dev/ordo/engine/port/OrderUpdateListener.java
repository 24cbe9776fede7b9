package dev.ordo.engine.port;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Receives the broker's pushed order updates (Kotak Neo's order-update WebSocket). The
 * returned stage completes when the engine has journaled the fill; the paper broker waits for
 * it so that a replay is deterministic. A fill may be delivered more than once; it is applied
 * once per {@code TradeId}.
 */
public interface OrderUpdateListener {

  /** A fill of one of the account's orders. */
  CompletionStage<Done> onFill(AccountId account, Fill fill);
}
