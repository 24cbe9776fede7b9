package dev.ordo.app.http;

import java.util.List;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web dashboard: its page and files ({@code GET /} and {@code GET /dashboard/...}, from the jar's {@code dashboard/} folder,
 * without a token: they hold no data, every call for data carries the token) and its live feed ({@code GET /events}, Server-Sent
 * Events of the journal's events, the bars and the status, with a token, filtered by its scope: {@link LiveEvents}), and
 * {@code GET /whoami}.
 */
public final class DashboardRoutes extends AllDirectives {

  /** The page loads only its own files and talks only to this server; no other site may frame it or see where it came from. */
  private static final List<HttpHeader> PAGE_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Cache-Control", "no-cache"));

  private final LiveEvents live;
  private final HealthRoutes health;

  /** {@code health} computes the status the feed pushes, as {@code GET /status} answers it. */
  public DashboardRoutes(LiveEvents live, HealthRoutes health) {
    this.live = live;
    this.health = health;
  }

  /** {@code GET /}: the page; {@code GET /dashboard/<file>}: its scripts, styles and the vendored chart library. */
  public Route page() {
    // the paths first, the method inside: another path is not this route's (an OPTIONS of an unknown path stays 404)
    return concat(
        pathSingleSlash(() -> get(() -> respondWithHeaders(PAGE_HEADERS, () -> getFromResource("dashboard/index.html")))),
        pathPrefix("dashboard", () -> get(() -> respondWithHeaders(PAGE_HEADERS, () -> getFromResourceDirectory("dashboard")))));
  }

  /**
   * Who a token is, for the dashboard to show what its scope allows: {@code subject}, {@code scope} ({@code admin}, {@code read} or
   * {@code account:<id>}) and {@code controls} (whether it may start, stop, halt, resume and run tasks).
   */
  public record Whoami(String subject, String scope, boolean controls) {}

  /** {@code GET /whoami}: the caller's token as {@link Whoami} (never the token itself). */
  public Route whoami(ApiTokens.Principal principal) {
    return path("whoami", () -> get(() -> completeOK(new Whoami(principal.subject(), principal.scope().toString(),
        principal.scope().allowsMethod("POST")), org.apache.pekko.http.javadsl.marshallers.jackson.Jackson.marshaller(Json.mapper()))));
  }

  /** {@code GET /events}: the live feed as {@code principal} may see it. */
  public Route events(ApiTokens.Principal principal) {
    return path("events", () -> get(() -> completeOK(live.stream(principal, () -> health.statusOf(principal)),
        EventStreamMarshalling.toEventStream())));
  }
}
