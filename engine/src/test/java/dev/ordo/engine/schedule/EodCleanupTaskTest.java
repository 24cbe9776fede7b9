package dev.ordo.engine.schedule;

import static dev.ordo.engine.TestBars.INSTRUMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code eod-cleanup} on a single-node cluster with a probed symbol trader and a probed reconciler:
 * the venue's DAY orders expire first; a reconciliation follows only when some expired; the
 * failed-order cleanup comes last; the outcome says how many expired.
 */
class EodCleanupTaskTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = "127.0.0.1"
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          """).withFallback(ConfigFactory.load()));
  static final AccountId ACCOUNT = AccountId.of("eod");
  static final Instant EVENING = Instant.parse("2024-01-16T12:30:00Z");
  static final TestProbe<SymbolTrader.Command> traders = testKit.createTestProbe();

  final TestProbe<Reconciler.Command> reconciler = testKit.createTestProbe();
  final TestProbe<Instant> expiries = testKit.createTestProbe();

  @BeforeAll
  static void joinTheClusterAndShardTheTrader() {
    ClusterSharding.get(testKit.system()).init(Entity.of(SymbolTrader.ENTITY_TYPE_KEY, entity -> forward(traders.ref())));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
  }

  static Behavior<SymbolTrader.Command> forward(ActorRef<SymbolTrader.Command> probe) {
    return Behaviors.receiveMessage(command -> {
      probe.tell(command);
      return Behaviors.same();
    });
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void nothingElseWasAsked() {
    traders.expectNoMessage(Duration.ofMillis(50));
    reconciler.expectNoMessage(Duration.ofMillis(50));
  }

  /** The task with a venue whose expiry, told the instant, answers {@code expired}. */
  DayTask task(List<ClientOrderId> expired) {
    return TradingDayTasks.eodCleanup(ACCOUNT, () -> Set.of(INSTRUMENT), at -> {
      expiries.ref().tell(at);
      return CompletableFuture.completedFuture(expired);
    }, reconciler.ref(), ClusterSharding.get(testKit.system()), testKit.system().scheduler(), LocalTime.of(18, 0), LocalTime.of(9, 15),
        Duration.ofSeconds(5));
  }

  /** Expects the trader's failed-order cleanup at {@link #EVENING} and answers that it removed {@code removed}. */
  void answerCleanup(ClientOrderId... removed) {
    SymbolTrader.RemoveFailedOrders remove = traders.expectMessageClass(SymbolTrader.RemoveFailedOrders.class);
    assertEquals(EVENING, remove.now());
    remove.replyTo().tell(new SymbolTrader.FailedOrdersRemoval(INSTRUMENT, List.of(removed)));
  }

  static String outcome(CompletionStage<String> run) throws Exception {
    return run.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenNothingExpiredNoReconciliationRuns() throws Exception {
    CompletionStage<String> run = task(List.of()).run(EVENING, LocalDate.of(2024, 1, 16));
    assertEquals(EVENING, expiries.receiveMessage(), "the venue's day ends at the task's time");
    answerCleanup(ClientOrderId.of("TEST-EQ-4"));
    assertEquals("0 DAY orders expired; 1 failed order record(s) removed: TEST-EQ-4", outcome(run));
    reconciler.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void whenSomeExpiredTheOwnersLearnItFromAReconciliationBeforeTheCleanup() throws Exception {
    CompletionStage<String> run = task(List.of(ClientOrderId.of("tp.2"), ClientOrderId.of("TEST-EQ-7"))).run(EVENING, LocalDate.of(2024, 1, 16));
    assertEquals(EVENING, expiries.receiveMessage());
    Reconciler.Reconcile reconcile = reconciler.expectMessageClass(Reconciler.Reconcile.class);
    assertEquals("eod-cleanup expiry", reconcile.reason());
    traders.expectNoMessage(Duration.ofMillis(100));
    reconcile.replyTo().tell(new Reconciler.Report("eod-cleanup expiry", 12, 2, 0, EVENING, null));
    answerCleanup();
    assertEquals("2 DAY order(s) expired (tp.2, TEST-EQ-7), reconciled (2 order(s) resolved); no failed order records to remove (1 traders)",
        outcome(run));
  }

  @Test
  void aFailedReconciliationFailsTheRunAndSaysWhatExpired() {
    CompletionStage<String> run = task(List.of(ClientOrderId.of("tp.2"))).run(EVENING, LocalDate.of(2024, 1, 16));
    expiries.receiveMessage();
    reconciler.expectMessageClass(Reconciler.Reconcile.class).replyTo()
        .tell(new Reconciler.Report("eod-cleanup expiry", 0, 0, 0, EVENING, "GetOrderBook failed: Unavailable"));
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> outcome(run));
    IllegalStateException why = assertInstanceOf(IllegalStateException.class, failed.getCause());
    assertEquals("1 DAY order(s) expired (tp.2), reconciliation failed: GetOrderBook failed: Unavailable", why.getMessage());
  }

  @Test
  void aBrokerThatExpiresItsOwnDayOrdersIsNotAsked() throws Exception {
    DayTask live = TradingDayTasks.eodCleanup(ACCOUNT, () -> Set.of(INSTRUMENT), null, reconciler.ref(), ClusterSharding.get(testKit.system()),
        testKit.system().scheduler(), LocalTime.of(18, 0), LocalTime.of(9, 15), Duration.ofSeconds(5));
    CompletionStage<String> run = live.run(EVENING, LocalDate.of(2024, 1, 16));
    answerCleanup();
    String outcome = outcome(run);
    assertEquals("no failed order records to remove (1 traders)", outcome);
    assertFalse(outcome.contains("expired"));
    expiries.expectNoMessage(Duration.ofMillis(50));
  }
}
