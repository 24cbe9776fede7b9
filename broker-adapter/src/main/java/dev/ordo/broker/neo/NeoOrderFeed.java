package dev.ordo.broker.neo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.port.MarketDataStream;
import dev.ordo.engine.port.SessionToken;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kotak Neo's order-update WebSocket as a push stream: on open the client sends
 * {@code {"type":"CONNECTION","Authorization":<token>,"Sid":<sid>,"source":"WEB"}} and a
 * {@code {"type":"HB"}} keep-alive every 30 s; the broker pushes order-book rows as they change
 * ({@code {"type":"order","data":{...}}}), reported as {@link Listener#onOrderUpdate}. It carries no
 * market data, so subscriptions do nothing. A {@code MarketDataConnection} manages it like the
 * market-data socket (reconnects, staleness, back-off).
 */
public final class NeoOrderFeed implements MarketDataStream {

  private static final Logger log = LoggerFactory.getLogger(NeoOrderFeed.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final String url;

  /** @param url the order feed's WebSocket URL, e.g. {@code ws://127.0.0.1:8090/orderfeed} */
  public NeoOrderFeed(ActorSystem<?> system, String url) {
    this.system = system;
    this.url = url;
  }

  @Override
  public CompletionStage<Connection> connect(SessionToken token, Listener listener) {
    return NeoSocket.open(system, url, text -> onFrame(text, listener), () -> listener.onClosed("socket closed")).thenApply(socket -> {
      socket.send(Map.of("type", "CONNECTION", "Authorization", token.value(), "Sid", token.sid(), "source", "WEB"));
      return new Connection() {
        @Override
        public void subscribe(Set<InstrumentId> instruments) {}

        @Override
        public void unsubscribe(Set<InstrumentId> instruments) {}

        @Override
        public void heartbeat() {
          socket.send(Map.of("type", "HB"));
        }

        @Override
        public void close() {
          socket.close();
        }
      };
    });
  }

  private static void onFrame(String text, Listener listener) {
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (Exception e) {
      log.warn("Order feed: unreadable frame ignored ({} characters)", text.length());
      return;
    }
    String type = frame.path("type").asText("");
    if (type.equals("order")) {
      listener.onOrderUpdate(frame.path("data").path("nOrdNo").asText(""));
      return;
    }
    if (type.equals("CONNECTION") && !"Ok".equals(frame.path("stat").asText()))
      log.warn("Order feed: connection refused by the broker: {}", frame.path("msg").asText());
    listener.onKeepalive();
  }
}
