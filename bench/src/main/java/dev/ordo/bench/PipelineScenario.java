package dev.ordo.bench;

import dev.ordo.engine.marketdata.InstrumentBars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code pipeline}: the live path at a number of instruments, Ordo against the lock-based design and the single-thread
 * bound on the same ticks ({@link PipelineInput}), one after the other in this JVM. Each window's ticks are fed as one
 * burst (the bar boundary: every instrument's bar closes at once); the driver waits until the burst is handled and
 * its orders answered, then the venue matches the window's bars. Ticks per second count the whole run (feeding,
 * handling, matching, journaling); the latency is from the burst's start to each order it caused reaching the venue.
 */
final class PipelineScenario {

  private PipelineScenario() {}

  /** What one implementation measured. */
  record Measured(double ticksPerSecond, double p50Ms, double p99Ms, double p999Ms, double journaledPerSecond, long orders, long samples) {}

  static void run(Results results, Path work, List<InstrumentBars> real, int instruments, int windows) throws Exception {
    PipelineInput input = PipelineInput.of(real, instruments, windows);
    Measured ordo;
    try {
      ordo = measure(input, "ordo", work);
    } catch (OrdoPipeline.Stalled e) {
      ordo = new Measured(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
      results.note("pipeline", instruments + " instruments: Ordo stalled (" + e.getMessage() + "); its figures are missing (see the log).");
    }
    Measured locks = measure(input, "locks", work);
    Measured single = measure(input, "single-thread", work);
    String variant = Integer.toString(instruments);
    results.add("pipeline", variant, "ticks_per_s", "ticks/s", ordo.ticksPerSecond(), baselines(locks.ticksPerSecond(), single.ticksPerSecond()), true);
    results.add("pipeline", variant, "tick_to_order_p50", "ms", ordo.p50Ms(), baselines(locks.p50Ms(), single.p50Ms()), false);
    results.add("pipeline", variant, "tick_to_order_p99", "ms", ordo.p99Ms(), baselines(locks.p99Ms(), single.p99Ms()), false);
    results.add("pipeline", variant, "tick_to_order_p99_9", "ms", ordo.p999Ms(), baselines(locks.p999Ms(), single.p999Ms()), false);
    results.add("pipeline", variant, "journaled_events_per_s", "events/s", ordo.journaledPerSecond(), Map.of("locks", locks.journaledPerSecond()),
        false);
    results.add("pipeline", variant, "orders", "orders", Double.isNaN(ordo.ticksPerSecond()) ? Double.NaN : (double) ordo.orders(), baselines((double) locks.orders(), (double) single.orders()), false);
    results.add("pipeline", variant, "ticks", "ticks", (double) input.tickCount());
    results.note("pipeline", instruments + " instruments: " + input.windows().size() + " windows of 5 min over " + input.sessions() + " session(s), "
        + input.tickCount() + " ticks, " + input.barCount() + " bars; latency samples (orders in bursts): Ordo " + ordo.samples() + ", locks "
        + locks.samples() + ", single-thread " + single.samples() + ".");
  }

  private static Map<String, Double> baselines(double locks, double single) {
    Map<String, Double> b = new LinkedHashMap<>();
    b.put("locks", locks);
    b.put("single-thread", single);
    return b;
  }

  /** Runs one implementation ({@code ordo}, {@code locks}, {@code single-thread}) over {@code input}. */
  static Measured measure(PipelineInput input, String which, Path work) throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(work), "pipeline-" + which + "-" + input.instruments().size() + "-");
    Pipeline.Latency latency = new Pipeline.Latency();
    try (Pipeline pipeline = switch (which) {
      case "ordo" -> new OrdoPipeline(input, dir, latency);
      case "locks" -> new BaselinePipeline(BaselinePipeline.Design.LOCKS, input, dir, latency);
      case "single-thread" -> new BaselinePipeline(BaselinePipeline.Design.SINGLE_THREAD, input, dir, latency);
      default -> throw new IllegalArgumentException("no pipeline " + which);
    }) {
      long start = System.nanoTime();
      for (PipelineInput.Window window : input.windows()) {
        latency.burstStarts();
        pipeline.feed(window);
        pipeline.awaitProcessed(window);
        latency.burstEnds();
        pipeline.exchange(window);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Histogram h = latency.histogram();
      return new Measured(input.tickCount() / seconds, ms(h, 50), ms(h, 99), ms(h, 99.9), pipeline.journaled() / seconds, pipeline.ordersPlaced(),
          h.getTotalCount());
    }
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }
}
