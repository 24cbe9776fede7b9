package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.broker.replay.ReplayDriver;
import dev.ordo.engine.model.RoundTrip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop half-way, start again on the same H2 file journal: the same trades as one uninterrupted run. */
class EngineRestartTest {

  @TempDir
  Path dataDir;

  @Test
  void aReplayStoppedHalfWayAndStartedAgainEndsWithTheSameTrades() throws Exception {
    List<RoundTrip> expected = EngineFixture.expectedTrades();
    assertEquals(9, expected.size(), "the sample's trades by the backtester");

    AtomicReference<Engine> first = new AtomicReference<>();
    AtomicBoolean stopRequested = new AtomicBoolean();
    Engine engine = EngineFixture.start(dataDir, progress -> {
      // Half-way: stop after 500 of 1125 steps (as SIGTERM does, through the same Stop).
      if (progress.stepsDone() >= 500 && stopRequested.compareAndSet(false, true)) first.get().stopReplay();
    });
    first.set(engine);
    ReplayDriver.Progress stopped = engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertEquals(ReplayDriver.State.STOPPED, stopped.state());
    List<RoundTrip> partial = engine.queries().trades(engine.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(partial.size() < expected.size(), "stopped before the end: " + partial.size() + " trades");
    engine.close();
    assertTrue(Files.exists(dataDir.resolve("journal.mv.db")), "H2 file journal under the data dir");

    Engine second = EngineFixture.start(dataDir, progress -> {});
    try {
      ReplayDriver.Progress finished = second.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertEquals(ReplayDriver.State.FINISHED, finished.state());
      assertTrue(finished.barsDelivered() < 4500, "resumed, not replayed from the start: " + finished.barsDelivered() + " bars");
      assertFalse(finished.barsDelivered() == 0);
      List<RoundTrip> trades = second.queries().trades(second.account()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(expected, trades);
    } finally {
      second.close();
    }
  }
}
