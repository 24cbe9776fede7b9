package dev.ordo.app.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import org.apache.pekko.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Reads entities back from the journal for an audit: their events (sequence number, time, type,
 * the payload as journaled) and their state as of an instant, folded by each entity's own event
 * handler, so the audit shows what the engine recovers. Also explains an order: the event that
 * decided it, with the strategy's state and the bar. Works on a running engine's actor system and on
 * one started offline over a stopped engine's journal.
 */
public final class Auditor {

  /** Events per page when no limit is given. */
  public static final int DEFAULT_LIMIT = 100;
  /** The largest page the HTTP API serves. */
  public static final int MAX_LIMIT = 1000;

  private static final Pattern ORDER_ID = Pattern.compile("(.+)-\\d+");

  private final JournalReader journal;
  private final ObjectMapper mapper;
  private final Function<InstrumentId, Strategy> strategies;

  /**
   * @param system     an actor system configured with the journal (its read journal and serializers are used)
   * @param strategies the strategy of each instrument, for symbol traders (see {@link SymbolTrader#applyEvent})
   */
  public Auditor(ActorSystem<?> system, Function<InstrumentId, Strategy> strategies) {
    this.journal = JournalReader.of(system);
    // The journal's mapper, with actor references written as their path: the reference's own serializer needs a remoting context.
    this.mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty()).copy()
        .registerModule(new SimpleModule("audit-actor-refs").addSerializer(ActorRef.class, new StdSerializer<ActorRef>(ActorRef.class) {
          @Override
          public void serialize(ActorRef ref, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString(ref.path().toString());
          }
        }));
    this.strategies = strategies;
  }

  /**
   * An entity's journal.
   *
   * @param entity  the entity
   * @param entries its events in sequence order; empty when the journal holds none
   */
  public record History(AuditedEntity entity, List<JournalReader.Entry> entries) {

    public History {
      entries = List.copyOf(entries);
    }
  }

  /**
   * One event as the audit shows it.
   *
   * @param sequenceNr  its number in the entity's journal, from 1
   * @param time        the event's own time ({@code tsEvent}: the engine clock, i.e. market time in a replay), in the
   *                    entity's venue offset; the journal's write time for an event without one
   * @param journaledAt when the journal wrote it (wall clock)
   * @param type        the event class's simple name, e.g. {@code FillApplied}
   * @param payload     the event as journaled (JSON)
   */
  public record EventView(long sequenceNr, OffsetDateTime time, OffsetDateTime journaledAt, String type, JsonNode payload) {}

  /**
   * The state rebuilt from the events up to an instant.
   *
   * @param sequenceNr    the last event folded (0: none, the initial state)
   * @param value         the state as the entity holds it (JSON)
   */
  public record StateView(long sequenceNr, JsonNode value) {}

  /**
   * A page of an entity's audit.
   *
   * @param totalEvents events in the entity's journal (up to {@code asOf} when given)
   * @param events      this page's events
   * @param nextFrom    the {@code from} of the next page, null on the last
   * @param asOf        the instant asked for, null when none
   * @param state       the state as of {@code asOf}, null when no instant was asked for
   */
  public record AuditPage(String entityType, String entityId, String persistenceId, long totalEvents, List<EventView> events, Long nextFrom,
      OffsetDateTime asOf, StateView state) {}

  /**
   * Why an order was placed, from the journal alone.
   *
   * @param order    the order intent ({@code OrderSubmitted})
   * @param cause    the event that decided it, carrying the strategy's state after it (a bar, a session event, a fill, a broker's answer)
   * @param bar      the last bar applied at or before the cause ({@code BarApplied}), null when none
   * @param strategy the strategy's state carried by the cause
   */
  public record Explanation(String clientOrderId, String entityType, String entityId, EventView order, EventView cause, EventView bar,
      JsonNode strategy) {}

  /** The entities the journal holds, by type then id, and the persistence ids Ordo does not know (none normally). */
  public record Listing(List<AuditedEntity> entities, List<String> unknown) {}

  /** Every entity with events in the journal. */
  public CompletionStage<Listing> entities() {
    return journal.persistenceIds().thenApply(ids -> {
      List<AuditedEntity> entities = new ArrayList<>();
      List<String> unknown = new ArrayList<>();
      for (String id : ids) AuditedEntity.ofPersistenceId(id).ifPresentOrElse(entities::add, () -> unknown.add(id));
      entities.sort(Comparator.comparing((AuditedEntity e) -> e.type().ordinal()).thenComparing(AuditedEntity::id));
      return new Listing(entities, unknown);
    });
  }

  /** The whole journal of {@code entity} (empty entries when it has none). */
  public CompletionStage<History> history(AuditedEntity entity) {
    return journal.events(entity.persistenceId()).thenApply(entries -> new History(entity, entries));
  }

  /**
   * A page of {@code history}: up to {@code limit} events from sequence number {@code from}, and
   * with {@code asOf} only the events up to that instant (the prefix of the journal whose times are
   * at or before it) and the state they fold to.
   *
   * @throws IllegalArgumentException when {@code from < 1} or {@code limit < 1}
   */
  public AuditPage page(History history, Instant asOf, long from, int limit) {
    if (from < 1) throw new IllegalArgumentException("from must be a sequence number (1 or more), got " + from);
    if (limit < 1) throw new IllegalArgumentException("limit must be 1 or more, got " + limit);
    AuditedEntity entity = history.entity();
    int bound = asOf == null ? history.entries().size() : prefixUpTo(history, asOf);
    List<JournalReader.Entry> upTo = history.entries().subList(0, bound);
    List<EventView> events = new ArrayList<>();
    Long next = null;
    for (JournalReader.Entry entry : upTo) {
      if (entry.sequenceNr() < from) continue;
      if (events.size() == limit) {
        next = entry.sequenceNr();
        break;
      }
      events.add(view(entity, entry));
    }
    StateView state = asOf == null ? null : stateOf(history, bound);
    return new AuditPage(entity.type().auditName(), entity.id(), entity.persistenceId(), upTo.size(), events, next,
        asOf == null ? null : OffsetDateTime.ofInstant(asOf, entity.zone()), state);
  }

  /** The entity's state after its first {@code count} events, by its own event handler. */
  public Object stateAfter(History history, int count) {
    AuditedEntity entity = history.entity();
    Object state = entity.initialState(strategies);
    for (JournalReader.Entry entry : history.entries().subList(0, count)) state = entity.apply(strategies, state, entry.event());
    return state;
  }

  /** The entity's state after all its events. */
  public Object finalState(History history) {
    return stateAfter(history, history.entries().size());
  }

  private StateView stateOf(History history, int count) {
    long sequenceNr = count == 0 ? 0 : history.entries().get(count - 1).sequenceNr();
    return new StateView(sequenceNr, json(stateAfter(history, count)));
  }

  /** How many leading events of {@code history} happened at or before {@code asOf}. */
  private static int prefixUpTo(History history, Instant asOf) {
    int count = 0;
    for (JournalReader.Entry entry : history.entries()) {
      if (eventTime(entry).isAfter(asOf)) break;
      count++;
    }
    return count;
  }

  /** An event's own time ({@code tsEvent}), or when it was journaled for an event without one. */
  public static Instant eventTime(JournalReader.Entry entry) {
    Object event = entry.event();
    if (event instanceof Record) {
      for (RecordComponent component : event.getClass().getRecordComponents()) {
        if (!component.getName().equals("tsEvent") || component.getType() != Instant.class) continue;
        try {
          Instant at = (Instant) component.getAccessor().invoke(event);
          if (at != null) return at;
        } catch (IllegalAccessException | InvocationTargetException e) {
          break;
        }
      }
    }
    return entry.written();
  }

  /** {@code entry} as the audit shows it. */
  public EventView view(AuditedEntity entity, JournalReader.Entry entry) {
    return new EventView(entry.sequenceNr(), OffsetDateTime.ofInstant(eventTime(entry), entity.zone()),
        OffsetDateTime.ofInstant(entry.written(), entity.zone()), entry.event().getClass().getSimpleName(), json(entry.event()));
  }

  /** {@code value} as the journal's serializer writes it (the JSON stored in the journal). */
  public JsonNode json(Object value) {
    return mapper.valueToTree(value);
  }

  /**
   * Explains the order {@code clientOrderId}: the symbol trader that placed it, its intent, the
   * event that decided it and the strategy's state after that event, and the bar. Empty when no
   * symbol trader of the journal placed such an order.
   */
  public CompletionStage<Optional<Explanation>> explain(ClientOrderId clientOrderId) {
    return entities().thenCompose(listing -> {
      List<AuditedEntity> traders = new ArrayList<>(listing.entities().stream().filter(e -> e.type() == AuditedEntity.Type.SYMBOL_TRADER).toList());
      Matcher symbol = ORDER_ID.matcher(clientOrderId.value());
      if (symbol.matches()) traders.sort(Comparator.comparing(e -> !e.instrument().symbol().equals(symbol.group(1))));
      return explainIn(traders, 0, clientOrderId);
    });
  }

  private CompletionStage<Optional<Explanation>> explainIn(List<AuditedEntity> traders, int index, ClientOrderId clientOrderId) {
    if (index == traders.size()) return CompletableFuture.completedFuture(Optional.empty());
    return history(traders.get(index)).thenCompose(history -> {
      Optional<Explanation> found = explainIn(history, clientOrderId);
      return found.isPresent() ? CompletableFuture.completedFuture(found) : explainIn(traders, index + 1, clientOrderId);
    });
  }

  /**
   * The explanation of {@code clientOrderId} in one trader's journal. The decision is journaled in
   * one write with the order: a market event or a fill comes first, followed by the orders it
   * caused; a broker's answer (a refused stop replaced by a sale) comes just after them.
   */
  private Optional<Explanation> explainIn(History history, ClientOrderId clientOrderId) {
    List<JournalReader.Entry> entries = history.entries();
    int at = -1;
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).event() instanceof SymbolTrader.OrderSubmitted submitted && submitted.clientOrderId().equals(clientOrderId)) {
        at = i;
        break;
      }
    }
    if (at < 0) return Optional.empty();
    SymbolTrader.OrderSubmitted order = (SymbolTrader.OrderSubmitted) entries.get(at).event();
    int cause = -1;
    int after = at + 1;
    while (after < entries.size() && isOrderRequest(entries.get(after).event())) after++;
    if (after < entries.size() && entries.get(after).event() instanceof SymbolTrader.StrategyEvent answer
        && !(answer instanceof SymbolTrader.MarketEvent) && !(answer instanceof SymbolTrader.OrderFilled)
        && answer.tsEvent().equals(order.tsEvent())) {
      cause = after;
    }
    for (int i = at - 1; cause < 0 && i >= 0; i--) if (entries.get(i).event() instanceof SymbolTrader.StrategyEvent) cause = i;
    int bar = -1;
    for (int i = cause < 0 ? at : cause; bar < 0 && i >= 0; i--) if (entries.get(i).event() instanceof SymbolTrader.BarApplied) bar = i;
    AuditedEntity entity = history.entity();
    EventView causeView = cause < 0 ? null : view(entity, entries.get(cause));
    JsonNode strategy = cause < 0 ? null : json(((SymbolTrader.StrategyEvent) entries.get(cause).event()).strategy());
    return Optional.of(new Explanation(clientOrderId.value(), entity.type().auditName(), entity.id(), view(entity, entries.get(at)), causeView,
        bar < 0 ? null : view(entity, entries.get(bar)), strategy));
  }

  private static boolean isOrderRequest(Object event) {
    return event instanceof SymbolTrader.OrderSubmitted || event instanceof SymbolTrader.OrderModifyRequested
        || event instanceof SymbolTrader.OrderCancelRequested;
  }
}
