package dev.ordo.engine.port;

import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.TradeTick;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A broker's push stream: market data (Kotak Neo: the HSM WebSocket) or order updates (the order
 * feed WebSocket). One {@link #connect} opens one
 * connection; a reconnected connection has no subscriptions until the client subscribes again.
 * Frames and the close of the connection are reported to the {@link Listener}, from any thread.
 */
public interface MarketDataStream {

  /**
   * Opens a connection authenticated with {@code token}. Fails (exceptionally) when the connection
   * cannot be opened.
   */
  CompletionStage<Connection> connect(SessionToken token, Listener listener);

  /** An open connection. */
  interface Connection {
    /** Subscribes instruments (Kotak Neo {@code mws} with {@code nse_cm|<token>} scrips). */
    void subscribe(Set<InstrumentId> instruments);

    /** Unsubscribes instruments ({@code mwu}). */
    void unsubscribe(Set<InstrumentId> instruments);

    /** Sends the keep-alive ({@code {"type":"hb"}}). */
    void heartbeat();

    /** Closes the connection; the listener is told {@link Listener#onClosed}. */
    void close();
  }

  /** Receives what a connection brings. */
  interface Listener {
    /** A trade or last-price update. */
    void onTick(TradeTick tick);

    /** A keep-alive or other frame without market data. */
    void onKeepalive();

    /**
     * The broker pushed a change of one of the account's orders (Kotak Neo's order-update
     * WebSocket): {@code venueOrderId} changed status or filled. Streams without order updates never call it.
     */
    default void onOrderUpdate(String venueOrderId) {
      onKeepalive();
    }

    /** The connection closed (by either side, or failed); no more frames follow. */
    void onClosed(String reason);
  }
}
