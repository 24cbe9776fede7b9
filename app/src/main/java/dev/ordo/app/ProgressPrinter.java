package dev.ordo.app;

import dev.ordo.engine.marketdata.ReplayDriver;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Prints a progress line per replayed session (at most one every two seconds at full speed, at
 * least one every ten seconds) and a line when the replay ends: sessions done / total, replay clock, trades closed so far.
 */
final class ProgressPrinter implements ReplayDriver.Listener {

  /** A line printed while the replay runs: group 1 the sessions done, group 2 the sessions in all. */
  static final Pattern STEP_LINE = Pattern.compile("replay: (\\d+)/(\\d+) sessions.*");

  /** The line printed when the replay ends: group 1 its state (finished, stopped, failed), group 2 the sessions done, group 3 in all. */
  static final Pattern END_LINE = Pattern.compile("replay ([a-z]+): (\\d+)/(\\d+) sessions.*");

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private final PrintStream out;
  private final Clock wallClock;
  private final Instant started;
  private int lastSession = -1;
  private Instant lastPrint = Instant.EPOCH;

  private final String prefix;

  ProgressPrinter(PrintStream out, Clock wallClock) {
    this(out, wallClock, "");
  }

  /** @param prefix put before {@code replay} on each line (the account, when several replay) */
  ProgressPrinter(PrintStream out, Clock wallClock, String prefix) {
    this.out = out;
    this.wallClock = wallClock;
    this.started = wallClock.instant();
    this.prefix = prefix;
  }

  @Override
  public synchronized void onStep(ReplayDriver.Progress p) {
    Instant now = wallClock.instant();
    Duration sinceLast = Duration.between(lastPrint, now);
    boolean newSession = p.sessionsDone() != lastSession && sinceLast.compareTo(Duration.ofSeconds(2)) >= 0;
    if (!newSession && sinceLast.compareTo(Duration.ofSeconds(10)) < 0) return;
    lastSession = p.sessionsDone();
    lastPrint = now;
    line(String.format("replay: %d/%d sessions, clock %s UTC, %d bars, %d trades closed, %ds", p.sessionsDone(),
        p.sessionsTotal(), TIME.format(p.replayTime()), p.barsDelivered(), p.tradesClosed(), Duration.between(started, now).toSeconds()));
  }

  @Override
  public synchronized void onEnd(ReplayDriver.Progress p) {
    line(String.format(java.util.Locale.ROOT, "replay %s: %d/%d sessions, %d bars, %d fills, %d trades closed in %.1fs%s",
        p.state().name().toLowerCase(java.util.Locale.ROOT), p.sessionsDone(), p.sessionsTotal(), p.barsDelivered(), p.fills(), p.tradesClosed(),
        Duration.between(started, wallClock.instant()).toMillis() / 1000.0, p.error() == null ? "" : " - " + p.error()));
  }

  /** One whole line in one write, so log lines on a shared terminal or file never split it. */
  private void line(String text) {
    out.print(prefix + text + System.lineSeparator());
    out.flush();
  }
}
