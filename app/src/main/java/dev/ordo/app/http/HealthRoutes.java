package dev.ordo.app.http;

import dev.ordo.app.EngineQueries;
import dev.ordo.app.api.StatusView;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /health} (liveness, open to all) and {@code GET /status} (service, replay clock and
 * progress, instruments; what the caller's token may see).
 */
public final class HealthRoutes extends AllDirectives {

  private final EngineQueries queries;

  public HealthRoutes(EngineQueries queries) {
    this.queries = queries;
  }

  /** {@code GET /health}: no token needed, so a load balancer or a supervisor can probe it. */
  public Route health() {
    return path("health", () -> get(() -> completeOK(Map.of("status", "UP"), Jackson.marshaller(Json.mapper()))));
  }

  /** {@code GET /status} as {@code principal} may see it ({@link #statusOf}). */
  public Route status(ApiTokens.Principal principal) {
    return path("status", () -> get(() -> onSuccess(statusOf(principal), status -> completeOK(status, Jackson.marshaller(Json.mapper())))));
  }

  /**
   * {@code GET /cluster}: the nodes and the entities on each ({@link dev.ordo.app.api.ClusterView}); for the tokens that see every
   * account (admin, read), 403 for an account's token (the counts span accounts).
   */
  public Route cluster(ApiTokens.Principal principal) {
    return path("cluster", () -> get(() -> {
      if (!principal.scope().seesEveryAccount())
        return complete(org.apache.pekko.http.javadsl.model.StatusCodes.FORBIDDEN, new Json.Error("forbidden",
            "GET /cluster is for admin and read tokens: its counts span every account"), Jackson.marshaller(Json.mapper()));
      return onSuccess(queries.cluster(), view -> completeOK(view, Jackson.marshaller(Json.mapper())));
    }));
  }

  /** The status as {@code principal} may see it: the accounts its scope sees. The answer of {@code GET /status}, and pushed by the live feed. */
  public CompletionStage<StatusView> statusOf(ApiTokens.Principal principal) {
    return queries.status().thenApply(status -> status.visibleTo(principal.scope()::seesAccount));
  }
}
