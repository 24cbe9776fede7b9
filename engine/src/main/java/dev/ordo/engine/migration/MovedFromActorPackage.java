package dev.ordo.engine.migration;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads events and snapshots journaled before the engine's actors were split by role (v0.1): their
 * manifest names a class of {@code dev.ordo.engine.actor}, which now lives in {@code trading} or
 * {@code broker}. The JSON is unchanged. Configured for each old class name in
 * {@code reference.conf} ({@code pekko.serialization.jackson.migrations}).
 */
public final class MovedFromActorPackage extends JacksonMigration {

  private static final Map<String, String> MOVED = Map.of(
      "dev.ordo.engine.actor.SymbolTrader$", "dev.ordo.engine.trading.SymbolTrader$",
      "dev.ordo.engine.actor.Position$", "dev.ordo.engine.trading.Position$",
      "dev.ordo.engine.actor.Reconciler$", "dev.ordo.engine.broker.Reconciler$");

  @Override
  public int currentVersion() {
    return 2;
  }

  /** @throws IllegalArgumentException for a class this migration does not know (a configuration error) */
  @Override
  public String transformClassName(int fromVersion, String className) {
    for (Map.Entry<String, String> moved : MOVED.entrySet())
      if (className.startsWith(moved.getKey())) return moved.getValue() + className.substring(moved.getKey().length());
    throw new IllegalArgumentException("no new name known for journaled class " + className);
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
