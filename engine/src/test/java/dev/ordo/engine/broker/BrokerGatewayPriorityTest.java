package dev.ordo.engine.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.time.ReplayClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Rate limit, priorities, waiting and back-off, on a manual clock. */
class BrokerGatewayPriorityTest {

  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final AccountId ACCOUNT = AccountId.of("test");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A session and a gateway over {@code broker}: one call a second, burst 1, {@code queueCapacity} per priority. */
  static ActorRef<BrokerGateway.Command> gatewayAtOneCallPerSecond(FakeBroker broker, int queueCapacity) {
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(), AuthSession.Settings.defaults()));
    return testKit.spawn(BrokerGateway.create(ACCOUNT, broker, auth, new BrokerGateway.Settings(1, 1, queueCapacity, Duration.ofSeconds(30))));
  }

  static BrokerGateway.Execute place(String id, BrokerGateway.Priority priority, ActorRef<BrokerCall.Reply> replyTo) {
    return new BrokerGateway.Execute(new BrokerCall.PlaceOrder(FakeBroker.order(id)), priority, replyTo);
  }

  static BrokerGateway.Execute book(BrokerGateway.Priority priority, ActorRef<BrokerCall.Reply> replyTo) {
    return new BrokerGateway.Execute(new BrokerCall.GetOrderBook(), priority, replyTo);
  }

  @Test
  void criticalCallsGoBeforeNormalBeforeScanUnderASaturatedRateLimit() {
    FakeBroker broker = new FakeBroker();
    ActorRef<BrokerGateway.Command> gateway = gatewayAtOneCallPerSecond(broker, 100);
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();

    gateway.tell(place("first", BrokerGateway.Priority.CRITICAL, replies.ref()));
    replies.receiveMessage();
    gateway.tell(book(BrokerGateway.Priority.SCAN, replies.ref()));
    gateway.tell(book(BrokerGateway.Priority.NORMAL, replies.ref()));
    gateway.tell(place("urgent-1", BrokerGateway.Priority.CRITICAL, replies.ref()));
    gateway.tell(new BrokerGateway.Execute(new BrokerCall.GetPositions(), BrokerGateway.Priority.SCAN, replies.ref()));
    gateway.tell(new BrokerGateway.Execute(new BrokerCall.GetLimits(), BrokerGateway.Priority.NORMAL, replies.ref()));
    gateway.tell(place("urgent-2", BrokerGateway.Priority.CRITICAL, replies.ref()));
    replies.expectNoMessage(Duration.ofMillis(100));
    TestProbe<BrokerGateway.Status> status = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.GetStatus(status.ref()));
    BrokerGateway.Status queued = status.receiveMessage();
    assertEquals(2, queued.queued().get(BrokerGateway.Priority.CRITICAL));
    assertEquals(2, queued.queued().get(BrokerGateway.Priority.NORMAL));
    assertEquals(2, queued.queued().get(BrokerGateway.Priority.SCAN));

    for (int i = 0; i < 6; i++) {
      manualTime.timePasses(Duration.ofSeconds(1));
      replies.receiveMessage(Duration.ofSeconds(3));
    }
    assertEquals(List.of("first", "urgent-1", "urgent-2", "orderBook", "limits", "orderBook", "positions"), broker.calls,
        "CRITICAL, then NORMAL, then SCAN; first come first served within each");
  }

  /** Records what a gateway reports, one line per report: "PRIORITY waited PT1S" or "PRIORITY Call Reply PT0.25S". */
  static final class RecordingListener implements BrokerGateway.Listener {
    final List<String> reports = new CopyOnWriteArrayList<>();

    @Override
    public void waited(AccountId account, BrokerGateway.Priority priority, Duration waited) {
      assertEquals(ACCOUNT, account);
      reports.add(priority + " waited " + waited);
    }

    @Override
    public void answered(AccountId account, BrokerCall call, BrokerGateway.Priority priority, BrokerCall.Reply reply, Duration took) {
      assertEquals(ACCOUNT, account);
      String answer = reply instanceof BrokerCall.Failed failed ? "Failed/" + failed.error().getClass().getSimpleName() : reply.getClass().getSimpleName();
      reports.add(priority + " " + call.getClass().getSimpleName() + " " + answer + " " + took);
    }
  }

  @Test
  void reportsEachCallsQueueWaitByPriorityAndTheBrokersAnswerTimeOnTheGatewaysClock() {
    FakeBroker broker = new FakeBroker();
    Instant start = Instant.parse("2024-01-15T03:45:00Z");
    ReplayClock clock = new ReplayClock(start);
    RecordingListener listener = new RecordingListener();
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(), AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(ACCOUNT, broker, auth,
        new BrokerGateway.Settings(1, 1, 100, Duration.ofSeconds(30)), null, clock, listener));
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();

    gateway.tell(place("first", BrokerGateway.Priority.CRITICAL, replies.ref()));
    replies.receiveMessage();
    gateway.tell(book(BrokerGateway.Priority.SCAN, replies.ref()));
    gateway.tell(book(BrokerGateway.Priority.NORMAL, replies.ref()));
    gateway.tell(place("urgent", BrokerGateway.Priority.CRITICAL, replies.ref()));
    TestProbe<BrokerGateway.Status> status = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.GetStatus(status.ref()));
    assertEquals(3, status.receiveMessage().queued().values().stream().mapToInt(Integer::intValue).sum(), "all three queued at the start");

    // one permit a second: CRITICAL leaves its queue after 1 s, NORMAL after 2 s, SCAN after 3 s
    for (int second = 1; second <= 3; second++) {
      if (second == 3) broker.holdCalls();
      clock.advanceTo(start.plusSeconds(second));
      manualTime.timePasses(Duration.ofSeconds(1));
      if (second < 3) replies.receiveMessage(Duration.ofSeconds(3));
    }
    // the SCAN call is at the broker; it answers 250 ms later on the gateway's clock
    replies.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(4, broker.callsReceived());
      return null;
    });
    clock.advanceTo(start.plusSeconds(3).plusMillis(250));
    broker.releaseCalls();
    replies.receiveMessage(Duration.ofSeconds(3));

    assertEquals(List.of(
        "CRITICAL waited PT0S", "CRITICAL PlaceOrder Placed PT0S",
        "CRITICAL waited PT1S", "CRITICAL PlaceOrder Placed PT0S",
        "NORMAL waited PT2S", "NORMAL GetOrderBook OrderBook PT0S",
        "SCAN waited PT3S", "SCAN GetOrderBook OrderBook PT0.25S"), listener.reports);
  }

  @Test
  void aCallRetriedAfterAReloginIsReportedOncePerAttempt() {
    FakeBroker broker = new FakeBroker();
    RecordingListener listener = new RecordingListener();
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(), AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(ACCOUNT, broker, auth,
        new BrokerGateway.Settings(1000, 1000, 100, Duration.ofSeconds(30)), null, new ReplayClock(Instant.EPOCH), listener));
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    gateway.tell(book(BrokerGateway.Priority.NORMAL, replies.ref()));
    replies.receiveMessage();
    broker.expireTokens();
    gateway.tell(place("after-expiry", BrokerGateway.Priority.CRITICAL, replies.ref()));
    assertInstanceOf(BrokerCall.Placed.class, replies.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(List.of("NORMAL waited PT0S", "NORMAL GetOrderBook OrderBook PT0S",
        "CRITICAL waited PT0S", "CRITICAL PlaceOrder Failed/AuthExpired PT0S",
        "CRITICAL waited PT0S", "CRITICAL PlaceOrder Placed PT0S"), listener.reports);
  }

  @Test
  void aFullQueueIsRefusedAtOnceAsRateLimited() {
    FakeBroker broker = new FakeBroker();
    ActorRef<BrokerGateway.Command> gateway = gatewayAtOneCallPerSecond(broker, 1);
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    gateway.tell(book(BrokerGateway.Priority.SCAN, replies.ref()));
    replies.receiveMessage();
    gateway.tell(book(BrokerGateway.Priority.SCAN, replies.ref()));
    gateway.tell(book(BrokerGateway.Priority.SCAN, replies.ref()));
    BrokerCall.Failed refused = assertInstanceOf(BrokerCall.Failed.class, replies.receiveMessage());
    assertInstanceOf(BrokerError.RateLimited.class, refused.error());
    gateway.tell(place("still-possible", BrokerGateway.Priority.CRITICAL, replies.ref()));
    manualTime.timePasses(Duration.ofSeconds(1));
    assertInstanceOf(BrokerCall.Placed.class, replies.receiveMessage(Duration.ofSeconds(3)), "CRITICAL has its own queue");
  }

  @Test
  void callsWaitingForALoginThatNeverCompletesFailWithAClearError() {
    FakeBroker broker = new FakeBroker();
    broker.loginGate = new CompletableFuture<>();
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(),
        new AuthSession.Settings(2, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(8))));
    TestProbe<AuthSession.TokenReply> tokens = testKit.createTestProbe();
    auth.tell(new AuthSession.GetToken(tokens.ref()));
    auth.tell(new AuthSession.GetToken(tokens.ref()));
    auth.tell(new AuthSession.GetToken(tokens.ref()));
    AuthSession.Unavailable full = assertInstanceOf(AuthSession.Unavailable.class, tokens.receiveMessage());
    assertTrue(full.reason().contains("2 calls already wait"), full.reason());
    tokens.expectNoMessage(Duration.ofMillis(100));
    manualTime.timePasses(Duration.ofSeconds(10));
    for (int i = 0; i < 2; i++) {
      AuthSession.Unavailable late = assertInstanceOf(AuthSession.Unavailable.class, tokens.receiveMessage(Duration.ofSeconds(3)));
      assertTrue(late.reason().contains("within 10s (login in progress)"), late.reason());
    }
    assertEquals(1, broker.loginAttempts.get(), "one login in flight, not one per caller");
  }

  @Test
  void failedLoginsBackOffExponentiallyAndServeTheWaitingCallsWhenOneSucceeds() {
    FakeBroker broker = new FakeBroker();
    broker.failingLogins.set(2);
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(),
        new AuthSession.Settings(10, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(8))));
    TestProbe<AuthSession.TokenReply> tokens = testKit.createTestProbe();
    auth.tell(new AuthSession.GetToken(tokens.ref()));
    tokens.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, broker.loginAttempts.get());
    manualTime.timePasses(Duration.ofMillis(999));
    tokens.expectNoMessage(Duration.ofMillis(50));
    assertEquals(1, broker.loginAttempts.get(), "no retry before the first back-off (1 s)");
    manualTime.timePasses(Duration.ofMillis(1));
    tokens.expectNoMessage(Duration.ofMillis(100));
    assertEquals(2, broker.loginAttempts.get());
    manualTime.timePasses(Duration.ofMillis(1999));
    tokens.expectNoMessage(Duration.ofMillis(50));
    assertEquals(2, broker.loginAttempts.get(), "the second back-off is 2 s");
    manualTime.timePasses(Duration.ofMillis(1));
    assertInstanceOf(AuthSession.Granted.class, tokens.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(3, broker.loginAttempts.get());
  }
}
