package dev.ordo.engine.model;

import java.time.Instant;

/** One trade printed by the venue: price in instrument currency, size in instrument units. */
public record TradeTick(InstrumentId instrumentId, Price price, Quantity size, Instant tsEvent) {}
