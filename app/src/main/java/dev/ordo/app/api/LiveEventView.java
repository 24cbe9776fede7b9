package dev.ordo.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * One journaled event as the live feed ({@code GET /events}, Server-Sent Events) pushes it: the audit's view of the event
 * ({@code GET /audit/{entityType}/{entityId}} shows the same entity's events in the same shape) with the entity it belongs to.
 *
 * @param entityType  the audit's entity type, e.g. {@code position}
 * @param entityId    the audit's entity id, e.g. {@code paper:TCS-EQ.NSE}
 * @param account     the entity's account, null for the service manager and an expert
 * @param instrument  the entity's instrument ({@code SYMBOL.VENUE}), null for a per-account entity
 * @param sequenceNr  its number in the entity's journal, from 1
 * @param time        the event's own time (engine clock: market time in a replay), entity's venue offset
 * @param journaledAt when the journal wrote it (wall clock)
 * @param type        the event class's simple name, e.g. {@code FillApplied}
 * @param payload     the event as journaled (JSON)
 */
public record LiveEventView(String entityType, String entityId, String account, String instrument, long sequenceNr,
    OffsetDateTime time, OffsetDateTime journaledAt, String type, JsonNode payload) {}
