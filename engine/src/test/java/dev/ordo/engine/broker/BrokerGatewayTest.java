package dev.ordo.engine.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.Credentials;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The gateway and the session together against a broker whose token expires: one login, however many callers. */
class BrokerGatewayTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.serialize-messages = on")
      .withFallback(ConfigFactory.load()));
  static final AccountId ACCOUNT = AccountId.of("test");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  record Parts(FakeBroker broker, ActorRef<AuthSession.Command> auth, ActorRef<BrokerGateway.Command> gateway) {}

  static Parts start(BrokerGateway.Settings settings) {
    FakeBroker broker = new FakeBroker();
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(), AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(ACCOUNT, broker, auth, settings));
    return new Parts(broker, auth, gateway);
  }

  static BrokerGateway.Execute place(String id, BrokerGateway.Priority priority, ActorRef<BrokerCall.Reply> replyTo) {
    return new BrokerGateway.Execute(new BrokerCall.PlaceOrder(FakeBroker.order(id)), priority, replyTo);
  }

  @Test
  void aThousandConcurrentCallsOnAnExpiredTokenCauseExactlyOneLoginAndAreAllServed() {
    Parts parts = start(new BrokerGateway.Settings(1_000_000, 2_000, 10_000, Duration.ofSeconds(30)));
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    parts.gateway().tell(place("warm-up", BrokerGateway.Priority.CRITICAL, replies.ref()));
    assertInstanceOf(BrokerCall.Placed.class, replies.receiveMessage());
    assertEquals(1, parts.broker().logins.get());

    // 1,000 calls reach the broker with the current token; it expires before any is answered.
    FakeBroker broker = parts.broker();
    broker.callGate = new CompletableFuture<>();
    broker.received.set(0);
    for (int i = 0; i < 1000; i++) parts.gateway().tell(place("C" + i, BrokerGateway.Priority.CRITICAL, replies.ref()));
    awaitReceived(broker, 1000);
    broker.expireTokens();
    broker.callGate.complete(null);
    List<BrokerCall.Reply> answers = replies.receiveSeveralMessages(1000, Duration.ofSeconds(30));
    Set<String> placed = new HashSet<>();
    for (BrokerCall.Reply answer : answers) placed.add(assertInstanceOf(BrokerCall.Placed.class, answer).clientOrderId().value());
    assertEquals(1000, placed.size(), "every call served once");
    assertEquals(2, parts.broker().logins.get(), "one login for the thousand rejections");
    assertEquals(1000, parts.broker().authRejections.get());

    TestProbe<AuthSession.Status> status = testKit.createTestProbe();
    parts.auth().tell(new AuthSession.GetStatus(status.ref()));
    assertEquals(AuthSession.State.ACTIVE, status.receiveMessage().state());
  }

  @Test
  void aStaleExpiryReportStartsNoLogin() {
    Parts parts = start(BrokerGateway.Settings.defaults());
    TestProbe<AuthSession.TokenReply> tokens = testKit.createTestProbe();
    parts.auth().tell(new AuthSession.GetToken(tokens.ref()));
    AuthSession.Granted first = assertInstanceOf(AuthSession.Granted.class, tokens.receiveMessage());
    parts.auth().tell(new AuthSession.ReportRejected(first.token()));
    parts.auth().tell(new AuthSession.GetToken(tokens.ref()));
    AuthSession.Granted second = assertInstanceOf(AuthSession.Granted.class, tokens.receiveMessage());
    assertEquals(2, parts.broker().logins.get());

    parts.auth().tell(new AuthSession.ReportRejected(first.token()));
    parts.auth().tell(new AuthSession.ReportRejected(first.token()));
    parts.auth().tell(new AuthSession.GetToken(tokens.ref()));
    assertEquals(second.token(), assertInstanceOf(AuthSession.Granted.class, tokens.receiveMessage()).token());
    assertEquals(2, parts.broker().logins.get(), "reports about a replaced token start nothing");
  }

  @Test
  void aCallRejectedAgainAfterTheReLoginIsAnsweredWithTheErrorInsteadOfRetryingForever() {
    Parts parts = start(BrokerGateway.Settings.defaults());
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    parts.gateway().tell(place("warm-up", BrokerGateway.Priority.CRITICAL, replies.ref()));
    replies.receiveMessage();
    FakeBroker broker = parts.broker();
    // Both attempts of the call are held, then answered "expired": the first with the old token,
    // the retry with the new one (a broker that rejects every session).
    broker.callGate = new CompletableFuture<>();
    broker.received.set(0);
    parts.gateway().tell(place("C1", BrokerGateway.Priority.CRITICAL, replies.ref()));
    awaitReceived(broker, 1);
    broker.expireTokens();
    CompletableFuture<Void> first = broker.callGate;
    broker.callGate = new CompletableFuture<>();
    first.complete(null);
    awaitReceived(broker, 2);
    broker.expireTokens();
    broker.callGate.complete(null);
    BrokerCall.Failed failed = assertInstanceOf(BrokerCall.Failed.class, replies.receiveMessage());
    assertInstanceOf(BrokerError.AuthExpired.class, failed.error());
    assertEquals(2, broker.received.get(), "tried twice, not more");
  }

  /** Waits until exactly {@code count} calls are at the broker (held there by its call gate). */
  static void awaitReceived(FakeBroker broker, int count) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(10), () -> {
      assertEquals(count, broker.received.get(), "calls in flight at the broker");
      return null;
    });
  }
}
