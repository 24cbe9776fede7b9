package dev.ordo.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.AuditInput;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.app.http.Json;
import dev.ordo.engine.model.ClientOrderId;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo audit}: a stopped engine's journal, read back. One entity's events (and with
 * {@code --as-of} its state then, folded by the entity's own event handler), the list of entities
 * ({@code --list}), or why an order was placed ({@code --explain}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Read a stopped engine's journal: an entity's events and its state as of an instant, the entities, or why an order was placed.",
        "  ordo audit --data-dir DIR ENTITY_TYPE ENTITY_ID [--as-of INSTANT] [--format table|json]",
        "  ordo audit --data-dir DIR --list",
        "  ordo audit --data-dir DIR --explain CLIENT_ORDER_ID"})
final class AuditCommand implements Callable<Integer> {

  @Option(names = "--data-dir", defaultValue = "ordo-data", paramLabel = "DIR", description = "The stopped engine's data folder (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @picocli.CommandLine.Mixin
  JournalOptions journalOptions = new JournalOptions();

  @Parameters(index = "0", arity = "0..1", paramLabel = "ENTITY_TYPE",
      description = "symbol-trader, position, paper-venue, replay-run or reconciler.")
  String entityType;

  @Parameters(index = "1", arity = "0..1", paramLabel = "ENTITY_ID",
      description = "As the HTTP API shows it: paper:TCS-EQ.NSE (symbol-trader, position), paper (the others).")
  String entityId;

  @Option(names = "--as-of", paramLabel = "INSTANT", description = "Also show the state after the events up to this time, e.g. 2024-01-15T10:00:00+05:30.")
  String asOf;

  @Option(names = "--from", defaultValue = "1", paramLabel = "SEQ", description = "First sequence number shown (default ${DEFAULT-VALUE}).")
  long from;

  @Option(names = "--limit", paramLabel = "N", description = "At most N events shown (default all).")
  Integer limit;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format (default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--list", description = "List the entities of the journal.")
  boolean list;

  @Option(names = "--explain", paramLabel = "CLIENT_ORDER_ID", description = "The bar and the strategy state that produced this order.")
  String explain;

  @Override
  public Integer call() throws Exception {
    Instant instant;
    AuditedEntity entity = null;
    try {
      if (!format.equals("table") && !format.equals("json")) throw new IllegalArgumentException("--format must be table or json, got '" + format + "'");
      instant = asOf == null ? null : parsedAsOf();
      if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be 1 or more, got " + limit);
      if (from < 1) throw new IllegalArgumentException("--from must be a sequence number (1 or more), got " + from);
      int modes = (list ? 1 : 0) + (explain != null ? 1 : 0) + (entityType != null ? 1 : 0);
      if (modes != 1) throw new IllegalArgumentException("give one of: ENTITY_TYPE ENTITY_ID, --list, --explain CLIENT_ORDER_ID");
      if (entityType != null) {
        AuditedEntity.Type type = AuditedEntity.Type.named(entityType).orElseThrow(() -> new IllegalArgumentException(
            "unknown entity type '" + entityType + "'; the types are " + AuditedEntity.Type.names()));
        if (entityId == null) throw new IllegalArgumentException("give the " + entityType + "'s ENTITY_ID: " + type.idForm());
        entity = AuditedEntity.of(type, entityId);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("ordo audit: " + e.getMessage());
      return StartFailure.USAGE;
    }
    PrintStream out = System.out;
    try (OfflineJournal journal = OfflineJournal.open(dataDir, journalOptions.over(ConfigFactory.load(), System.getenv()))) {
      Auditor auditor = journal.auditor();
      Auditor.Listing listing = auditor.entities().toCompletableFuture().get(5, TimeUnit.MINUTES);
      if (listing.entities().isEmpty() && listing.unknown().isEmpty()) {
        System.err.println("ordo audit: the journal of " + dataDir.toAbsolutePath().normalize() + " holds no events");
        return StartFailure.ENVIRONMENT;
      }
      if (list) return list(listing, out);
      if (explain != null) return explain(auditor, out);
      Auditor.History history = auditor.history(entity).toCompletableFuture().get(5, TimeUnit.MINUTES);
      if (history.entries().isEmpty()) {
        System.err.println("ordo audit: no " + entity + " in the journal (ordo audit --list shows the entities)");
        return StartFailure.ENVIRONMENT;
      }
      Auditor.AuditPage page = auditor.page(history, instant, from, limit == null ? Integer.MAX_VALUE : limit);
      if (format.equals("json")) out.println(pretty(page));
      else printTable(page, out);
      out.flush();
      return 0;
    }
  }

  private Instant parsedAsOf() {
    try {
      return AuditInput.instant(asOf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--as-of " + e.getMessage());
    }
  }

  private int list(Auditor.Listing listing, PrintStream out) throws JsonProcessingException {
    if (format.equals("json")) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("entities", listing.entities().stream().map(e -> Map.of("entityType", e.type().auditName(), "entityId", e.id(),
          "persistenceId", e.persistenceId())).toList());
      body.put("unknownJournals", listing.unknown());
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } else {
      out.printf("%-16s %s%n", "ENTITY_TYPE", "ENTITY_ID");
      for (AuditedEntity e : listing.entities()) out.printf("%-16s %s%n", e.type().auditName(), e.id());
      for (String unknown : listing.unknown()) out.printf("%-16s %s%n", "(unknown)", unknown);
    }
    out.flush();
    return 0;
  }

  private int explain(Auditor auditor, PrintStream out) throws Exception {
    Optional<Auditor.Explanation> found = auditor.explain(ClientOrderId.of(explain)).toCompletableFuture().get(5, TimeUnit.MINUTES);
    if (found.isEmpty()) {
      System.err.println("ordo audit: no symbol trader of the journal submitted order " + explain);
      return StartFailure.ENVIRONMENT;
    }
    Auditor.Explanation e = found.get();
    if (format.equals("json")) {
      out.println(pretty(e));
    } else {
      out.printf("order %s of %s %s%n", e.clientOrderId(), e.entityType(), e.entityId());
      out.printf("intent     %s%n", line(e.order()));
      out.printf("decided by %s%n", e.cause() == null ? "(no event carrying a strategy state before it)" : line(e.cause()));
      out.printf("bar        %s%n", e.bar() == null ? "(none applied yet)" : e.bar().time() + " " + compact(e.bar().payload().get("bar")));
      out.printf("strategy   %s%n", e.strategy() == null ? "(not journaled)" : compact(e.strategy()));
    }
    out.flush();
    return 0;
  }

  private static void printTable(Auditor.AuditPage page, PrintStream out) throws JsonProcessingException {
    out.printf("%s %s (%s): %d events%s%n", page.entityType(), page.entityId(), page.persistenceId(), page.totalEvents(),
        page.asOf() == null ? "" : " up to " + page.asOf());
    out.printf("%8s  %-25s  %-22s  %s%n", "SEQ", "TIME", "TYPE", "PAYLOAD");
    for (Auditor.EventView event : page.events()) out.printf("%8d  %-25s  %-22s  %s%n", event.sequenceNr(), event.time(), event.type(),
        compact(event.payload()));
    if (page.nextFrom() != null) out.printf("... more from --from %d%n", page.nextFrom());
    if (page.state() != null) {
      out.printf("state as of %s (after #%d):%n", page.asOf(), page.state().sequenceNr());
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(page.state().value()));
    }
  }

  private static String line(Auditor.EventView event) throws JsonProcessingException {
    return "#" + event.sequenceNr() + " " + event.time() + " " + event.type() + " " + compact(event.payload());
  }

  private static String compact(JsonNode node) throws JsonProcessingException {
    return Json.mapper().writeValueAsString(node);
  }

  private static String pretty(Object value) throws JsonProcessingException {
    return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
  }
}
