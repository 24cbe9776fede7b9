package dev.ordo.engine.marketdata;

import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.FakeBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeTick;
import dev.ordo.engine.port.Credentials;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The market-data state machine through connect, drop, stall and back-off, on a manual clock. */
class MarketDataConnectionTest {

  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final java.util.concurrent.atomic.AtomicInteger accounts = new java.util.concurrent.atomic.AtomicInteger();
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId INFY = new InstrumentId("INFY-EQ", "NSE");
  static final InstrumentId SBIN = new InstrumentId("SBIN-EQ", "NSE");

  /** No jitter, 1 s doubling to 8 s, stale after 10 s, heartbeat every 29 s, one INFO a minute. */
  static final MarketDataConnection.StreamSettings SETTINGS = new MarketDataConnection.StreamSettings(Duration.ofSeconds(10),
      Duration.ofSeconds(1), Duration.ofSeconds(8), 0.0, Duration.ofSeconds(29), Duration.ofMinutes(1));

  final AccountId account = AccountId.of("md" + accounts.incrementAndGet());
  final FakeStream stream = new FakeStream();
  final List<TradeTick> received = new CopyOnWriteArrayList<>();
  final List<ActorRef<?>> spawned = new CopyOnWriteArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopActors() {
    spawned.forEach(testKit::stop);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  ActorRef<MarketDataConnection.Command> start(MarketDataConnection.StreamSettings settings) {
    FakeBroker broker = new FakeBroker();
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(account, broker, Credentials.none(), AuthSession.Settings.defaults()));
    ActorRef<MarketDataConnection.Command> connection = testKit.spawn(MarketDataConnection.create(account,
        new MarketDataConnection.StreamSide(stream, auth, received::add, new Random(7), settings, () -> {})));
    spawned.add(auth);
    spawned.add(connection);
    return connection;
  }

  MarketDataConnection.Status status(ActorRef<MarketDataConnection.Command> connection) {
    TestProbe<MarketDataConnection.Status> probe = testKit.createTestProbe();
    connection.tell(new MarketDataConnection.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  /** Waits (with the testkit's polling, not a spin) until {@code condition} holds; fails naming {@code what} after 5 s. */
  static void eventually(BooleanSupplier condition, String what) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(10), () -> {
      if (!condition.getAsBoolean()) throw new AssertionError("timed out waiting for: " + what);
      return null;
    });
  }

  static TradeTick tick(InstrumentId id, String price) {
    return new TradeTick(id, Price.of(price), Quantity.of(1), Instant.EPOCH);
  }

  ActorRef<MarketDataConnection.Command> connected(Set<InstrumentId> subscriptions) {
    ActorRef<MarketDataConnection.Command> connection = start(SETTINGS);
    connection.tell(new MarketDataConnection.Subscribe(subscriptions));
    connection.tell(MarketDataConnection.Connect.INSTANCE);
    eventually(() -> stream.connections.size() == 1 && !stream.last().subscribes.isEmpty(), "first connection subscribed");
    return connection;
  }

  @Test
  void subscribesTheDesiredSetOnConnectAndForwardsTicks() {
    ActorRef<MarketDataConnection.Command> connection = connected(Set.of(TCS, INFY));
    assertEquals(Set.of(TCS, INFY), stream.last().subscribed());
    stream.last().listener.onTick(tick(TCS, "3500.05"));
    eventually(() -> received.size() == 1, "tick forwarded");
    assertEquals(MarketDataConnection.State.CONNECTED, status(connection).state());

    connection.tell(new MarketDataConnection.Subscribe(Set.of(TCS, SBIN)));
    eventually(() -> stream.last().subscribes.size() == 2, "difference subscribed");
    assertEquals(List.of(Set.of(INFY)), stream.last().unsubscribes, "only the difference is sent");
    assertEquals(Set.of(SBIN), stream.last().subscribes.get(1));
  }

  @Test
  void aDroppedConnectionIsResubscribedAfterItsBackoffAndItsLateFramesAreIgnored() {
    ActorRef<MarketDataConnection.Command> connection = connected(Set.of(TCS, INFY));
    FakeStream.FakeConnection first = stream.last();
    first.listener.onClosed("server closed the socket");
    eventually(() -> status(connection).state() == MarketDataConnection.State.BACKOFF, "backing off");
    manualTime.timePasses(Duration.ofMillis(999));
    assertEquals(1, stream.connections.size(), "no reconnect before the 1 s back-off");
    manualTime.timePasses(Duration.ofMillis(1));
    eventually(() -> stream.connections.size() == 2 && !stream.last().subscribes.isEmpty(), "reconnected");
    assertEquals(Set.of(TCS, INFY), stream.last().subscribed(), "a new socket has no subscriptions until they are sent again");

    first.listener.onTick(tick(TCS, "1"));
    stream.last().listener.onTick(tick(INFY, "2"));
    eventually(() -> received.size() == 1, "tick of the new connection");
    manualTime.timePasses(Duration.ofMillis(10));
    assertEquals(List.of(tick(INFY, "2")), received, "the replaced connection's late frame is ignored");
    MarketDataConnection.Status after = status(connection);
    assertEquals(2, after.connects());
    assertEquals(1, after.failures());
  }

  @Test
  void aConnectionThatFailsToCloseDoesNotStopTheReconnects() {
    ActorRef<MarketDataConnection.Command> connection = connected(Set.of(TCS));
    FakeStream.FakeConnection first = stream.last();
    first.throwOnClose = true;
    first.listener.onClosed("server closed the socket");
    eventually(() -> status(connection).state() == MarketDataConnection.State.BACKOFF, "backing off");
    manualTime.timePasses(Duration.ofSeconds(1));
    eventually(() -> stream.connections.size() == 2 && !stream.last().subscribes.isEmpty(), "reconnected");
    assertEquals(MarketDataConnection.State.CONNECTED, status(connection).state());
  }

  @Test
  void anOpenButSilentConnectionIsReplacedByTheWatchdog() {
    ActorRef<MarketDataConnection.Command> connection = connected(Set.of(TCS));
    FakeStream.FakeConnection first = stream.last();
    // Frames every 4 s keep it alive.
    for (int i = 0; i < 5; i++) {
      manualTime.timePasses(Duration.ofSeconds(4));
      first.listener.onKeepalive();
    }
    manualTime.timePasses(Duration.ofMillis(1));
    assertFalse(first.closed, "a talking connection is kept");
    // Then it stalls: replaced after 10 to 15 s of silence.
    manualTime.timePasses(Duration.ofSeconds(9));
    assertFalse(first.closed, "not yet stale");
    manualTime.timePasses(Duration.ofSeconds(6));
    eventually(() -> first.closed, "stale connection closed");
    manualTime.timePasses(Duration.ofSeconds(1));
    eventually(() -> stream.connections.size() == 2 && !stream.last().subscribes.isEmpty(), "replaced and resubscribed");
    assertEquals(Set.of(TCS), stream.last().subscribed());
    assertEquals(MarketDataConnection.State.CONNECTED, status(connection).state());
  }

  @Test
  void failedAttemptsBackOffExponentiallyUpToTheCap() {
    stream.failing.set(5);
    ActorRef<MarketDataConnection.Command> connection = start(SETTINGS);
    connection.tell(new MarketDataConnection.Subscribe(Set.of(TCS)));
    connection.tell(MarketDataConnection.Connect.INSTANCE);
    eventually(() -> stream.attempts.get() == 1, "first attempt");
    // Waits 1, 2, 4, 8, 8 s (cap) between the attempts.
    long[] waits = {1, 2, 4, 8, 8};
    for (int i = 0; i < waits.length; i++) {
      int before = stream.attempts.get();
      manualTime.timePasses(Duration.ofSeconds(waits[i]).minusMillis(1));
      assertEquals(before, stream.attempts.get(), "attempt " + (i + 2) + " waits " + waits[i] + " s");
      manualTime.timePasses(Duration.ofMillis(1));
      int expected = before + 1;
      eventually(() -> stream.attempts.get() == expected, "attempt " + expected);
    }
    eventually(() -> stream.connections.size() == 1 && !stream.last().subscribes.isEmpty(), "connected at the sixth attempt");
    assertEquals(5, status(connection).failures());
  }

  @Test
  void backoffIsJitteredWithinItsBounds() {
    MarketDataConnection.StreamSettings jittered = new MarketDataConnection.StreamSettings(Duration.ofSeconds(10), Duration.ofSeconds(4),
        Duration.ofSeconds(4), 0.5, Duration.ofSeconds(29), Duration.ofMinutes(1));
    stream.failing.set(1);
    ActorRef<MarketDataConnection.Command> connection = start(jittered);
    connection.tell(MarketDataConnection.Connect.INSTANCE);
    eventually(() -> stream.attempts.get() == 1, "first attempt");
    manualTime.timePasses(Duration.ofMillis(1999));
    assertEquals(1, stream.attempts.get(), "not before 4 s - 50%");
    manualTime.timePasses(Duration.ofMillis(4002));
    eventually(() -> stream.attempts.get() == 2, "by 4 s + 50%");
  }

  @Test
  void sendsAHeartbeatOnSchedule() {
    connected(Set.of(TCS));
    FakeStream.FakeConnection first = stream.last();
    for (int i = 0; i < 3; i++) {
      manualTime.timePasses(Duration.ofSeconds(4));
      first.listener.onKeepalive();
    }
    for (int i = 0; i < 5; i++) {
      manualTime.timePasses(Duration.ofSeconds(4));
      first.listener.onKeepalive();
    }
    eventually(() -> first.heartbeats.get() == 1, "one heartbeat after 29 s");
  }

  /** Collects log events; safe to read while actors log. */
  static final class EventsAppender extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> list = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      list.add(event);
    }
  }

  @Test
  void flappingLogsAtMostOneInfoLinePerMinute() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.ordo.engine.marketdata.MarketDataConnection$Connection");
    EventsAppender appender = new EventsAppender();
    appender.start();
    logger.addAppender(appender);
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    try {
      ActorRef<MarketDataConnection.Command> connection = connected(Set.of(TCS));
      for (int i = 0; i < 5; i++) {
        stream.last().listener.onClosed("dropped");
        int expected = i + 2;
        eventually(() -> status(connection).state() == MarketDataConnection.State.BACKOFF, "backing off " + expected);
        manualTime.timePasses(Duration.ofSeconds(1));
        eventually(() -> stream.connections.size() == expected && !stream.last().subscribes.isEmpty(), "reconnected " + expected);
      }
      String prefix = "Market data of " + account + ": ";
      long infos = appender.list.stream().filter(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().startsWith(prefix)
          && e.getFormattedMessage().matches(".*(CONNECTING|CONNECTED|BACKOFF|DISCONNECTED).*")).count();
      assertEquals(1, infos, "the first state change only: " + appender.list);
      manualTime.timePasses(Duration.ofMinutes(1));
      eventually(() -> appender.list.stream().anyMatch(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().startsWith(prefix)
              && e.getFormattedMessage().contains("more state change")),
          "a summary after the minute");
      assertTrue(appender.list.stream().anyMatch(e -> e.getLevel() == Level.DEBUG && e.getFormattedMessage().contains("BACKOFF")));
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(before);
    }
  }
}
