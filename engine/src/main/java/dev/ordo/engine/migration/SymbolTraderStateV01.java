package dev.ordo.engine.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads a symbol trader's snapshot written by v0.1 ({@code dev.ordo.engine.actor.SymbolTrader$State}):
 * its open entry {@code openTrade {quantity, averagePrice, entryTime}} becomes the trader's
 * {@code position} (a {@link dev.ordo.engine.model.NetPosition}: the same quantity, average price
 * and opening time, with the round trips' P&amp;L as realized P&amp;L); everything else is unchanged.
 */
public final class SymbolTraderStateV01 extends JacksonMigration {

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return "dev.ordo.engine.trading.SymbolTrader$State";
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (!(json instanceof ObjectNode state) || state.has("position")) return json;
    BigDecimal realized = BigDecimal.ZERO;
    JsonNode lastTrip = null;
    for (JsonNode trip : state.path("roundTrips")) {
      realized = realized.add(trip.path("pnl").decimalValue());
      lastTrip = trip;
    }
    ObjectNode position = JsonNodeFactory.instance.objectNode();
    JsonNode open = state.path("openTrade");
    if (open.isObject()) {
      position.set("quantity", open.get("quantity"));
      position.set("averagePrice", open.get("averagePrice"));
      position.set("openedAt", open.get("entryTime"));
      position.putNull("closedAt");
    } else {
      position.put("quantity", BigDecimal.ZERO);
      position.putNull("averagePrice");
      position.set("openedAt", lastTrip == null ? null : lastTrip.get("entryTime"));
      position.set("closedAt", lastTrip == null ? null : lastTrip.get("exitTime"));
    }
    position.put("realizedPnl", realized);
    state.remove("openTrade");
    state.set("position", position);
    return state;
  }
}
