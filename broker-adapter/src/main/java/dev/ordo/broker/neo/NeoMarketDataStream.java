package dev.ordo.broker.neo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.port.MarketDataStream;
import dev.ordo.engine.port.SessionToken;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MarketDataStream} port over the Kotak Neo market-data WebSocket shape: on open the
 * client sends {@code {"type":"cn","Authorization":<token>,"Sid":<sid>}}; subscriptions are
 * {@code {"type":"mws","scrips":"nse_cm|<token>&..."}} ({@code mwu} to unsubscribe); the keep-alive
 * is {@code {"type":"hb"}}. Frames with {@code tk} are ticks ({@code ltp}, {@code ltq}, {@code ts}),
 * mapped to instruments through the {@link ScripMaster} by segment and token, never by symbol text.
 */
public final class NeoMarketDataStream implements MarketDataStream {

  private static final Logger log = LoggerFactory.getLogger(NeoMarketDataStream.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final String url;
  private final Supplier<ScripMaster> master;

  /**
   * @param url    the WebSocket URL, e.g. {@code ws://127.0.0.1:8090/realtime}
   * @param master the instrument master (loaded by {@link NeoBroker} at login)
   */
  public NeoMarketDataStream(ActorSystem<?> system, String url, Supplier<ScripMaster> master) {
    this.system = system;
    this.url = url;
    this.master = master;
  }

  @Override
  public CompletionStage<Connection> connect(SessionToken token, Listener listener) {
    ScripMaster scrips = master.get();
    if (scrips == null) return CompletableFuture.failedFuture(new IllegalStateException("no scrip master yet: log in first"));
    return NeoSocket.open(system, url, text -> onFrame(text, scrips, listener), () -> listener.onClosed("socket closed")).thenApply(socket -> {
      socket.send(Map.of("type", "cn", "Authorization", token.value(), "Sid", token.sid()));
      return new NeoConnection(socket, scrips);
    });
  }

  private static void onFrame(String text, ScripMaster scrips, Listener listener) {
    if (text.isEmpty()) return;
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (Exception e) {
      log.warn("Market data: unreadable frame ignored ({} characters)", text.length());
      return;
    }
    if (frame.has("tk")) {
      Optional<Instrument> instrument = scrips.byScrip(frame.path("e").asText("nse_cm") + "|" + frame.path("tk").asText());
      if (instrument.isEmpty()) {
        log.warn("Market data: tick for unknown scrip {}|{} ignored", frame.path("e").asText(), frame.path("tk").asText());
        return;
      }
      try {
        listener.onTick(new TradeTick(instrument.get().id(), Price.of(frame.path("ltp").asText()), Quantity.of(frame.path("ltq").asText("0")),
            OffsetDateTime.parse(frame.path("ts").asText()).toInstant()));
      } catch (RuntimeException e) {
        log.warn("Market data: malformed tick for {} ignored: {}", instrument.get().id(), e.getMessage());
      }
      return;
    }
    String type = frame.path("type").asText("");
    if (type.equals("cn") && !"Ok".equals(frame.path("stat").asText())) {
      log.warn("Market data: connection refused by the broker: {}", frame.path("msg").asText());
      return;
    }
    if (type.equals("error")) log.warn("Market data: broker says {}", frame.path("msg").asText());
    listener.onKeepalive();
  }

  private static final class NeoConnection implements Connection {
    private final NeoSocket socket;
    private final ScripMaster scrips;

    NeoConnection(NeoSocket socket, ScripMaster scrips) {
      this.socket = socket;
      this.scrips = scrips;
    }

    void send(Map<String, Object> frame) {
      socket.send(frame);
    }

    @Override
    public void subscribe(Set<InstrumentId> instruments) {
      String list = scripList(instruments);
      if (!list.isEmpty()) send(Map.of("type", "mws", "scrips", list, "channelnum", 1));
    }

    @Override
    public void unsubscribe(Set<InstrumentId> instruments) {
      String list = scripList(instruments);
      if (!list.isEmpty()) send(Map.of("type", "mwu", "scrips", list, "channelnum", 1));
    }

    private String scripList(Set<InstrumentId> instruments) {
      List<String> list = new ArrayList<>();
      for (InstrumentId id : instruments) {
        Optional<String> scrip = scrips.scrip(id);
        if (scrip.isPresent()) list.add(scrip.get());
        else log.warn("Market data: {} is not in the broker's scrip master; not subscribed", id);
      }
      return String.join("&", list);
    }

    @Override
    public void heartbeat() {
      send(Map.of("type", "hb"));
    }

    /** Idempotent: closing a socket the server already closed does nothing. */
    @Override
    public void close() {
      socket.close();
    }
  }
}
