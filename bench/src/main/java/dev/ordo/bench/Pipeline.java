package dev.ordo.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One implementation of the live path under measurement: ticks in, bars built, the strategy run, orders checked and
 * sent to the paper venue, fills applied to the trader and the position. The driver ({@link PipelineScenario}) feeds
 * one window at a time: {@link #feed}, then {@link #awaitProcessed} (every tick of it handled, every order it caused
 * answered), then {@link #exchange} (the venue matches the window's bars and delivers the fills).
 */
interface Pipeline extends AutoCloseable {

  /** Hands every tick of {@code window} to the pipeline (returns when handed, not when handled). */
  void feed(PipelineInput.Window window) throws Exception;

  /** Returns once every tick fed so far is handled and every order it caused answered by the venue. */
  void awaitProcessed(PipelineInput.Window window) throws Exception;

  /** The venue matches {@code window}'s bars, closes the sessions that end with it, and the fills are applied. */
  void exchange(PipelineInput.Window window) throws Exception;

  /** Records the pipeline journaled so far (0 without persistence). */
  long journaled();

  /** Orders placed at the venue so far. */
  long ordersPlaced();

  /**
   * Tick-to-order latency: from the start of a window's tick burst (its bar boundary) to each order the burst caused
   * reaching the venue, in nanoseconds. Thread-safe; orders placed outside a burst (after fills) are not recorded.
   */
  final class Latency {
    private final Recorder recorder = new Recorder(3);
    private volatile long burstStart;
    private volatile boolean open;
    private final Histogram total = new Histogram(3);

    void burstStarts() {
      burstStart = System.nanoTime();
      open = true;
    }

    void burstEnds() {
      open = false;
    }

    /** An order reached the venue now. */
    void orderPlaced() {
      if (open) recorder.recordValue(Math.max(0, System.nanoTime() - burstStart));
    }

    /** Every latency recorded so far. */
    Histogram histogram() {
      total.add(recorder.getIntervalHistogram());
      return total;
    }
  }
}
