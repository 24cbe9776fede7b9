package dev.ordo.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.broker.neo.ScripMaster;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The simulator's WebSockets (Kotak Neo shape). <b>Order feed</b> ({@link Kind#ORDERS}): the client
 * sends {@code {"type":"CONNECTION","Authorization":<token>,"Sid":<sid>,"source":"WEB"}} and
 * {@code {"type":"HB"}} keep-alives; the server pushes {@code {"type":"order","data":<order-book row>}}
 * on every change of an order. <b>Market data</b> ({@link Kind#MARKET}): the client sends
 * {@code {"type":"cn","Authorization":<token>,"Sid":<sid>}}, then subscribes with
 * {@code {"type":"mws","scrips":"nse_cm|10001&nse_cm|10002"}} ({@code mwu} unsubscribes) and sends
 * {@code {"type":"hb"}} keep-alives. The server pushes tick frames of subscribed scrips and a
 * {@code {"type":"hb"}} every 10 s. A socket starts with no subscriptions, also after a reconnect.
 * Bad frames get an {@code {"type":"error"}} frame, never a crash. Faults: {@link #dropAll} closes
 * every socket from the server side, {@link #stallAll} keeps them open but silent.
 */
final class SimSockets implements SimExchange.TickSink {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a socket carries. */
  enum Kind {
    MARKET,
    ORDERS
  }

  private final class Socket {
    final long id;
    final Kind kind;
    final Set<String> scrips = ConcurrentHashMap.newKeySet();
    volatile BoundedSourceQueue<Message> out;
    volatile boolean authenticated;
    volatile long stalledUntil;

    Socket(long id, Kind kind) {
      this.id = id;
      this.kind = kind;
    }

    void send(String json) {
      BoundedSourceQueue<Message> queue = out;
      if (queue != null && System.nanoTime() >= stalledUntil) queue.offer(TextMessage.create(json));
    }

    void sendObject(Map<String, Object> frame) {
      try {
        send(JSON.writeValueAsString(frame));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Map<Long, Socket> sockets = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final SimAuth auth;
  private final ScripMaster master;
  private final SimStats stats;
  private final Materializer materializer;

  SimSockets(SimAuth auth, ScripMaster master, SimStats stats, Materializer materializer) {
    this.auth = auth;
    this.master = master;
    this.stats = stats;
    this.materializer = materializer;
  }

  /** The flow of one new WebSocket connection; call it once per connection. */
  Flow<Message, Message, NotUsed> connection(Kind kind) {
    Socket socket = new Socket(ids.incrementAndGet(), kind);
    Sink<Message, ?> in = Flow.of(Message.class)
        .mapAsync(1, message -> {
          if (message.isText()) return message.asTextMessage().toStrict(5_000, materializer).thenApply(m -> m.getStrictText());
          message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
          return CompletableFuture.completedFuture("");
        })
        .to(Sink.foreach(text -> onText(socket, text)));
    Source<Message, NotUsed> out = Source.<Message>queue(4096).mapMaterializedValue(queue -> {
      socket.out = queue;
      sockets.put(socket.id, socket);
      stats.wsConnections.incrementAndGet();
      return NotUsed.getInstance();
    }).watchTermination((notUsed, done) -> {
      done.whenComplete((d, t) -> sockets.remove(socket.id));
      return NotUsed.getInstance();
    });
    return Flow.fromSinkAndSourceCoupled(in, out);
  }

  private void onText(Socket socket, String text) {
    if (text.isEmpty()) return;
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (Exception e) {
      socket.sendObject(Map.of("type", "error", "msg", "frame is not JSON"));
      return;
    }
    String type = frame.path("type").asText("");
    if (socket.kind == Kind.ORDERS) {
      onOrderFeedFrame(socket, type, frame);
      return;
    }
    switch (type) {
      case "cn" -> {
        if (auth.isTradeToken(frame.path("Authorization").asText(null))) {
          socket.authenticated = true;
          socket.sendObject(Map.of("type", "cn", "stat", "Ok"));
        } else {
          socket.sendObject(Map.of("type", "cn", "stat", "Not_Ok", "msg", "Invalid Credentials", "code", "900901"));
          close(socket);
        }
      }
      case "mws", "mwu" -> {
        if (!socket.authenticated) {
          socket.sendObject(Map.of("type", "error", "msg", "send cn first"));
          return;
        }
        for (String scrip : frame.path("scrips").asText("").split("&")) {
          if (scrip.isBlank()) continue;
          if (master.byScrip(scrip).isEmpty()) {
            socket.sendObject(Map.of("type", "error", "msg", "unknown scrip " + scrip));
            continue;
          }
          if (type.equals("mws") && socket.scrips.add(scrip)) stats.subscriptions.incrementAndGet();
          if (type.equals("mwu")) socket.scrips.remove(scrip);
        }
      }
      case "hb" -> socket.sendObject(Map.of("type", "hb"));
      default -> socket.sendObject(Map.of("type", "error", "msg", "unknown frame type '" + type + "'"));
    }
  }

  private void onOrderFeedFrame(Socket socket, String type, JsonNode frame) {
    switch (type) {
      case "CONNECTION" -> {
        if (auth.isTradeToken(frame.path("Authorization").asText(null))) {
          socket.authenticated = true;
          socket.sendObject(Map.of("type", "CONNECTION", "stat", "Ok"));
        } else {
          socket.sendObject(Map.of("type", "CONNECTION", "stat", "Not_Ok", "msg", "Invalid Credentials", "code", "900901"));
          close(socket);
        }
      }
      case "HB" -> socket.sendObject(Map.of("type", "HB"));
      default -> socket.sendObject(Map.of("type", "error", "msg", "unknown frame type '" + type + "'"));
    }
  }

  @Override
  public void publishOrder(Map<String, Object> row) {
    for (Socket socket : sockets.values())
      if (socket.kind == Kind.ORDERS && socket.authenticated) socket.sendObject(Map.of("type", "order", "data", row));
  }

  @Override
  public void publish(String scrip, Map<String, Object> frame) {
    String json = null;
    for (Socket socket : sockets.values()) {
      if (socket.kind != Kind.MARKET || !socket.authenticated || !socket.scrips.contains(scrip)) continue;
      if (json == null) {
        try {
          json = JSON.writeValueAsString(frame);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      socket.send(json);
    }
  }

  /** Keep-alive to every authenticated socket that is not stalled. */
  void heartbeat() {
    for (Socket socket : sockets.values())
      if (socket.authenticated) socket.sendObject(Map.of("type", socket.kind == Kind.MARKET ? "hb" : "HB"));
  }

  /** Closes every socket from the server side. */
  int dropAll() {
    int n = 0;
    for (Socket socket : sockets.values()) {
      close(socket);
      n++;
    }
    if (n > 0) stats.wsDrops.addAndGet(n);
    return n;
  }

  /** Every socket stays open but sends nothing for {@code nanos}. */
  int stallAll(long nanos) {
    long until = System.nanoTime() + nanos;
    for (Socket socket : sockets.values()) socket.stalledUntil = until;
    if (!sockets.isEmpty()) stats.wsStalls.addAndGet(sockets.size());
    return sockets.size();
  }

  private void close(Socket socket) {
    BoundedSourceQueue<Message> queue = socket.out;
    if (queue != null) queue.complete();
    sockets.remove(socket.id);
  }

  int open() {
    return sockets.size();
  }
}
