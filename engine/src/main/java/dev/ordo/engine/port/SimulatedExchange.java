package dev.ordo.engine.port;

import dev.ordo.engine.model.Bar;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The exchange side of a simulated broker, which a replay drives: it matches working orders
 * against each replayed bar and learns when an instrument's session closed. Implemented by the
 * embedded paper broker.
 */
public interface SimulatedExchange {

  /**
   * Matches the working orders of the bar's instrument against the complete {@code bar}.
   * Completes with the number of fills once the engine has journaled them; fails when it did not.
   */
  CompletionStage<Integer> matchBar(Bar bar);

  /**
   * Matches {@code bars} (one replay step: one bar per instrument) as {@link #matchBar} each;
   * completes with the number of fills once the engine has journaled them all. An exchange may do it
   * in one message (the paper broker does); by default one {@code matchBar} per bar.
   */
  default CompletionStage<Integer> matchBars(java.util.List<Bar> bars) {
    java.util.List<java.util.concurrent.CompletableFuture<Integer>> each =
        bars.stream().map(bar -> matchBar(bar).toCompletableFuture()).toList();
    return java.util.concurrent.CompletableFuture.allOf(each.toArray(java.util.concurrent.CompletableFuture[]::new))
        .thenApply(ignored -> each.stream().mapToInt(java.util.concurrent.CompletableFuture::join).sum());
  }

  /** The session of the instrument of {@code lastBar} closed with that bar (later market orders fill at its close). */
  CompletionStage<Done> closeSession(Bar lastBar);

  /** Fills delivered to the engine since start (a fill delivered again counts again). */
  long fillsPublished();

  /** Distinct fills since start that reduced or closed a position. */
  long tradesClosed();
}
