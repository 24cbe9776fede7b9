package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trade ids an entity applied, for the fills of the last {@link #RETENTION} of fill time: what makes "a fill is applied once
 * per {@link TradeId}" hold without keeping every id of the entity's history in its state. A fill whose execution time is more
 * than {@code RETENTION} before the latest fill applied is taken as already applied without looking its id up: brokers deliver a
 * fill again after a reconnect, a restart or a reconciliation of the same day's trade book (Kotak Neo's trade book holds the
 * day's trades), never a week later, so such a fill is a replay of one applied and forgotten, not a new one. Immutable; the
 * window moves with the fills' own times, so recovery folds to the same value whatever the wall clock says.
 *
 * <p>Journals and snapshots written before the window kept every id as a JSON array of ids: those are read as ids of unknown time,
 * kept until the first fill applied after them and then for {@code RETENTION} more (they were all executed before it).
 *
 * @param ids    each remembered trade id with its fill's execution time (null: of an old snapshot, time unknown), in the order applied
 * @param latest the latest execution time of the fills applied, null before the first (or when only old ids are known)
 */
public record AppliedTradeIds(List<Entry> ids, Instant latest) {

  /** How long (of fill time) a trade id is remembered after the latest fill. */
  public static final Duration RETENTION = Duration.ofDays(7);

  /** No fill applied yet. */
  public static final AppliedTradeIds NONE = new AppliedTradeIds(List.of(), null);

  /** A remembered trade id and its fill's execution time (null when an old snapshot did not say). */
  public record Entry(TradeId id, Instant at) {}

  public AppliedTradeIds {
    ids = ids == null ? List.of() : List.copyOf(ids);
  }

  /** Reads both shapes: {@code {"ids":[{"id":...,"at":...}],"latest":...}} and the old array of ids. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static AppliedTradeIds fromJson(JsonNode json) {
    if (json == null || json.isNull()) return NONE;
    List<Entry> entries = new ArrayList<>();
    if (json.isArray()) {
      for (JsonNode id : json) entries.add(new Entry(TradeId.of(id.asText()), null));
      return new AppliedTradeIds(entries, null);
    }
    for (JsonNode entry : json.path("ids"))
      entries.add(new Entry(TradeId.of(entry.path("id").asText()), entry.hasNonNull("at") ? Instant.parse(entry.get("at").asText()) : null));
    JsonNode latest = json.get("latest");
    return new AppliedTradeIds(entries, latest == null || latest.isNull() ? null : Instant.parse(latest.asText()));
  }

  /** Old ids (of no known time): a state written before the window, as an array of ids. */
  public static AppliedTradeIds ofOld(Set<TradeId> ids) {
    List<Entry> entries = new ArrayList<>();
    for (TradeId id : ids) entries.add(new Entry(id, null));
    return new AppliedTradeIds(entries, null);
  }

  /**
   * True when {@code fill} was applied: its trade id is remembered, or it was executed more than {@link #RETENTION} before the
   * latest fill applied (see the class).
   */
  public boolean applied(Fill fill) {
    Instant at = fill.tsEvent().toInstant();
    if (latest != null && at.isBefore(latest.minus(RETENTION))) return true;
    for (Entry entry : ids) if (entry.id().equals(fill.tradeId())) return true;
    return false;
  }

  /** True when {@code fill} is applied but too old to be looked up (what {@link #applied} decides by time alone). */
  public boolean tooOld(Fill fill) {
    return latest != null && fill.tsEvent().toInstant().isBefore(latest.minus(RETENTION));
  }

  /** These ids with {@code fill}'s; the ids of fills more than {@link #RETENTION} before the latest are forgotten. */
  public AppliedTradeIds with(Fill fill) {
    Instant at = fill.tsEvent().toInstant();
    Instant next = latest == null || at.isAfter(latest) ? at : latest;
    Instant horizon = next.minus(RETENTION);
    List<Entry> kept = new ArrayList<>(ids.size() + 1);
    for (Entry entry : ids) {
      // an old id of unknown time was executed before this fill: it is stamped with this fill's time and kept RETENTION more
      Entry known = entry.at() == null ? new Entry(entry.id(), at) : entry;
      if (!known.at().isBefore(horizon)) kept.add(known);
    }
    kept.add(new Entry(fill.tradeId(), at));
    return new AppliedTradeIds(kept, next);
  }

  /** The remembered trade ids, in the order applied. */
  @JsonIgnore
  public Set<TradeId> recent() {
    Map<TradeId, Boolean> set = new LinkedHashMap<>();
    for (Entry entry : ids) set.put(entry.id(), Boolean.TRUE);
    return Collections.unmodifiableSet(set.keySet());
  }

  /** How many trade ids are remembered. */
  public int size() {
    return ids.size();
  }
}
