package dev.ordo.broker.neo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One client WebSocket of the Kotak Neo shape, text frames of JSON: {@link #send} a frame, text
 * frames go to {@code onText}, and {@code onClosed} runs exactly once when the socket ends (either
 * side, or a failure). {@link #close} is idempotent.
 */
final class NeoSocket {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BoundedSourceQueue<Message> out;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NeoSocket(BoundedSourceQueue<Message> out) {
    this.out = out;
  }

  /** Opens the socket; fails when the upgrade is refused or the connection cannot be made. */
  static CompletionStage<NeoSocket> open(ActorSystem<?> system, String url, Consumer<String> onText, Runnable onClosed) {
    Materializer materializer = Materializer.matFromSystem(system);
    AtomicBoolean ended = new AtomicBoolean();
    Runnable closeOnce = () -> {
      if (ended.compareAndSet(false, true)) onClosed.run();
    };
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> out = Source.<Message>queue(1024).preMaterialize(materializer);
    Sink<Message, NotUsed> in = Flow.of(Message.class)
        .mapAsync(1, message -> {
          if (message.isText()) return message.asTextMessage().toStrict(5_000, materializer).thenApply(m -> m.getStrictText());
          message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
          return CompletableFuture.completedFuture("");
        })
        .watchTermination((notUsed, done) -> {
          done.whenComplete((d, failure) -> closeOnce.run());
          return NotUsed.getInstance();
        })
        .to(Sink.foreach(text -> {
          if (!text.isEmpty()) onText.accept(text);
        }));
    var result = Http.get(system).singleWebSocketRequest(WebSocketRequest.create(url), Flow.fromSinkAndSourceCoupled(in, out.second()), materializer);
    return result.first().thenApply(upgrade -> {
      if (!upgrade.isValid() || upgrade.response().status().intValue() != 101) {
        out.first().complete();
        throw new IllegalStateException("WebSocket upgrade refused by " + url + ": " + upgrade.response().status());
      }
      return new NeoSocket(out.first());
    });
  }

  void send(Map<String, Object> frame) {
    try {
      out.offer(TextMessage.create(JSON.writeValueAsString(frame)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        out.complete();
      } catch (IllegalStateException alreadyCompleted) {
        // The stream ended first (server close, network failure): nothing left to close.
      }
    }
  }
}
