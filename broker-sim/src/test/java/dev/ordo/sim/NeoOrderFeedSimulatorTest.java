package dev.ordo.sim;

import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoOrderFeed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.MarketDataStream;
import dev.ordo.engine.port.SessionToken;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The order-update WebSocket against the simulator: every change of an order is pushed. */
class NeoOrderFeedSimulatorTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static final class Recorder implements MarketDataStream.Listener {
    final List<String> updates = new CopyOnWriteArrayList<>();
    final AtomicInteger keepalives = new AtomicInteger();
    volatile String closed;

    @Override
    public void onTick(TradeTick tick) {
      throw new AssertionError("the order feed carries no ticks");
    }

    @Override
    public void onKeepalive() {
      keepalives.incrementAndGet();
    }

    @Override
    public void onOrderUpdate(String venueOrderId) {
      updates.add(venueOrderId);
    }

    @Override
    public void onClosed(String reason) {
      closed = reason;
    }
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void pushesEveryChangeOfAnOrderAndRefusesAnUnknownToken() throws Exception {
    BrokerSimulator simulator = BrokerSimulator.start(testKit.system(), new BrokerSimulator.Settings("127.0.0.1", 0, NeoBrokerSimulatorTest.SAMPLE,
        null, null, null, NeoBrokerSimulatorTest.USER, SimFaults.none(), new BigDecimal("10000000")), Clock.systemUTC())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      NeoBroker broker = new NeoBroker(testKit.system(), new NeoBroker.Settings(simulator.baseUrl(), Duration.ofSeconds(5), Clock.systemUTC()));
      SessionToken token = NeoBrokerSimulatorTest.ok(NeoBrokerSimulatorTest.get(broker.login(NeoBrokerSimulatorTest.USER.toCredentials())));
      NeoOrderFeed feed = new NeoOrderFeed(testKit.system(), simulator.orderFeedUrl());
      Recorder recorder = new Recorder();
      MarketDataStream.Connection connection = feed.connect(token, recorder).toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> recorder.keepalives.get() >= 1, "the CONNECTION answer");

      VenueOrderId id = NeoBrokerSimulatorTest.ok(NeoBrokerSimulatorTest.get(
          broker.placeOrder(token, NeoBrokerSimulatorTest.limitBuy("TCS-EQ-1", "1.00"))));
      eventually(() -> recorder.updates.size() == 1, "the placement pushed");
      assertTrue(NeoBrokerSimulatorTest.get(broker.cancelOrder(token, id)) instanceof BrokerResult.Ok);
      eventually(() -> recorder.updates.size() == 2, "the cancellation pushed");
      assertEquals(List.of(id.value(), id.value()), recorder.updates);
      connection.heartbeat();
      int before = recorder.keepalives.get();
      eventually(() -> recorder.keepalives.get() > before, "the HB answered");
      connection.close();
      eventually(() -> recorder.closed != null, "closed");

      Recorder refused = new Recorder();
      feed.connect(new SessionToken("forged", "sid", Instant.EPOCH), refused).toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> refused.closed != null, "a forged token is refused and closed by the server");
    } finally {
      simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
