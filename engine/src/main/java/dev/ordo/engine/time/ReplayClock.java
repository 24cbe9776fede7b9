package dev.ordo.engine.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} driven by the market-data replay: it shows the time of the bar being
 * replayed, never the wall clock, so a replay gives the same timestamps at any speed. It only
 * moves forward; {@link #advanceTo} with an earlier instant is ignored. Safe to read from any
 * thread.
 *
 * <p>This is the one shared mutable value of the engine, on purpose: like the system clock it is
 * a time source that every actor reads (to stamp {@code tsEvent}, and the paper venue to stamp an
 * order's acceptance), and only the replay driver moves it, between the phases of a step, while no
 * actor of the step is at work. The atomic reference gives its readers on other threads the
 * latest time; no actor keeps state in it.
 */
public final class ReplayClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  public ReplayClock(Instant start) {
    this(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  private ReplayClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * How a replay driver moves the clocks its entities read: this JVM's clock alone ({@link #local}), or every node's in a cluster
   * ({@link ReplayClocks#mover}).
   */
  @FunctionalInterface
  public interface Mover {
    /**
     * Moves the clocks to {@code instant} (never backwards); completes once every clock an entity of the replay reads shows it.
     * Fails when some clock could not be moved (a node of a cluster did not answer in time).
     */
    java.util.concurrent.CompletionStage<org.apache.pekko.Done> advanceTo(Instant instant);
  }

  /** A mover of this clock alone: the replay's entities all run in this JVM. */
  public Mover local() {
    return instant -> {
      advanceTo(instant);
      return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
    };
  }

  /** Moves the clock to {@code instant} if it is later than the current time. */
  public void advanceTo(Instant instant) {
    now.accumulateAndGet(instant, (current, next) -> next.isAfter(current) ? next : current);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId newZone) {
    return new ReplayClock(now, newZone);
  }

  @Override
  public Instant instant() {
    return now.get();
  }
}
