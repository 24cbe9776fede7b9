package dev.ordo.app.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.slf4j.Logger;

/**
 * Requests refused before routing (a URI or header over the limit, a request line or header that
 * is not HTTP), counted by status and logged as one summary per interval instead of one WARN each,
 * so a scanner or a broken client cannot flood the log.
 *
 * <p>Pekko HTTP calls {@link JsonParsingErrorHandler} from its connection stages, with no way to
 * reach an actor of the engine, so the counts are the process's: the one shared mutable value of
 * the HTTP layer, outside the engine's actors.
 */
public final class MalformedRequests {

  private static final Map<Integer, LongAdder> COUNTS = new ConcurrentHashMap<>();
  private static final AtomicReference<String> LAST = new AtomicReference<>();

  private MalformedRequests() {}

  /** Counts one refused request with its {@code status} and what was wrong with it. */
  static void record(StatusCode status, ErrorInfo info) {
    COUNTS.computeIfAbsent(status.intValue(), s -> new LongAdder()).increment();
    LAST.set(status.intValue() + " " + info.summary());
  }

  /**
   * Logs, at WARN, how many requests were refused since the last summary, by status, with the
   * latest reason; logs nothing when there were none. Called once per interval by the server.
   */
  static void logSummary(Logger log) {
    Map<Integer, Long> byStatus = new TreeMap<>();
    COUNTS.forEach((status, count) -> {
      long n = count.sumThenReset();
      if (n > 0) byStatus.put(status, n);
    });
    if (byStatus.isEmpty()) return;
    long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
    log.warn("{} malformed HTTP request(s) refused since the last summary, by status {}; latest: {}", total, byStatus, LAST.get());
  }
}
