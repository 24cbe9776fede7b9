package dev.ordo.app.http;

import dev.ordo.app.audit.AuditInput;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /audit/{entityType}/{entityId}[?asOf=INSTANT&from=SEQ&limit=N]}: an entity's journaled
 * events, a page at a time ({@code from} the first sequence number, default 1; {@code limit} 1..1000,
 * default 100), and with {@code asOf} only the events up to that instant and the state they fold to
 * (by the entity's own event handler). Read through the read journal of the engine's own actor
 * system. An unknown entity type or id answers 404, a bad parameter 400 naming it and its form; so
 * does an entity of an account the caller's token may not see (404, as if it did not exist).
 */
public final class AuditRoutes extends AllDirectives {

  /** The routes as {@code principal} may use them. */
  public Route routes(ApiTokens.Principal principal) {
    return pathPrefix("audit", () -> path(PathMatchers.segment().slash(PathMatchers.segment()), (type, id) -> get(() ->
        parameterOptional("asOf", asOf -> parameterOptional("from", from -> parameterOptional("limit", limit ->
            extractActorSystem(classic -> audit(Adapter.toTyped(classic), principal, type, id, asOf, from, limit))))))));
  }

  private Route audit(ActorSystem<?> system, ApiTokens.Principal principal, String typeName, String id, Optional<String> asOfText,
      Optional<String> fromText, Optional<String> limitText) {
    Optional<AuditedEntity.Type> type = AuditedEntity.Type.named(typeName);
    if (type.isEmpty())
      return error(StatusCodes.NOT_FOUND, "unknown entity type", "'" + typeName + "' is not an entity type; the types are " + AuditedEntity.Type.names());
    AuditedEntity entity;
    try {
      entity = AuditedEntity.of(type.get(), id);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.NOT_FOUND, "unknown entity", e.getMessage());
    }
    if (!principal.scope().seesJournalOf(entity.account())) return error(StatusCodes.NOT_FOUND, "unknown entity", "the journal holds no events of " + entity);
    Instant asOf;
    long from;
    int limit;
    try {
      asOf = asOfText.map(text -> parameter("asOf", () -> AuditInput.instant(text))).orElse(null);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, "bad asOf", e.getMessage());
    }
    try {
      from = fromText.map(text -> parameter("from", () -> Long.parseLong(text))).orElse(1L);
      if (from < 1) throw new IllegalArgumentException("from must be a sequence number (1 or more), got " + from);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, "bad from", e.getMessage());
    }
    try {
      limit = limitText.map(text -> parameter("limit", () -> Integer.parseInt(text))).orElse(Auditor.DEFAULT_LIMIT);
      if (limit < 1 || limit > Auditor.MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + Auditor.MAX_LIMIT + ", got " + limit);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, "bad limit", e.getMessage());
    }
    Auditor auditor = new Auditor(system, AuditInput.strategies(system.settings().config()));
    return onSuccess(auditor.history(entity), history -> history.entries().isEmpty()
        ? error(StatusCodes.NOT_FOUND, "unknown entity", "the journal holds no events of " + entity)
        : completeOK(auditor.page(history, asOf, from, limit), Jackson.marshaller(Json.mapper())));
  }

  /** {@code parse}'s value; its failure becomes an IllegalArgumentException naming {@code name}. */
  private static <T> T parameter(String name, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got " + e.getMessage().replaceFirst("^For input string: ", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith(name) ? e.getMessage() : name + " " + e.getMessage(), e);
    }
  }

  private Route error(StatusCode status, String error, String detail) {
    return complete(status, new Json.Error(error, detail), Jackson.marshaller(Json.mapper()));
  }
}
