package dev.ordo.engine.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bar delivery against symbol traders that are probes behind the real cluster sharding: the
 * test decides when each trader answers, so it sees the per-instrument order and when the
 * delivery answers.
 */
class BarDeliveryTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          pekko.actor.serialize-messages = on
          """).withFallback(ConfigFactory.load()));
  /** Where each (fake) symbol trader reports the commands it receives: the probe of the test that uses its entity id. */
  static final Map<String, ActorRef<Received>> reportTo = new ConcurrentHashMap<>();
  static int accounts;
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId INFY = new InstrumentId("INFY-EQ", "NSE");
  static final InstrumentId SBIN = new InstrumentId("SBIN-EQ", "NSE");
  static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);
  static final LocalDate D1 = LocalDate.of(2024, 1, 15);

  final AccountId account = AccountId.of("delivery" + (++accounts));
  /** Every command the traders of this test's account receive, with the trader's entity id. */
  final TestProbe<Received> traders = testKit.createTestProbe();

  @BeforeEach
  void reportToThisTest() {
    for (InstrumentId instrument : List.of(TCS, INFY, SBIN)) reportTo.put(trader(instrument), traders.ref());
  }

  /** A command that reached the trader {@code entityId}. */
  record Received(String entityId, SymbolTrader.Command command) implements NoSerializationVerificationNeeded {}

  static Behavior<SymbolTrader.Command> fakeTrader(String entityId) {
    return Behaviors.receiveMessage(command -> {
      reportTo.get(entityId).tell(new Received(entityId, command));
      return Behaviors.same();
    });
  }

  @BeforeAll
  static void joinAndStartTraders() {
    TestProbe<SelfUp> up = testKit.createTestProbe();
    Cluster cluster = Cluster.get(testKit.system());
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
    ClusterSharding.get(testKit.system()).init(Entity.of(SymbolTrader.ENTITY_TYPE_KEY, context -> fakeTrader(context.getEntityId())));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static Bar bar(InstrumentId instrument, String time) {
    return new Bar(instrument, Duration.ofMinutes(5), Price.of("100"), Price.of("101"), Price.of("99"), Price.of("100.5"), BigDecimal.TEN,
        OffsetDateTime.of(D1, LocalTime.parse(time), IST));
  }

  String trader(InstrumentId instrument) {
    return SymbolTrader.entityId(account, instrument);
  }

  BarDelivery.Status status(ActorRef<BarDelivery.Command> delivery) {
    TestProbe<BarDelivery.Status> probe = testKit.createTestProbe();
    delivery.tell(new BarDelivery.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  /** Receives {@code n} trader commands, keyed by entity id (their order across traders is not defined). */
  Map<String, SymbolTrader.Command> receiveFromTraders(int n) {
    return traders.receiveSeveralMessages(n, Duration.ofSeconds(10)).stream()
        .collect(Collectors.toMap(Received::entityId, Received::command));
  }

  static void answer(SymbolTrader.Command command) {
    if (command instanceof SymbolTrader.OpenBar open) open.replyTo().tell(Done.getInstance());
    else if (command instanceof SymbolTrader.CloseBar close) close.replyTo().tell(Done.getInstance());
    else if (command instanceof SymbolTrader.EndSession end) end.replyTo().tell(Done.getInstance());
    else throw new AssertionError("not a market event: " + command);
  }

  @Test
  void deliversEachInstrumentsEventsInOrderAndAnswersWhenEveryTraderHandledThem() {
    ActorRef<BarDelivery.Command> delivery = testKit.spawn(BarDelivery.create(account, Duration.ofSeconds(10)));
    delivery.tell(new BarDelivery.Subscribe(Set.of(TCS, INFY)));
    TestProbe<BarDelivery.Delivery> replies = testKit.createTestProbe();
    Bar tcs = bar(TCS, "09:15");
    Bar infy = bar(INFY, "09:15");
    delivery.tell(new BarDelivery.Deliver(List.of(new BarDelivery.BarOpen(TCS, tcs.tsOpen()), new BarDelivery.BarOpen(INFY, infy.tsOpen()),
        new BarDelivery.BarClose(tcs), new BarDelivery.BarClose(infy), new BarDelivery.SessionEnd(TCS, D1)), replies.ref()));

    // Both instruments start at once; neither gets its next event before answering the first.
    Map<String, SymbolTrader.Command> opens = receiveFromTraders(2);
    SymbolTrader.OpenBar tcsOpen = assertInstanceOf(SymbolTrader.OpenBar.class, opens.get(trader(TCS)));
    SymbolTrader.OpenBar infyOpen = assertInstanceOf(SymbolTrader.OpenBar.class, opens.get(trader(INFY)));
    assertEquals(tcs.tsOpen(), tcsOpen.tsOpen());
    assertEquals(infy.tsOpen(), infyOpen.tsOpen());
    traders.expectNoMessage(Duration.ofMillis(200));

    answer(tcsOpen);
    Received tcsClose = traders.receiveMessage();
    assertEquals(trader(TCS), tcsClose.entityId());
    assertEquals(tcs, assertInstanceOf(SymbolTrader.CloseBar.class, tcsClose.command()).bar());
    answer(tcsClose.command());
    Received tcsEnd = traders.receiveMessage();
    assertEquals(trader(TCS), tcsEnd.entityId());
    assertEquals(D1, assertInstanceOf(SymbolTrader.EndSession.class, tcsEnd.command()).session());
    answer(tcsEnd.command());
    replies.expectNoMessage(Duration.ofMillis(200));

    answer(infyOpen);
    Received infyClose = traders.receiveMessage();
    assertEquals(trader(INFY), infyClose.entityId());
    assertEquals(infy, assertInstanceOf(SymbolTrader.CloseBar.class, infyClose.command()).bar());
    replies.expectNoMessage(Duration.ofMillis(200));
    answer(infyClose.command());
    replies.expectMessage(new BarDelivery.DeliveryDone(5));
    traders.expectNoMessage(Duration.ofMillis(100));

    assertEquals(new BarDelivery.Status(account, false, List.of(INFY, TCS), 5, tcs.tsOpen()), status(delivery));
  }

  /** Delivers {@code bar} alone to {@code delivery} (TCS subscribed) and has its trader answer, after checking nothing was published before. */
  void deliverAndAnswer(ActorRef<BarDelivery.Command> delivery, Bar bar, TestProbe<BarCompleted> published) {
    TestProbe<BarDelivery.Delivery> replies = testKit.createTestProbe();
    delivery.tell(new BarDelivery.Deliver(List.of(new BarDelivery.BarClose(bar)), replies.ref()));
    Received close = traders.receiveMessage();
    published.expectNoMessage(Duration.ofMillis(100)); // not before the trader handled it
    answer(close.command());
    replies.expectMessage(new BarDelivery.DeliveryDone(1));
  }

  @Test
  void publishesEachBarOnTheEventStreamOnceItsTraderHandledItWhileSomeoneWatches() {
    TestProbe<BarCompleted> published = testKit.createTestProbe();
    TestProbe<BarCompleted> watcher = testKit.createTestProbe();
    testKit.system().eventStream().tell(new EventStream.Subscribe<>(BarCompleted.class, published.ref()));
    try {
      ActorRef<BarDelivery.Command> delivery = testKit.spawn(BarDelivery.create(account, Duration.ofSeconds(10)));
      delivery.tell(new BarDelivery.Subscribe(Set.of(TCS)));
      deliverAndAnswer(delivery, bar(TCS, "09:15"), published);
      published.expectNoMessage(Duration.ofMillis(300)); // no one watches: nothing is published

      testKit.system().receptionist().tell(Receptionist.register(BarCompleted.WATCHERS, watcher.ref()));
      // the delivery hears of the watcher from the receptionist (within its notify interval): bars go on until one is published
      BarCompleted first = null;
      for (int minute = 20; first == null && minute < 60; minute += 5) {
        Bar bar = bar(TCS, "09:" + minute);
        deliverAndAnswer(delivery, bar, published);
        try {
          first = published.receiveMessage(Duration.ofMillis(700));
        } catch (AssertionError notYet) {
          continue;
        }
        assertEquals(new BarCompleted(account, bar), first, "the bar just handled");
      }
      assertTrue(first != null, "a bar was published once a watcher registered");
      Bar next = bar(TCS, "10:00");
      deliverAndAnswer(delivery, next, published);
      assertEquals(new BarCompleted(account, next), published.receiveMessage(), "then each bar is");
      testKit.system().receptionist().tell(Receptionist.deregister(BarCompleted.WATCHERS, watcher.ref()));
    } finally {
      testKit.system().eventStream().tell(new EventStream.Unsubscribe<>(published.ref()));
    }
  }

  @Test
  void dropsTheEventsOfInstrumentsNotSubscribed() {
    ActorRef<BarDelivery.Command> delivery = testKit.spawn(BarDelivery.create(account, Duration.ofSeconds(10)));
    delivery.tell(new BarDelivery.Subscribe(Set.of(TCS)));
    TestProbe<BarDelivery.Delivery> replies = testKit.createTestProbe();
    Bar sbin = bar(SBIN, "09:20");
    Bar tcs = bar(TCS, "09:15");
    delivery.tell(new BarDelivery.Deliver(List.of(new BarDelivery.BarClose(sbin), new BarDelivery.BarClose(tcs)), replies.ref()));

    Received received = traders.receiveMessage();
    assertEquals(trader(TCS), received.entityId());
    answer(received.command());
    replies.expectMessage(new BarDelivery.DeliveryDone(1));
    traders.expectNoMessage(Duration.ofMillis(100));
    assertEquals(new BarDelivery.Status(account, false, List.of(TCS), 1, tcs.tsOpen()), status(delivery), "SBIN's later bar is not counted");
  }

  @Test
  void answersFailedWhenATraderDoesNotAnswerInTimeAndSendsThatInstrumentNothingMore() {
    ActorRef<BarDelivery.Command> delivery = testKit.spawn(BarDelivery.create(account, Duration.ofMillis(300)));
    delivery.tell(new BarDelivery.Subscribe(Set.of(TCS)));
    TestProbe<BarDelivery.Delivery> replies = testKit.createTestProbe();
    Bar tcs = bar(TCS, "09:15");
    delivery.tell(new BarDelivery.Deliver(List.of(new BarDelivery.BarOpen(TCS, tcs.tsOpen()), new BarDelivery.BarClose(tcs)), replies.ref()));

    assertInstanceOf(SymbolTrader.OpenBar.class, traders.receiveMessage().command());
    BarDelivery.DeliveryFailed failed = replies.expectMessageClass(BarDelivery.DeliveryFailed.class, Duration.ofSeconds(5));
    assertTrue(failed.reason().startsWith("market event not handled: "), failed.reason());
    assertTrue(failed.reason().contains(trader(TCS)), "names the trader that did not answer: " + failed.reason());
    traders.expectNoMessage(Duration.ofMillis(200));
    assertEquals(new BarDelivery.Status(account, false, List.of(TCS), 0, null), status(delivery), "nothing counted as delivered");
  }

  @Test
  void showsWhetherTheReplayFeedRuns() {
    ActorRef<BarDelivery.Command> delivery = testKit.spawn(BarDelivery.create(account, Duration.ofSeconds(10)));
    assertEquals(new BarDelivery.Status(account, false, List.of(), 0, null), status(delivery));
    delivery.tell(new BarDelivery.FeedStateChanged(true));
    assertEquals(new BarDelivery.Status(account, true, List.of(), 0, null), status(delivery));
    delivery.tell(new BarDelivery.FeedStateChanged(false));
    assertEquals(new BarDelivery.Status(account, false, List.of(), 0, null), status(delivery));
  }
}
