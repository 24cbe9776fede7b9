package dev.ordo.engine.marketdata;

import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.port.MarketDataStream;
import dev.ordo.engine.port.SessionToken;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A market-data stream for actor tests: connections the test can feed, drop and inspect. */
final class FakeStream implements MarketDataStream {

  final List<FakeConnection> connections = new CopyOnWriteArrayList<>();
  final AtomicInteger attempts = new AtomicInteger();
  /** Attempts fail while this is positive (decremented by each attempt). */
  final AtomicInteger failing = new AtomicInteger();

  static final class FakeConnection implements Connection {
    final Listener listener;
    final List<Set<InstrumentId>> subscribes = new CopyOnWriteArrayList<>();
    final List<Set<InstrumentId>> unsubscribes = new CopyOnWriteArrayList<>();
    final AtomicInteger heartbeats = new AtomicInteger();
    volatile boolean closed;
    /** When set, close() throws, like a client library closing a socket the server already closed. */
    volatile boolean throwOnClose;

    FakeConnection(Listener listener) {
      this.listener = listener;
    }

    /** Everything subscribed and not unsubscribed on this connection. */
    Set<InstrumentId> subscribed() {
      Set<InstrumentId> all = new TreeSet<>();
      subscribes.forEach(all::addAll);
      unsubscribes.forEach(all::removeAll);
      return all;
    }

    @Override
    public void subscribe(Set<InstrumentId> instruments) {
      subscribes.add(Set.copyOf(instruments));
    }

    @Override
    public void unsubscribe(Set<InstrumentId> instruments) {
      unsubscribes.add(Set.copyOf(instruments));
    }

    @Override
    public void heartbeat() {
      heartbeats.incrementAndGet();
    }

    @Override
    public void close() {
      if (throwOnClose) throw new IllegalStateException("The queue has already been completed.");
      if (!closed) {
        closed = true;
        listener.onClosed("closed by client");
      }
    }
  }

  @Override
  public CompletionStage<Connection> connect(SessionToken token, Listener listener) {
    attempts.incrementAndGet();
    if (failing.getAndDecrement() > 0) return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
    FakeConnection connection = new FakeConnection(listener);
    connections.add(connection);
    return CompletableFuture.completedFuture(connection);
  }

  FakeConnection last() {
    return connections.get(connections.size() - 1);
  }
}
