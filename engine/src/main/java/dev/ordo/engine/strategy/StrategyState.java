package dev.ordo.engine.strategy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ordo.engine.OrdoSerializable;

/**
 * Immutable state of one strategy for one instrument. Journaled in snapshots as JSON with
 * a {@code strategy} type name; a new strategy adds its state record here.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "strategy")
@JsonSubTypes({@JsonSubTypes.Type(value = EightyTwentyStrategy.State.class, name = "80-20")})
public interface StrategyState extends OrdoSerializable {}
