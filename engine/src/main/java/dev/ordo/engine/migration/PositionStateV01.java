package dev.ordo.engine.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads a position's snapshot written by v0.1 ({@code dev.ordo.engine.actor.Position$State}): its
 * flat {@code quantity, averagePrice, realizedPnl, openedAt, closedAt} become the nested
 * {@code position} ({@link dev.ordo.engine.model.NetPosition}); {@code fills} and
 * {@code appliedTradeIds} are unchanged.
 */
public final class PositionStateV01 extends JacksonMigration {

  private static final String[] FOLDED = {"quantity", "averagePrice", "realizedPnl", "openedAt", "closedAt"};

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return "dev.ordo.engine.trading.Position$State";
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (!(json instanceof ObjectNode state) || state.has("position")) return json;
    ObjectNode position = JsonNodeFactory.instance.objectNode();
    for (String field : FOLDED) {
      position.set(field, state.get(field));
      state.remove(field);
    }
    state.set("position", position);
    return state;
  }
}
