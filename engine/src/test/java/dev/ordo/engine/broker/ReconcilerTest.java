package dev.ordo.engine.broker;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The reconciler on a single-node cluster against a probed gateway, probed symbol traders and probed
 * positions (sharded test entities that hand every command to the test), with the journal in memory.
 * Each test drives the runs step by step: it answers the three broker reads, then the traders' states,
 * then the ReconcileOrder commands, then the positions.
 */
class ReconcilerTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = "127.0.0.1"
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          """)
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load()));
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  static final Instant NOW = Instant.parse("2024-01-16T04:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final OffsetDateTime FILL_TIME = OffsetDateTime.parse("2024-01-16T09:20:00+05:30");
  static final InstrumentId OTHER = new InstrumentId("OTHER-EQ", "NSE");

  /** A command a sharded test entity received, with the entity's id. */
  record Received<T>(String entityId, T command) {}

  /** A fill the reconciler handed to its OrderUpdateListener. */
  record Delivered(AccountId account, Fill fill) {}

  static final TestProbe<Received<SymbolTrader.Command>> traders = testKit.createTestProbe();
  static final TestProbe<Received<Position.Command>> positions = testKit.createTestProbe();
  static final TestProbe<Received<Expert.Command>> experts = testKit.createTestProbe();

  /** A new account per test, so the entity ids and the persistence id are the test's own. */
  static int accounts;
  AccountId account;
  TestProbe<BrokerGateway.Command> gateway;
  TestProbe<Delivered> delivered;
  TestProbe<Reconciler.Report> reports;
  ActorRef<Reconciler.Command> reconciler;

  @BeforeAll
  static void joinTheClusterAndShardTheProbes() {
    ClusterSharding sharding = ClusterSharding.get(testKit.system());
    sharding.init(Entity.of(SymbolTrader.ENTITY_TYPE_KEY, entity -> forward(entity.getEntityId(), traders.ref())));
    sharding.init(Entity.of(Position.ENTITY_TYPE_KEY, entity -> forward(entity.getEntityId(), positions.ref())));
    sharding.init(Entity.of(Expert.ENTITY_TYPE_KEY, entity -> forward(entity.getEntityId(), experts.ref())));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
  }

  static <T> Behavior<T> forward(String entityId, ActorRef<Received<T>> probe) {
    return Behaviors.receiveMessage(command -> {
      probe.tell(new Received<>(entityId, command));
      return Behaviors.same();
    });
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    account = AccountId.of("rec" + (++accounts));
    gateway = testKit.createTestProbe();
    delivered = testKit.createTestProbe();
    reports = testKit.createTestProbe();
  }

  @AfterEach
  void everyEntityCommandWasAnswered() {
    if (reconciler != null) testKit.stop(reconciler);
    traders.expectNoMessage(Duration.ofMillis(50));
    positions.expectNoMessage(Duration.ofMillis(50));
    experts.expectNoMessage(Duration.ofMillis(50));
  }

  // ------------------------------------------------------------------ the tests

  @Test
  void deliversTheTradeBooksFillsOnEveryRun() {
    Fill first = fill("T1", "C1");
    Fill second = fill("T2", "C2");
    start();
    answerBooks(List.of(first, second), List.of(), List.of());
    assertEquals(new Delivered(account, first), delivered.receiveMessage());
    assertEquals(new Delivered(account, second), delivered.receiveMessage());
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);

    reconciler.tell(new Reconciler.Reconcile("again", reports.ref()));
    answerBooks(List.of(first, second), List.of(), List.of());
    assertEquals(new Delivered(account, first), delivered.receiveMessage());
    assertEquals(new Delivered(account, second), delivered.receiveMessage());
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("again", 2, 0, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void anUnknownOrderFoundInTheBookIsReconciledWithItsRow() {
    startIdle();
    OrderReport row = row("C1", OrderStatus.ACCEPTED);
    reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
    answerBooks(List.of(), List.of(row), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    assertEquals(row, expectReconcileOrder(INSTRUMENT, "C1").report());
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("check", 0, 1, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void anUnknownOrderMissingFromOneBookIsNotLostButMissingFromTwoConsecutiveBooksItIs() {
    startIdle();
    reconciler.tell(new Reconciler.Reconcile("first miss", reports.ref()));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    traders.expectNoMessage(Duration.ofMillis(200));
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("first miss", 0, 0, 0, NOW, null), reports.receiveMessage());

    reconciler.tell(new Reconciler.Reconcile("second miss", reports.ref()));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    assertNull(expectReconcileOrder(INSTRUMENT, "C1").report(), "declared lost: not at the broker");
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("second miss", 0, 1, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void anUnknownOrderSeenInABookBetweenTwoMissesIsNotLost() {
    startIdle();
    reconciler.tell(new Reconciler.Reconcile("miss", reports.ref()));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    traders.expectNoMessage(Duration.ofMillis(200));
    answerPosition(INSTRUMENT, 0);
    reports.receiveMessage();

    // The broker shows it (the trader, here, stays UNKNOWN): the count starts over.
    reconciler.tell(new Reconciler.Reconcile("seen", reports.ref()));
    OrderReport row = row("C1", OrderStatus.ACCEPTED);
    answerBooks(List.of(), List.of(row), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    assertEquals(row, expectReconcileOrder(INSTRUMENT, "C1").report());
    answerPosition(INSTRUMENT, 0);
    reports.receiveMessage();

    reconciler.tell(new Reconciler.Reconcile("miss again", reports.ref()));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT, order("C1", OrderStatus.UNKNOWN));
    traders.expectNoMessage(Duration.ofMillis(200));
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("miss again", 0, 0, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void aWorkingOrderTheBrokerCanceledIsReconciledAndOnlyThatOne() {
    startIdle();
    OrderReport canceled = row("C2", OrderStatus.CANCELED);
    reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
    answerBooks(List.of(), List.of(canceled, row("C3", OrderStatus.ACCEPTED), row("C5", OrderStatus.CANCELED)), List.of());
    // C3 still works at the broker, C4 is working but not in the book (only UNKNOWN orders can be lost), C5 is closed already.
    answerTrader(INSTRUMENT, order("C2", OrderStatus.ACCEPTED), order("C3", OrderStatus.ACCEPTED), order("C4", OrderStatus.ACCEPTED),
        order("C5", OrderStatus.CANCELED));
    assertEquals(canceled, expectReconcileOrder(INSTRUMENT, "C2").report());
    traders.expectNoMessage(Duration.ofMillis(200));
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("check", 0, 1, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void aPositionMismatchIsJournaledAsADiscrepancyAndReported() {
    startIdle();
    journal.expectNothingPersisted(persistenceId(), Duration.ofMillis(100));
    reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
    answerBooks(List.of(), List.of(), List.of(position(INSTRUMENT, 100), position(OTHER, -5)));
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 40);

    journal.expectNextPersisted(persistenceId(), new Reconciler.DiscrepancyFound(account,
        new Reconciler.Discrepancy("POSITION_MISMATCH", INSTRUMENT, "engine 40, broker 100"), NOW));
    journal.expectNextPersisted(persistenceId(), new Reconciler.DiscrepancyFound(account,
        new Reconciler.Discrepancy("UNTRADED_POSITION", OTHER, "broker holds -5 of an instrument the engine does not trade"), NOW));
    assertEquals(new Reconciler.Report("check", 0, 0, 2, NOW, null), reports.receiveMessage());
    TestProbe<Reconciler.State> state = testKit.createTestProbe();
    reconciler.tell(new Reconciler.GetState(state.ref()));
    assertEquals(new Reconciler.State(2), state.receiveMessage());
  }

  @Test
  void triggersDuringARunAreCoalescedIntoOneMoreRun() {
    start();
    List<BrokerGateway.Execute> reads = expectReads();
    reconciler.tell(new Reconciler.Reconcile("order update", null));
    reconciler.tell(new Reconciler.Reconcile("order update", null));
    reconciler.tell(new Reconciler.Reconcile("asked", reports.ref()));
    reconciler.tell(new Reconciler.Reconcile("reconnect", null));
    answer(reads, List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);

    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("order update, asked, reconnect", 0, 0, 0, NOW, null), reports.receiveMessage());
    gateway.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aFailedBrokerReadIsReportedAndTheNextRunReadsAgain() {
    startIdle();
    reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
    BrokerError.Unavailable down = new BrokerError.Unavailable("502 OMS down");
    answerBooksFailing(down);
    assertEquals(new Reconciler.Report("check", 0, 0, 0, NOW, "GetOrderBook failed: " + down), reports.receiveMessage());
    traders.expectNoMessage(Duration.ofMillis(100));

    reconciler.tell(new Reconciler.Reconcile("retry", reports.ref()));
    answerBooks(List.of(fill("T1", "C1")), List.of(), List.of());
    delivered.receiveMessage();
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("retry", 1, 0, 0, NOW, null), reports.receiveMessage());
  }

  @Test
  void oneFailedRunLogsAtInfoAndTheThirdInARowAtWarn() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.ordo.engine.broker");
    Level before = logger.getLevel();
    logger.setLevel(Level.INFO);
    try {
      startIdle();
      BrokerError.Unavailable down = new BrokerError.Unavailable("502 OMS down");
      LoggingTestKit.info("failed, will run again").withOccurrences(2).expect(testKit.system(), () -> {
        for (int i = 0; i < 2; i++) {
          reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
          answerBooksFailing(down);
          reports.receiveMessage();
        }
        return null;
      });
      LoggingTestKit.warn("failed 3 times in a row").expect(testKit.system(), () -> {
        reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
        answerBooksFailing(down);
        return reports.receiveMessage();
      });
      // A run that completes ends the streak.
      reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
      answerBooks(List.of(), List.of(), List.of());
      answerTrader(INSTRUMENT);
      answerPosition(INSTRUMENT, 0);
      reports.receiveMessage();
      Reconciler.Report lastFailed = LoggingTestKit.info("failed, will run again").expect(testKit.system(), () -> {
        reconciler.tell(new Reconciler.Reconcile("check", reports.ref()));
        answerBooksFailing(down);
        return reports.receiveMessage();
      });
      TestProbe<Reconciler.Stats> stats = testKit.createTestProbe();
      reconciler.tell(new Reconciler.GetStats(stats.ref()));
      assertEquals(new Reconciler.Stats(account, 6, 4, lastFailed), stats.receiveMessage(), "the start's run and five more ended, four failed; the last one's report");
    } finally {
      logger.setLevel(before);
    }
  }

  @Test
  void anExpertsOrdersAreResolvedLikeATradersAndTheTradersStillAreAsBefore() {
    startWithExperts(List.of("tp"));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT);
    answerExpert("tp");
    answerPosition(INSTRUMENT, 0);

    OrderReport traderCanceled = row("C2", OrderStatus.CANCELED);
    OrderReport takeProfitExpired = row("tp.2", OrderStatus.EXPIRED);
    OrderReport foundWorking = row("tp.4", OrderStatus.ACCEPTED);
    reconciler.tell(new Reconciler.Reconcile("eod-cleanup expiry", reports.ref()));
    answerBooks(List.of(), List.of(traderCanceled, row("C3", OrderStatus.ACCEPTED), row("tp.1", OrderStatus.FILLED), takeProfitExpired,
        row("tp.3", OrderStatus.ACCEPTED), foundWorking), List.of());
    answerTrader(INSTRUMENT, order("C2", OrderStatus.ACCEPTED), order("C3", OrderStatus.ACCEPTED));
    // tp.1 filled (closed), tp.2 a take-profit the broker expired, tp.3 still working, tp.4 a placement found at the broker,
    // tp.5 a placement of unknown outcome not in the book (a first miss)
    answerExpert("tp", expertOrder("tp.1", OrderStatus.FILLED, "V-tp.1"), expertOrder("tp.2", OrderStatus.ACCEPTED, "V-tp.2"),
        expertOrder("tp.3", OrderStatus.ACCEPTED, "V-tp.3"), expertOrder("tp.4", OrderStatus.SUBMITTED, null),
        expertOrder("tp.5", OrderStatus.SUBMITTED, null));
    assertEquals(traderCanceled, expectReconcileOrder(INSTRUMENT, "C2").report(), "the trader's as before");
    assertEquals(takeProfitExpired, expectExpertReconcileOrder("tp", "tp.2").report());
    assertEquals(foundWorking, expectExpertReconcileOrder("tp", "tp.4").report());
    experts.expectNoMessage(Duration.ofMillis(200));
    traders.expectNoMessage(Duration.ofMillis(50));
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("eod-cleanup expiry", 0, 3, 0, NOW, null), reports.receiveMessage());

    reconciler.tell(new Reconciler.Reconcile("again", reports.ref()));
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT);
    answerExpert("tp", expertOrder("tp.5", OrderStatus.SUBMITTED, null));
    assertNull(expectExpertReconcileOrder("tp", "tp.5").report(), "missing from two consecutive books: never placed");
    answerPosition(INSTRUMENT, 0);
    assertEquals(new Reconciler.Report("again", 0, 1, 0, NOW, null), reports.receiveMessage());
  }

  // ------------------------------------------------------------------ driving a run

  /** Starts the reconciler as {@link #start()} for an account whose experts are {@code expertIds}. */
  void startWithExperts(List<String> expertIds) {
    reconciler = testKit.spawn(Reconciler.create(account, gateway.ref(), (to, fill) -> {
      delivered.ref().tell(new Delivered(to, fill));
      return CompletableFuture.completedFuture(Done.getInstance());
    }, () -> Set.of(INSTRUMENT), () -> CompletableFuture.completedFuture(expertIds), new Reconciler.Settings(Duration.ofHours(1),
        Duration.ofSeconds(5)), CLOCK));
  }

  /** Answers the GetState of expert {@code expertId} with one transaction holding {@code orders}, in that order. */
  void answerExpert(String expertId, Expert.ExpertOrder... orders) {
    Received<Expert.Command> received = experts.receiveMessage();
    assertEquals(expertId, received.entityId());
    Expert.GetState get = assertInstanceOf(Expert.GetState.class, received.command());
    List<ClientOrderId> ids = java.util.Arrays.stream(orders).map(Expert.ExpertOrder::clientOrderId).toList();
    java.util.Map<ClientOrderId, Expert.ExpertOrder> byId = new java.util.HashMap<>();
    for (Expert.ExpertOrder o : orders) byId.put(o.clientOrderId(), o);
    Expert.Transaction transaction = new Expert.Transaction(expertId + "-1", INSTRUMENT, Expert.TransactionStatus.OPENED, Quantity.of(10),
        Quantity.of(10), null, Price.of("120"), BigDecimal.ONE, BigDecimal.ZERO, Quantity.of(10), BigDecimal.ZERO, Quantity.ZERO, ids, NOW,
        null, null);
    get.replyTo().tell(new Expert.State(expertId, new Expert.Settings(account, true, 5, BigDecimal.TEN, BigDecimal.ZERO, Set.of()), ids.size(),
        1, orders.length == 0 ? List.of() : List.of(transaction), byId, dev.ordo.engine.model.AppliedTradeIds.NONE));
  }

  /** Expects a ReconcileOrder of order {@code id} at expert {@code expertId}, acknowledges it and answers it. */
  Expert.ReconcileOrder expectExpertReconcileOrder(String expertId, String id) {
    Received<Expert.Command> received = experts.receiveMessage();
    assertEquals(expertId, received.entityId());
    Expert.ReconcileOrder reconcile = assertInstanceOf(Expert.ReconcileOrder.class, received.command());
    assertEquals(ClientOrderId.of(id), reconcile.clientOrderId());
    reconcile.replyTo().tell(Done.getInstance());
    return reconcile;
  }

  /** Starts the reconciler of the test's account trading {@link dev.ordo.engine.TestBars#INSTRUMENT}; its first run starts at once. */
  void start() {
    reconciler = testKit.spawn(Reconciler.create(account, gateway.ref(), (to, fill) -> {
      delivered.ref().tell(new Delivered(to, fill));
      return CompletableFuture.completedFuture(Done.getInstance());
    }, () -> Set.of(INSTRUMENT), new Reconciler.Settings(Duration.ofHours(1), Duration.ofSeconds(5)), CLOCK));
  }

  /** Starts the reconciler and drives its first run on empty books, a trader without orders and a flat position. */
  void startIdle() {
    start();
    answerBooks(List.of(), List.of(), List.of());
    answerTrader(INSTRUMENT);
    answerPosition(INSTRUMENT, 0);
  }

  /** The three reads of a run, each at NORMAL priority. */
  List<BrokerGateway.Execute> expectReads() {
    List<BrokerGateway.Execute> reads = gateway.receiveSeveralMessages(3).stream()
        .map(command -> assertInstanceOf(BrokerGateway.Execute.class, command)).toList();
    Set<Class<?>> calls = new HashSet<>();
    for (BrokerGateway.Execute read : reads) {
      assertEquals(BrokerGateway.Priority.NORMAL, read.priority());
      calls.add(read.call().getClass());
    }
    assertEquals(Set.of(BrokerCall.GetTrades.class, BrokerCall.GetOrderBook.class, BrokerCall.GetPositions.class), calls);
    return reads;
  }

  void answerBooks(List<Fill> trades, List<OrderReport> orderBook, List<PositionReport> held) {
    answer(expectReads(), trades, orderBook, held);
  }

  static void answer(List<BrokerGateway.Execute> reads, List<Fill> trades, List<OrderReport> orderBook, List<PositionReport> held) {
    for (BrokerGateway.Execute read : reads) {
      if (read.call() instanceof BrokerCall.GetTrades) read.replyTo().tell(new BrokerCall.Trades(trades));
      else if (read.call() instanceof BrokerCall.GetOrderBook) read.replyTo().tell(new BrokerCall.OrderBook(orderBook));
      else read.replyTo().tell(new BrokerCall.Positions(held));
    }
  }

  /** Answers a run's reads with empty trades and positions, and {@code error} for the order book. */
  void answerBooksFailing(BrokerError error) {
    for (BrokerGateway.Execute read : expectReads()) {
      if (read.call() instanceof BrokerCall.GetTrades) read.replyTo().tell(new BrokerCall.Trades(List.of()));
      else if (read.call() instanceof BrokerCall.GetOrderBook) read.replyTo().tell(new BrokerCall.Failed(read.call(), error));
      else read.replyTo().tell(new BrokerCall.Positions(List.of()));
    }
  }

  /** Answers the GetState of {@code instrument}'s trader with a state holding {@code orders}. */
  void answerTrader(InstrumentId instrument, OrderRecord... orders) {
    Received<SymbolTrader.Command> received = traders.receiveMessage();
    assertEquals(SymbolTrader.entityId(account, instrument), received.entityId());
    SymbolTrader.GetState get = assertInstanceOf(SymbolTrader.GetState.class, received.command());
    get.replyTo().tell(new SymbolTrader.State(instrument, null, List.of(orders), orders.length, null, null, null, null, List.of(), dev.ordo.engine.model.AppliedTradeIds.NONE, List.of()));
  }

  /** Expects a ReconcileOrder of order {@code id} at {@code instrument}'s trader, acknowledges it and answers it. */
  SymbolTrader.ReconcileOrder expectReconcileOrder(InstrumentId instrument, String id) {
    Received<SymbolTrader.Command> received = traders.receiveMessage();
    assertEquals(SymbolTrader.entityId(account, instrument), received.entityId());
    SymbolTrader.ReconcileOrder reconcile = assertInstanceOf(SymbolTrader.ReconcileOrder.class, received.command());
    assertEquals(ClientOrderId.of(id), reconcile.clientOrderId());
    reconcile.replyTo().tell(Done.getInstance());
    return reconcile;
  }

  /** Answers the GetPosition of {@code instrument}'s position with {@code quantity} held. */
  void answerPosition(InstrumentId instrument, long quantity) {
    Received<Position.Command> received = positions.receiveMessage();
    assertEquals(Position.entityId(account, instrument), received.entityId());
    Position.GetPosition get = assertInstanceOf(Position.GetPosition.class, received.command());
    get.replyTo().tell(new Position.State(account, instrument,
        new dev.ordo.engine.model.NetPosition(BigDecimal.valueOf(quantity), null, BigDecimal.ZERO, null, null), 0, dev.ordo.engine.model.AppliedTradeIds.NONE));
  }

  String persistenceId() {
    return "Reconciler|" + account.value();
  }

  // ------------------------------------------------------------------ test data

  static OrderRecord order(String id, OrderStatus status) {
    return new OrderRecord(ClientOrderId.of(id), INSTRUMENT, OrderRole.ENTRY, OrderSide.BUY, OrderType.STOP_MARKET, Quantity.of(10),
        Quantity.of(0), Price.of("100"), null, null, status, status == OrderStatus.UNKNOWN ? null : VenueOrderId.of("V-" + id), null, null,
        false, false, null, NOW, NOW);
  }

  static Expert.ExpertOrder expertOrder(String id, OrderStatus status, String venueId) {
    return new Expert.ExpertOrder(ClientOrderId.of(id), "x-1", OrderRole.TAKE_PROFIT, OrderSide.SELL, OrderType.LIMIT, Quantity.of(10), null,
        Price.of("120"), status, venueId == null ? null : VenueOrderId.of(venueId), status == OrderStatus.FILLED ? Quantity.of(10) : Quantity.ZERO,
        false, null);
  }

  static OrderReport row(String id, OrderStatus status) {
    return new OrderReport(ClientOrderId.of(id), VenueOrderId.of("V-" + id), INSTRUMENT, OrderSide.BUY, OrderType.STOP_MARKET,
        Quantity.of(10), Quantity.of(0), null, Price.of("100"), null, status, null, NOW);
  }

  static Fill fill(String tradeId, String orderId) {
    return new Fill(TradeId.of(tradeId), ClientOrderId.of(orderId), VenueOrderId.of("V-" + orderId), INSTRUMENT, OrderSide.BUY,
        Quantity.of(10), Price.of("100"), FILL_TIME);
  }

  static PositionReport position(InstrumentId instrument, long net) {
    BigDecimal quantity = BigDecimal.valueOf(net);
    return new PositionReport(instrument, quantity.max(BigDecimal.ZERO), quantity.min(BigDecimal.ZERO).negate(), BigDecimal.ZERO,
        BigDecimal.ZERO, quantity);
  }
}
