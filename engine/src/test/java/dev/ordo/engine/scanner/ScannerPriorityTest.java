package dev.ordo.engine.scanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.FakeBroker;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.time.ReplayClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A scan that saturates the account's rate limit never delays its order calls: on a manual clock. */
class ScannerPriorityTest {

  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void orderCallsGoAheadOfEveryQueuedScanReadAtTheNextPermit() {
    FakeBroker broker = new FakeBroker();
    List<InstrumentId> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      InstrumentId id = ScannerTest.id(String.format("S%02d", i));
      ids.add(id);
      broker.daily.put(id, ScannerTest.dailyBars(id, "100", 1000));
    }
    // one call a second, burst 1: the scan's reads queue up behind the rate limit
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ScannerTest.ACCOUNT, broker, Credentials.none(),
        AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(ScannerTest.ACCOUNT, broker, auth,
        new BrokerGateway.Settings(1, 1, 1000, Duration.ofSeconds(30))));
    ActorRef<Scanner.Command> scanner = testKit.spawn(Scanner.create(ScannerTest.ACCOUNT, gateway,
        new ScannerTest.RecordingRecommender(Map.of()), ScannerTest.WEEKDAYS, new ReplayClock(Instant.parse("2024-01-15T04:00:00Z")),
        new Scanner.Settings("breakout", ScannerTest.universe(ids), BreakoutSignal.defaults(), 8, Duration.ofMinutes(10), Duration.ofHours(1))));
    TestProbe<Scanner.Report> reports = testKit.createTestProbe();
    TestProbe<BrokerCall.Reply> orders = testKit.createTestProbe();

    scanner.tell(new Scanner.Scan(ScannerTest.MONDAY, reports.ref()));
    // the burst's permit went to the first read; 7 more wait (parallelism 8), then 8 once the first is answered
    awaitQueued(gateway, BrokerGateway.Priority.SCAN, 8);
    reports.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(List.of("dailyBars S00-EQ"), broker.callLog());
      return null;
    });

    for (int i = 1; i <= 3; i++)
      gateway.tell(new BrokerGateway.Execute(new BrokerCall.PlaceOrder(FakeBroker.order("ORDER-" + i)), BrokerGateway.Priority.CRITICAL,
          orders.ref()));
    awaitQueued(gateway, BrokerGateway.Priority.CRITICAL, 3);
    for (int i = 1; i <= 3; i++) {
      manualTime.timePasses(Duration.ofSeconds(1));
      assertInstanceOf(BrokerCall.Placed.class, orders.receiveMessage(Duration.ofSeconds(3)));
      int waiting = queued(gateway, BrokerGateway.Priority.SCAN);
      assertTrue(waiting >= 7, "the scan keeps the gateway saturated: " + waiting + " reads wait");
    }
    assertEquals(List.of("dailyBars S00-EQ", "ORDER-1", "ORDER-2", "ORDER-3"), broker.callLog(),
        "each order call took the next permit, ahead of the 8 reads queued before it");

    for (int i = 0; i < 29; i++) manualTime.timePasses(Duration.ofSeconds(1));
    Scanner.Report report = reports.receiveMessage(Duration.ofSeconds(10));
    assertNull(report.failure());
    assertEquals(30, report.read());
    assertEquals(33, broker.callLog().size(), "30 reads and 3 orders");
  }

  static int queued(ActorRef<BrokerGateway.Command> gateway, BrokerGateway.Priority priority) {
    TestProbe<BrokerGateway.Status> status = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.GetStatus(status.ref()));
    return status.receiveMessage().queued().get(priority);
  }

  static void awaitQueued(ActorRef<BrokerGateway.Command> gateway, BrokerGateway.Priority priority, int expected) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(expected, queued(gateway, priority));
      return null;
    });
  }
}
