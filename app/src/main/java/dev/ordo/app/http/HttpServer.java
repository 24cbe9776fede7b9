package dev.ordo.app.http;

import dev.ordo.app.EngineQueries;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API server: all routes, JSON errors for rejections and failures, bound with
 * {@code Http.newServerAt} and unbound by Pekko's coordinated shutdown.
 */
public final class HttpServer extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final ServerBinding binding;

  private HttpServer(ServerBinding binding) {
    this.binding = binding;
  }

  /** Binds the API on {@code host}:{@code port} (0 picks a free port). */
  public static CompletionStage<HttpServer> start(ActorSystem<?> system, String host, int port, EngineQueries queries) {
    Route route = new HttpServer(null).allRoutes(queries);
    return Http.get(system).newServerAt(host, port).bind(route).thenApply(binding -> {
      binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      log.info("HTTP API listening on http://{}:{}", binding.localAddress().getHostString(), binding.localAddress().getPort());
      return new HttpServer(binding);
    });
  }

  private Route allRoutes(EngineQueries queries) {
    Route api = concat(new HealthRoutes(queries).routes(), new AccountRoutes(queries).routes(), new AuditRoutes().routes());
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> api));
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> {
          log.warn("HTTP request failed: {}", e.toString());
          return complete(StatusCodes.SERVICE_UNAVAILABLE, new Json.Error("unavailable", e.getClass().getSimpleName() + ": " + e.getMessage()),
              Jackson.marshaller(Json.mapper()));
        })
        .build();
  }

  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity().getContentType().mediaType().toString().startsWith("application/json")) return response;
      String text = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
          ? strict.getData().utf8String() : response.status().reason();
      String body;
      try {
        body = Json.mapper().writeValueAsString(new Json.Error(response.status().reason(), text));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        body = "{\"error\":\"" + response.status().reason() + "\"}";
      }
      return response.withEntity(org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, body);
    });
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return binding.localAddress();
  }
}
