package dev.ordo.engine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.FakeBroker;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.MarketDataStream;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import dev.ordo.engine.LogMdc;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trading service and its manager: which children run in each mode, the gateway's receptionist
 * listing, a crashed child restarted, one service per account. A single-node cluster with an
 * in-memory journal, because the live mode's bar builder and reconciler use sharding and persistence.
 */
class TradingServiceTest {

  static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          """))
      .withFallback(ConfigFactory.load()));
  static int accounts;

  final AccountId account = AccountId.of("service" + (++accounts));

  @BeforeAll
  static void join() {
    TestProbe<SelfUp> up = testKit.createTestProbe();
    Cluster cluster = Cluster.get(testKit.system());
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static TradingService.Parts parts(ActorRef<TradingService.Command> service) {
    TestProbe<TradingService.Parts> probe = testKit.createTestProbe();
    service.tell(new TradingService.GetParts(probe.ref()));
    return probe.receiveMessage();
  }

  static AuthSession.Status authStatus(ActorRef<AuthSession.Command> auth) {
    TestProbe<AuthSession.Status> probe = testKit.createTestProbe();
    auth.tell(new AuthSession.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  static MarketDataConnection.Status connectionStatus(ActorRef<MarketDataConnection.Command> connection) {
    TestProbe<MarketDataConnection.Status> probe = testKit.createTestProbe();
    connection.tell(new MarketDataConnection.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  /** Waits for the receptionist's listing of {@code account}'s gateway to be {@code expected}. */
  static void expectGateways(TestProbe<Receptionist.Listing> listings, AccountId account, Set<ActorRef<BrokerGateway.Command>> expected) {
    listings.fishForMessage(Duration.ofSeconds(10), "gateways listed: " + expected, listing ->
        listing.getServiceInstances(BrokerGateway.serviceKey(account)).equals(expected) ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void thePaperServiceRunsTheSessionTheGatewayAndTheBarDelivery() {
    ActorRef<TradingService.Command> service = testKit.spawn(TradingService.create(account, new FakeBroker(), Credentials.none(),
        TradingService.Settings.defaults()));
    TradingService.Parts parts = parts(service);

    assertEquals(account, parts.account());
    assertEquals(service.path(), parts.authSession().path().parent());
    assertEquals(service.path(), parts.gateway().path().parent());
    assertEquals(service.path(), parts.barDelivery().path().parent());
    assertNull(parts.marketData(), "no stream for the replay");
    assertNull(parts.reconciler());
    assertNull(parts.orderFeed());
    assertEquals(new AuthSession.Status(account, AuthSession.State.LOGGED_OUT, 0, 0, 0, null), authStatus(parts.authSession()));
    TestProbe<BarDelivery.Status> delivery = testKit.createTestProbe();
    parts.barDelivery().tell(new BarDelivery.GetStatus(delivery.ref()));
    delivery.expectMessage(new BarDelivery.Status(account, false, List.of(), 0, null));
    assertEquals(parts, parts(service), "the same children on every ask");

    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.subscribe(BrokerGateway.serviceKey(account), listings.ref()));
    expectGateways(listings, account, Set.of(parts.gateway()));
  }

  @Test
  void theServicesActorsTagTheirLogLinesWithTheAccount() {
    ActorRef<TradingService.Command> service = testKit.spawn(TradingService.create(account, new FakeBroker(), Credentials.none(),
        TradingService.Settings.defaults()));
    TradingService.Parts parts = parts(service);
    TestProbe<AuthSession.TokenReply> tokens = testKit.createTestProbe();
    ch.qos.logback.classic.Logger broker = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.ordo.engine.broker");
    ch.qos.logback.classic.Level level = broker.getLevel();
    broker.setLevel(ch.qos.logback.classic.Level.INFO); // the tests log at WARN; the login line is at INFO
    try {
      LoggingTestKit.info("Logging in account " + account).withMdc(Map.of(LogMdc.ACCOUNT, account.value())).expect(testKit.system(), () -> {
        parts.authSession().tell(new AuthSession.GetToken(tokens.ref()));
        return null;
      });
    } finally {
      broker.setLevel(level);
    }
    tokens.expectMessageClass(AuthSession.Granted.class);
  }

  @Test
  void theLiveServiceRunsBothStreamConnectionsAndTheReconcilerInsteadOfTheBarDelivery() {
    MarketDataStream neverOpens = (token, listener) -> new CompletableFuture<>();
    OrderUpdateListener fills = (fillAccount, fill) -> CompletableFuture.completedFuture(Done.getInstance());
    TradingService.Live live = new TradingService.Live(neverOpens, MarketDataConnection.StreamSettings.defaults(), Duration.ofMinutes(5),
        id -> ZoneOffset.ofHoursMinutes(5, 30), fills, Set::of, new Reconciler.Settings(Duration.ofHours(1), Duration.ofSeconds(5)),
        Clock.fixed(Instant.parse("2024-01-16T04:00:00Z"), ZoneOffset.UTC), 1, neverOpens);
    ActorRef<TradingService.Command> service = testKit.spawn(TradingService.create(account, new FakeBroker(), Credentials.none(),
        TradingService.Settings.defaults(), live));
    TradingService.Parts parts = parts(service);

    assertNull(parts.barDelivery(), "live bars reach the traders through the bar builder");
    assertEquals(service.path(), parts.reconciler().path().parent());
    assertEquals(service.path().child("market-data"), parts.marketData().path());
    assertEquals(service.path().child("order-feed"), parts.orderFeed().path());
    // Both connections wait for Connect.
    MarketDataConnection.Status disconnected = new MarketDataConnection.Status(account, MarketDataConnection.State.DISCONNECTED, List.of(),
        0, 0, 0);
    assertEquals(disconnected, connectionStatus(parts.marketData()));
    assertEquals(disconnected, connectionStatus(parts.orderFeed()));
  }

  /** A broker whose first login throws (a bug in an adapter), which crashes the session; later logins work. */
  static final class FirstLoginThrows implements Broker {
    final FakeBroker broker = new FakeBroker();
    final AtomicBoolean thrown = new AtomicBoolean();

    @Override
    public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
      if (thrown.compareAndSet(false, true)) throw new IllegalStateException("login adapter bug");
      return broker.login(credentials);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
      return broker.placeOrder(token, request);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
      return broker.modifyOrder(token, order, trigger, limit);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
      return broker.cancelOrder(token, order);
    }

    @Override
    public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
      return broker.orderBook(token);
    }

    @Override
    public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
      return broker.trades(token);
    }

    @Override
    public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
      return broker.positions(token);
    }

    @Override
    public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
      return broker.limits(token);
    }

    @Override
    public void subscribeOrderUpdates(OrderUpdateListener listener) {
      broker.subscribeOrderUpdates(listener);
    }
  }

  @Test
  void aCrashedSessionIsRestartedUnderTheSameReference() {
    ActorRef<TradingService.Command> service = testKit.spawn(TradingService.create(account, new FirstLoginThrows(), Credentials.none(),
        TradingService.Settings.defaults()));
    ActorRef<AuthSession.Command> auth = parts(service).authSession();
    TestProbe<AuthSession.TokenReply> tokens = testKit.createTestProbe();

    LoggingTestKit.error(IllegalStateException.class).withMessageContains("login adapter bug").expect(testKit.system(), () -> {
      auth.tell(new AuthSession.GetToken(tokens.ref()));
      return null;
    });
    tokens.expectNoMessage(Duration.ofMillis(100));

    auth.tell(new AuthSession.GetToken(tokens.ref()));
    assertInstanceOf(AuthSession.Granted.class, tokens.receiveMessage());
    assertEquals(new AuthSession.Status(account, AuthSession.State.ACTIVE, 1, 0, 0, Instant.EPOCH), authStatus(auth),
        "a fresh session: the crash is no failed login");
    assertEquals(auth, parts(service).authSession());
  }

  @Test
  void theManagerRunsOneServicePerAccountAndItsGatewayLeavesTheListingWhenStopped() {
    ActorRef<ServiceManager.Command> manager = testKit.spawn(ServiceManager.create("manager-" + account, TradingService.Settings.defaults(),
        Duration.ofSeconds(5), Clock.systemUTC()));
    AccountId other = AccountId.of(account.value() + "-other");
    TestProbe<ActorRef<TradingService.Command>> started = testKit.createTestProbe();
    manager.tell(new ServiceManager.StartService(account, new FakeBroker(), Credentials.none(), started.ref()));
    ActorRef<TradingService.Command> service = started.receiveMessage();
    manager.tell(new ServiceManager.StartService(account, new FakeBroker(), Credentials.none(), started.ref()));
    assertEquals(service, started.receiveMessage(), "the running service, not a second one");
    manager.tell(new ServiceManager.StartService(other, new FakeBroker(), Credentials.none(), started.ref()));
    ActorRef<TradingService.Command> otherService = started.receiveMessage();
    assertNotEquals(service, otherService);
    TestProbe<ServiceManager.Services> services = testKit.createTestProbe();
    manager.tell(new ServiceManager.GetServices(services.ref()));
    services.expectMessage(new ServiceManager.Services(Map.of(account, service, other, otherService)));

    ActorRef<BrokerGateway.Command> gateway = parts(service).gateway();
    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.subscribe(BrokerGateway.serviceKey(account), listings.ref()));
    expectGateways(listings, account, Set.of(gateway));

    TestProbe<Boolean> stopped = testKit.createTestProbe();
    TestProbe<Object> watcher = testKit.createTestProbe();
    manager.tell(new ServiceManager.StopService(account, stopped.ref()));
    stopped.expectMessage(true);
    watcher.expectTerminated(service);
    expectGateways(listings, account, Set.of());
    manager.tell(new ServiceManager.GetServices(services.ref()));
    services.expectMessage(new ServiceManager.Services(Map.of(other, otherService)));
    manager.tell(new ServiceManager.StopService(account, stopped.ref()));
    stopped.expectMessage(false);
    assertNotNull(parts(otherService).gateway(), "the other account's service still answers");
  }

  static BrokerGateway.Execute place(String clientOrderId, ActorRef<BrokerCall.Reply> replyTo) {
    return new BrokerGateway.Execute(new BrokerCall.PlaceOrder(new OrderRequest(dev.ordo.engine.model.ClientOrderId.of(clientOrderId),
        dev.ordo.engine.TestBars.INSTRUMENT, dev.ordo.engine.model.OrderSide.BUY, dev.ordo.engine.model.OrderType.MARKET,
        dev.ordo.engine.model.Quantity.of(1), null, null, dev.ordo.engine.model.TimeInForce.DAY)), BrokerGateway.Priority.CRITICAL, replyTo);
  }

  @Test
  void oneAccountsHangingBrokerNeverDelaysAnotherAndItsStopCutsOnlyItsOwnCalls() {
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    String managerId = "isolation-" + account;
    ActorRef<ServiceManager.Command> manager = testKit.spawn(ServiceManager.create(managerId, TradingService.Settings.defaults(),
        Duration.ofMillis(300), Clock.systemUTC()));
    AccountId hung = account;
    AccountId healthy = AccountId.of(account.value() + "-healthy");
    FakeBroker hangs = new FakeBroker();
    FakeBroker answers = new FakeBroker();
    TestProbe<ActorRef<TradingService.Command>> started = testKit.createTestProbe();
    manager.tell(new ServiceManager.StartService(hung, hangs, Credentials.none(), started.ref()));
    ActorRef<BrokerGateway.Command> hungGateway = parts(started.receiveMessage()).gateway();
    manager.tell(new ServiceManager.StartService(healthy, answers, Credentials.none(), started.ref()));
    ActorRef<BrokerGateway.Command> healthyGateway = parts(started.receiveMessage()).gateway();

    hangs.holdCalls();
    TestProbe<BrokerCall.Reply> hungReplies = testKit.createTestProbe();
    TestProbe<BrokerCall.Reply> healthyReplies = testKit.createTestProbe();
    for (int i = 1; i <= 10; i++) hungGateway.tell(place("H-" + i, hungReplies.ref()));
    for (int i = 1; i <= 10; i++) healthyGateway.tell(place("A-" + i, healthyReplies.ref()));
    for (int i = 1; i <= 10; i++)
      assertInstanceOf(BrokerCall.Placed.class, healthyReplies.receiveMessage(Duration.ofSeconds(3)), "the healthy account is answered");
    hungReplies.expectNoMessage(Duration.ofMillis(200));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      TestProbe<BrokerGateway.Status> status = testKit.createTestProbe();
      hungGateway.tell(new BrokerGateway.GetStatus(status.ref()));
      assertEquals(10, status.receiveMessage().inFlight(), "all ten at the hung broker");
      return null;
    });

    TestProbe<ServiceManager.ControlAnswer> control = testKit.createTestProbe();
    manager.tell(new ServiceManager.Stop(hung, "ops", control.ref()));
    ServiceManager.Changed stopped = assertInstanceOf(ServiceManager.Changed.class, control.receiveMessage(Duration.ofSeconds(10)));
    assertEquals(ServiceManager.ServiceState.STOPPED, stopped.state().state());
    manager.tell(new ServiceManager.Stop(hung, "ops", control.ref()));
    ServiceManager.Conflict again = assertInstanceOf(ServiceManager.Conflict.class, control.receiveMessage());
    assertEquals(ServiceManager.ServiceState.STOPPED, again.state().state());

    healthyGateway.tell(place("A-11", healthyReplies.ref()));
    assertInstanceOf(BrokerCall.Placed.class, healthyReplies.receiveMessage(Duration.ofSeconds(3)), "still trading after the other's stop");
    String pid = "ServiceManager|" + managerId;
    journal.expectNextPersistedClass(pid, ServiceManager.ServiceStarted.class);
    journal.expectNextPersistedClass(pid, ServiceManager.ServiceStarted.class);
    ServiceManager.ServiceStopped event = journal.expectNextPersistedClass(pid, ServiceManager.ServiceStopped.class);
    assertEquals(new ServiceManager.ServiceStopped(hung, "ops", 10, event.tsEvent()), event, "the ten calls cut short by the stop");
  }

  @Test
  void theServiceBeatsWhileItsSessionAndGatewayAnswer() {
    TradingService.Settings settings = TradingService.Settings.defaults().withHeartbeat(Duration.ofMillis(50), Clock.systemUTC());
    ActorRef<TradingService.Command> service = testKit.spawn(TradingService.create(account, new FakeBroker(), Credentials.none(), settings));
    TestProbe<TradingService.Heartbeat> beats = testKit.createTestProbe();
    beats.awaitAssert(Duration.ofSeconds(5), () -> {
      service.tell(new TradingService.GetHeartbeat(beats.ref()));
      TradingService.Heartbeat beat = beats.receiveMessage();
      assertNotNull(beat.lastBeat());
      assertFalse(beat.staleAt(beat.lastBeat().plusMillis(100)), "within twice the interval");
      assertTrue(beat.staleAt(beat.lastBeat().plusMillis(101)), "older than twice the interval");
      return null;
    });
  }
}
