package dev.ordo.app.http;

import dev.ordo.app.EngineQueries;
import java.util.Map;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /health} (liveness) and {@code GET /status} (service, replay clock and progress, instruments). */
public final class HealthRoutes extends AllDirectives {

  private final EngineQueries queries;

  public HealthRoutes(EngineQueries queries) {
    this.queries = queries;
  }

  public Route routes() {
    return concat(
        path("health", () -> get(() -> completeOK(Map.of("status", "UP"), Jackson.marshaller(Json.mapper())))),
        path("status", () -> get(() -> onSuccess(queries.status(), status -> completeOK(status, Jackson.marshaller(Json.mapper()))))));
  }
}
