package dev.ordo.sim;

import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoOrderFeed;
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
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The order-update WebSocket against the simulator: every change of an order is pushed. */
class NeoOrderFeedSimulatorTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Forwards what the feed reports to probes. */
  static final class Recorder implements MarketDataStream.Listener {
    final TestProbe<String> updates = testKit.createTestProbe();
    final TestProbe<Done> keepalives = testKit.createTestProbe();
    final TestProbe<String> closed = testKit.createTestProbe();

    @Override
    public void onTick(TradeTick tick) {
      throw new AssertionError("the order feed carries no ticks");
    }

    @Override
    public void onKeepalive() {
      keepalives.ref().tell(Done.getInstance());
    }

    @Override
    public void onOrderUpdate(String venueOrderId) {
      updates.ref().tell(venueOrderId);
    }

    @Override
    public void onClosed(String reason) {
      closed.ref().tell(reason);
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
      recorder.keepalives.expectMessage(Duration.ofSeconds(10), Done.getInstance()); // the CONNECTION answer

      VenueOrderId id = NeoBrokerSimulatorTest.ok(NeoBrokerSimulatorTest.get(
          broker.placeOrder(token, NeoBrokerSimulatorTest.limitBuy("TCS-EQ-1", "1.00"))));
      recorder.updates.expectMessage(Duration.ofSeconds(10), id.value()); // the placement pushed
      assertTrue(NeoBrokerSimulatorTest.get(broker.cancelOrder(token, id)) instanceof BrokerResult.Ok);
      recorder.updates.expectMessage(Duration.ofSeconds(10), id.value()); // the cancellation pushed
      connection.heartbeat();
      recorder.keepalives.expectMessage(Duration.ofSeconds(10), Done.getInstance()); // the HB answered
      connection.close();
      recorder.closed.receiveMessage(Duration.ofSeconds(10));
      recorder.updates.expectNoMessage(Duration.ofMillis(200));

      Recorder refused = new Recorder();
      feed.connect(new SessionToken("forged", "sid", Instant.EPOCH), refused).toCompletableFuture().get(10, TimeUnit.SECONDS);
      refused.closed.receiveMessage(Duration.ofSeconds(10)); // a forged token is refused and closed by the server
    } finally {
      simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
