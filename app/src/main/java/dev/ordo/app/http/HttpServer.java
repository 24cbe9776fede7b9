package dev.ordo.app.http;

import dev.ordo.app.EngineQueries;
import dev.ordo.app.metrics.EngineMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API server: all routes, JSON errors for rejections, failures and requests refused by
 * the HTTP parser ({@link JsonParsingErrorHandler}), {@code OPTIONS} answered with the allowed
 * methods and {@code HEAD} wherever {@code GET} is (Pekko's transparent HEAD), bound with
 * {@code Http.newServerAt} and unbound by Pekko's coordinated shutdown.
 */
public final class HttpServer extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final ServerBinding binding;
  private final boolean https;

  private HttpServer(ServerBinding binding, boolean https) {
    this.binding = binding;
    this.https = https;
  }

  /**
   * Binds the API on {@code host}:{@code port} (0 picks a free port), over HTTPS with {@code tls} when
   * it is not null. Every route but {@code GET /health} needs one of {@code tokens} as
   * {@code Authorization: Bearer <token>}; {@code GET /metrics} renders {@code metrics}.
   */
  public static CompletionStage<HttpServer> start(ActorSystem<?> system, String host, int port, EngineQueries queries, ApiTokens tokens,
      SSLContext tls, EngineMetrics metrics) {
    long maxBody = system.settings().config().getBytes("pekko.http.server.parsing.max-content-length");
    Route route = new HttpServer(null, false).allRoutes(queries, tokens, metrics, maxBody, LiveEvents.start(system));
    ServerBuilder builder = Http.get(system).newServerAt(host, port);
    if (tls != null) builder = builder.enableHttps(ConnectionContext.httpsServer(tls));
    return builder.bind(route).thenApply(binding -> {
      binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      Duration every = system.settings().config().getDuration("ordo.http.malformed-request-log-interval");
      system.scheduler().scheduleAtFixedRate(every, every, () -> MalformedRequests.logSummary(log), system.executionContext());
      HttpServer server = new HttpServer(binding, tls != null);
      log.info("HTTP API listening on {}", server.url());
      return server;
    });
  }

  private Route allRoutes(EngineQueries queries, ApiTokens tokens, EngineMetrics metrics, long maxBody, LiveEvents live) {
    HealthRoutes health = new HealthRoutes(queries);
    AccountRoutes accounts = new AccountRoutes(queries);
    AuditRoutes audit = new AuditRoutes();
    ExpertRoutes experts = new ExpertRoutes(queries);
    DashboardRoutes dashboard = new DashboardRoutes(live, health);
    Route api = concat(health.health(), dashboard.page(), authenticated(tokens, principal -> concat(health.status(principal), health.cluster(principal),
        accounts.routes(principal), experts.routes(principal), audit.routes(principal), metrics(metrics, principal), dashboard.events(principal),
        dashboard.whoami(principal))));
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> bodyLimit(maxBody, api)));
  }

  /**
   * 413 for a request whose {@code Content-Length} is over {@code max} bytes
   * ({@code pekko.http.server.parsing.max-content-length}), before anything else: no route of the API
   * reads a large body, and Pekko enforces the limit only on a body a route reads.
   */
  private Route bodyLimit(long max, Route inner) {
    return extractRequestEntity(entity -> {
      java.util.OptionalLong length = entity.getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > max)
        return complete(StatusCodes.PAYLOAD_TOO_LARGE, new Json.Error("payload too large", "a request body may hold at most " + max
            + " bytes; this one has " + length.getAsLong()), Jackson.marshaller(Json.mapper()));
      return inner;
    });
  }

  /**
   * {@code GET /metrics}: the Prometheus text format, for an {@code admin} or {@code read} token (an
   * account's token gets 403: the figures cover every account).
   */
  private Route metrics(EngineMetrics metrics, ApiTokens.Principal principal) {
    return path("metrics", () -> get(() -> principal.scope() instanceof ApiScope.Account
        ? complete(StatusCodes.FORBIDDEN, new Json.Error("forbidden", "the metrics cover every account; use an admin or read token"),
            Jackson.marshaller(Json.mapper()))
        : onSuccess(metrics.scrape(),
            text -> complete(HttpResponse.create().withEntity(ContentTypes.create(MediaTypes.TEXT_PLAIN, HttpCharsets.UTF_8), text)))));
  }

  /**
   * {@code inner} with the request's principal, when its {@code Authorization: Bearer} token is one of
   * {@code tokens} and its scope allows the method; else 401 (no or a wrong token, with
   * {@code WWW-Authenticate}) or 403 (a {@code read} token on a method that changes something).
   */
  private Route authenticated(ApiTokens tokens, Function<ApiTokens.Principal, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> bearer = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip());
      Optional<ApiTokens.Principal> principal = bearer.flatMap(tokens::authenticate);
      if (principal.isEmpty()) {
        String detail = bearer.isEmpty() ? "this endpoint needs the header 'Authorization: Bearer <token>'"
            : "the bearer token is not one of this engine's tokens";
        return respondWithHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"ordo\""),
            () -> complete(StatusCodes.UNAUTHORIZED, new Json.Error("unauthorized", detail), Jackson.marshaller(Json.mapper())));
      }
      return extractMethod(method -> principal.get().scope().allowsMethod(method.name()) ? inner.apply(principal.get())
          : complete(StatusCodes.FORBIDDEN, new Json.Error("forbidden", "the token of " + principal.get().subject() + " has scope "
              + principal.get().scope() + ", which does not allow " + method.name()), Jackson.marshaller(Json.mapper())));
    });
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
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejected -> extractMethod(method -> {
          List<String> allowed = new ArrayList<>();
          for (MethodRejection r : rejected) allowed.add(r.supported().name());
          if (allowed.contains("GET")) allowed.add("HEAD");
          allowed.add("OPTIONS");
          String allow = String.join(", ", allowed);
          if (method.equals(HttpMethods.OPTIONS))
            return respondWithHeader(RawHeader.create("Allow", allow), () -> complete(StatusCodes.NO_CONTENT));
          return respondWithHeader(RawHeader.create("Allow", allow), () -> complete(StatusCodes.METHOD_NOT_ALLOWED,
              new Json.Error("Method Not Allowed", method.name() + " is not allowed here; allowed: " + allow), Jackson.marshaller(Json.mapper())));
        }))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(response -> {
          if (response.status().intValue() < 400 || response.entity().getContentType().mediaType().toString().startsWith("application/json"))
            return response;
          String text = response.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : response.status().reason();
          String body;
          try {
            body = Json.mapper().writeValueAsString(new Json.Error(response.status().reason(), text));
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = "{\"error\":\"" + response.status().reason() + "\"}";
          }
          return response.withEntity(ContentTypes.APPLICATION_JSON, body);
        });
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** The API's base URL, {@code http://127.0.0.1:8080} or {@code https://...} with TLS. */
  public String url() {
    String host = binding.localAddress().getHostString();
    return (https ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + binding.localAddress().getPort();
  }
}
