package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.broker.paper.PaperVenue;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.strategy.OrderRole;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.OrderUpdateRouter;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart failures peers ship, checked with {@code ordo verify} on the real journal: a replay
 * stopped twice (the first time with a position open and its stop working at the broker) and
 * resumed, with every fill of the broker delivered again after the restart (as a broker's cached
 * fills are), doubles no fill, sends no order twice, drops no working order, and ends with the
 * trades of an uninterrupted run.
 */
class RestartVerifyTest {

  @TempDir
  Path dataDir;

  @Test
  void restartsWithFillsDeliveredAgainDoubleNothingAndDropNoWorkingOrder() throws Exception {
    List<RoundTrip> expected = EngineFixture.expectedTrades();

    // 1. Stop with a position open (more fills than twice the exits since the start): its stop works at the venue.
    stopWhen(progress -> progress.stepsDone() >= 300 && progress.fills() > 2 * progress.tradesClosed());
    List<OrderRecord> working = workingStops();
    assertFalse(working.isEmpty(), "a stop-loss order was working at the stop");
    assertVerifies();

    // 2. Restart, stop at once, and deliver every fill the venue ever made again (a broker's cached fills).
    List<Fill> venueFills = venueFills();
    assertFalse(venueFills.isEmpty());
    Engine engine = EngineFixture.start(dataDir, progress -> {});
    try {
      engine.stopReplay().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.STOPPED, engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS).state());
      OrderUpdateRouter router = new OrderUpdateRouter(engine.system(), Duration.ofSeconds(30));
      List<CompletableFuture<?>> deliveries = new ArrayList<>();
      for (Fill fill : venueFills) deliveries.add(router.onFill(engine.account(), fill).toCompletableFuture());
      CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } finally {
      engine.close();
    }
    assertVerifies();

    // 3. Resume to the end: the uninterrupted run's trades, and a journal that verifies clean.
    Engine last = EngineFixture.start(dataDir, progress -> {});
    try {
      assertEquals(ReplayDriver.State.FINISHED, last.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS).state());
      assertEquals(expected, last.queries().trades(last.account()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      last.close();
    }
    assertVerifies();
    for (OrderRecord stop : working) assertTrue(endedAfterwards(stop), "the stop working at the first stop, " + stop.clientOrderId() + ", ended");
  }

  @Test
  void aFillTheVenueJournaledButThePositionDidNotIsDeliveredAgainOnResume() throws Exception {
    List<RoundTrip> expected = EngineFixture.expectedTrades();
    stopWhen(progress -> progress.stepsDone() >= 300 && progress.fills() > 0);
    List<Fill> venueFills = venueFills();
    assertFalse(venueFills.isEmpty());
    // What a SIGKILL between the venue's write and the position's leaves: the venue holds the fills,
    // the position none of them (its journal rows gone).
    String position = "Position|paper:" + venueFills.get(0).instrumentId();
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "")) {
      int deleted = connection.createStatement().executeUpdate("DELETE FROM \"event_journal\" WHERE \"persistence_id\" = '" + position + "'");
      connection.createStatement().executeUpdate("DELETE FROM \"snapshot\" WHERE \"persistence_id\" = '" + position + "'");
      assertTrue(deleted > 0, "the position had journaled its fills");
    }

    Engine resumed = EngineFixture.start(dataDir, progress -> {});
    try {
      assertEquals(ReplayDriver.State.FINISHED, resumed.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS).state());
      assertEquals(expected, resumed.queries().trades(resumed.account()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      resumed.close();
    }
    assertVerifies(); // among the invariants: the venue's fills equal the positions' fills
  }

  private void stopWhen(Predicate<ReplayDriver.Progress> when) throws Exception {
    AtomicReference<Engine> running = new AtomicReference<>();
    AtomicBoolean asked = new AtomicBoolean();
    Engine engine = EngineFixture.start(dataDir, progress -> {
      if (when.test(progress) && running.get() != null && asked.compareAndSet(false, true)) running.get().stopReplay();
    });
    running.set(engine);
    ReplayDriver.Progress stopped = engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
    engine.close();
    assertEquals(ReplayDriver.State.STOPPED, stopped.state());
  }

  private void assertVerifies() {
    CommandRun.Result result = CommandRun.inThisJvm("verify", "--data-dir", dataDir.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("no violation"), result.out());
  }

  /** The stop-loss orders working in the traders of the journal. */
  private List<OrderRecord> workingStops() throws Exception {
    List<OrderRecord> stops = new ArrayList<>();
    try (OfflineJournal journal = OfflineJournal.open(dataDir, ConfigFactory.load())) {
      Auditor auditor = journal.auditor();
      for (AuditedEntity entity : auditor.entities().toCompletableFuture().get(60, TimeUnit.SECONDS).entities()) {
        if (entity.type() != AuditedEntity.Type.SYMBOL_TRADER) continue;
        SymbolTrader.State state = (SymbolTrader.State) auditor.finalState(auditor.history(entity).toCompletableFuture().get(60, TimeUnit.SECONDS));
        for (OrderRecord order : state.orders()) if (order.role() == OrderRole.STOP_LOSS && order.isWorking()) stops.add(order);
      }
    }
    return stops;
  }

  private List<Fill> venueFills() throws Exception {
    try (OfflineJournal journal = OfflineJournal.open(dataDir, ConfigFactory.load())) {
      Auditor auditor = journal.auditor();
      Auditor.History venue = auditor.history(AuditedEntity.of(AuditedEntity.Type.PAPER_VENUE, "paper")).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return ((PaperVenue.State) auditor.finalState(venue)).trades();
    }
  }

  private boolean endedAfterwards(OrderRecord stop) throws Exception {
    try (OfflineJournal journal = OfflineJournal.open(dataDir, ConfigFactory.load())) {
      Auditor auditor = journal.auditor();
      AuditedEntity trader = AuditedEntity.of(AuditedEntity.Type.SYMBOL_TRADER, "paper:" + stop.instrumentId());
      Auditor.History history = auditor.history(trader).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return history.entries().stream().anyMatch(e -> e.event() instanceof SymbolTrader.OrderFilled f && f.clientOrderId().equals(stop.clientOrderId())
          || e.event() instanceof SymbolTrader.OrderCanceled c && c.clientOrderId().equals(stop.clientOrderId()));
    }
  }
}
