package dev.ordo.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.audit.Verifier;
import dev.ordo.app.http.Json;
import dev.ordo.engine.marketdata.ReplayDriver;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ordo crash-test}: crash safety proven by SIGKILL. Runs the replay uninterrupted in a child
 * JVM ({@code ordo run}) for reference; then runs it again on a fresh data directory, killing the
 * child with SIGKILL ({@link Process#destroyForcibly()}) at {@code --kills} moments drawn from a
 * seeded {@link Random} and starting it again on the same data directory each time, until it
 * finishes. Checks that the final report equals the reference's trade for trade and that
 * {@link Verifier} finds no violation in the killed run's journal, and prints a summary: kills (and
 * the phase each landed in), orders, fills, the time to recover after each kill (from the restart to
 * the replay's first progress line) and the largest.
 *
 * <p>The moments: each kill is, with probability 1/4, a recovery kill, at a uniform moment within
 * the last measured start-up of a restarted engine (JVM start, journal recovery, fills delivered
 * again), else a replay kill, at a uniform fraction of the replay (the fractions sorted, so the kills
 * walk through the run), reached at the reference's replay rate from where the restarted replay
 * resumed. A kill that misses (the replay ended first) is drawn again as a recovery kill of the next
 * restart. Exit 0 when every check passed, 1 when one failed (printed), 2 for a bad option.
 *
 * <p>With {@code --broker sim} the live engine is killed instead, against the broker simulator with
 * every fault on: {@link SimCrashTest}.
 */
@Command(name = "crash-test", mixinStandardHelpOptions = true,
    description = "Kill the replay with SIGKILL at seeded random moments, restart it on the same data dir each time, and check the "
        + "result equals an uninterrupted run's and the journal verifies clean.")
final class CrashTestCommand implements Callable<Integer> {

  /** The exit code of a process ended by SIGKILL (128 + 9). */
  static final int KILLED = 137;

  /** The share of kills aimed at a restart's recovery rather than at the running replay. */
  static final double RECOVERY_SHARE = 0.25;

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Option(names = "--kills", required = true, paramLabel = "N", description = "SIGKILLs to land (at least 1).")
  int kills;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the kill moments (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--broker", defaultValue = "paper", paramLabel = "paper|sim",
      description = "paper: the replay through the paper broker (default); sim: the live engine against the broker simulator "
          + "(bin/ordo broker-sim, every fault on), killed while the market goes on.")
  String broker;

  @Option(names = "--duration", defaultValue = "3m", paramLabel = "DURATION",
      description = "--broker sim: how long the simulated market runs, wall clock (default ${DEFAULT-VALUE}); its speed is set to match.")
  String duration;

  @Mixin
  SimFaultOptions faults = new SimFaultOptions();

  @Option(names = "--reconcile-every", defaultValue = "5s", paramLabel = "DURATION",
      description = "--broker sim: the engine's reconciliation period (default ${DEFAULT-VALUE}).")
  String reconcileEvery;

  @Option(names = "--speed", defaultValue = "max", paramLabel = "max|<N>x",
      description = "--broker paper: replay speed of the runs (default ${DEFAULT-VALUE}); --broker sim sets the speed from --duration.")
  String speed;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "New or empty folder for the two runs' data dirs, reports and logs (default: a new temporary folder, kept).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path folder;
    try {
      dataOptions.validate();
      if (kills < 1) throw new IllegalArgumentException("--kills must be at least 1, got " + kills);
      if (!broker.equals("paper") && !broker.equals("sim")) throw new IllegalArgumentException("--broker must be paper or sim, got '" + broker + "'");
      if (broker.equals("paper")) ReplayDriver.Speed.parse(speed);
      folder = dataOptions.dataFolder();
      if (!Files.isDirectory(folder)) throw new IllegalArgumentException("--data " + folder + " is not a folder");
      if (workDir != null && Files.exists(workDir) && (!Files.isDirectory(workDir) || !isEmpty(workDir)))
        throw new IllegalArgumentException("--work-dir " + workDir + " is not a new or empty folder: the runs need fresh data dirs");
    } catch (IllegalArgumentException e) {
      System.err.println("ordo crash-test: " + e.getMessage());
      return StartFailure.USAGE;
    }
    if (broker.equals("sim")) {
      SimCrashTest.Plan plan;
      try {
        plan = simPlan(folder);
      } catch (IllegalArgumentException e) {
        System.err.println("ordo crash-test: " + e.getMessage());
        return StartFailure.USAGE;
      }
      Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("ordo-crash-test-");
      Files.createDirectories(work.resolve("logs"));
      return new SimCrashTest(plan, work, out).run();
    }
    Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("ordo-crash-test-");
    Files.createDirectories(work.resolve("logs"));
    List<String> data = dataOptions.args();
    out.printf("crash-test: %d kills, seed %d, data %s, speed %s, work dir %s%n", kills, seed, folder, speed, work.toAbsolutePath());
    long began = System.nanoTime();

    // 1. the uninterrupted reference run
    Path referenceReport = work.resolve("reference.json");
    Child reference = Child.start(1, "reference", runArgs(data, work.resolve("reference"), referenceReport), work);
    reference.await(null, Duration.ofHours(2));
    if (reference.exitCode != 0 || reference.runningAt == null || reference.endAt == null || !Files.exists(referenceReport)) {
      out.printf("crash-test FAILED: the reference run %s (see %s)%n", reference.outcome(), reference.err);
      return 1;
    }
    Duration startUp = Duration.ofNanos(reference.runningAt - reference.startedAt);
    Duration replay = Duration.ofNanos(reference.endAt - reference.runningAt);
    out.printf("crash-test: reference run: start-up %s, replay %s, wall %s%n", seconds(startUp), seconds(replay),
        seconds(Duration.ofNanos(reference.exitedAt - reference.startedAt)));
    Duration childLimit = Duration.ofMinutes(5).plus(Duration.ofNanos(reference.exitedAt - reference.startedAt).multipliedBy(5));

    // 2. the same replay, killed N times
    Random random = new Random(seed);
    List<Double> fractions = new ArrayList<>();
    List<Boolean> recovery = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      boolean atRecovery = random.nextDouble() < RECOVERY_SHARE;
      recovery.add(atRecovery);
      if (!atRecovery) fractions.add(random.nextDouble());
    }
    Collections.sort(fractions);
    Path crashedDir = work.resolve("crashed");
    Path crashedReport = work.resolve("crashed.json");
    List<String> args = runArgs(data, crashedDir, crashedReport);
    long crashedBegan = System.nanoTime();
    Duration recoveryWindow = startUp;
    List<Kill> landed = new ArrayList<>();
    int missed = 0;
    int fractionIndex = 0;
    int attempt = 1;
    Kill previous = null;
    int maxAttempts = 3 * kills + 10;
    for (int k = 0; k < kills; ) {
      if (++attempt > maxAttempts + 1) {
        out.printf("crash-test FAILED: %d of %d kills landed in %d restarts (the replay kept ending first)%n", landed.size(), kills, maxAttempts);
        return 1;
      }
      Target target;
      if (recovery.get(k) || fractionIndex >= fractions.size()) target = Target.recovery((long) (random.nextDouble() * recoveryWindow.toNanos()));
      else target = Target.replay(fractions.get(fractionIndex), replay.toNanos());
      Child child = Child.start(attempt, "kill-" + (k + 1), args, work);
      child.await(target, childLimit);
      if (previous != null) previous.recoveredBy(child);
      if (child.runningAt != null && child.startedAt < child.runningAt)
        recoveryWindow = Duration.ofNanos(child.runningAt - child.startedAt);
      if (child.exitCode == KILLED) {
        String phase = child.phase(replay.toNanos());
        // the first start on the fresh data dir has nothing to recover yet
        if (landed.isEmpty() && missed == 0 && phase.startsWith("recovery")) phase = phase.replaceFirst("recovery", "first start");
        Kill kill = new Kill(k + 1, phase);
        landed.add(kill);
        out.printf("crash-test: kill %d/%d at %s after the start: %s%n", k + 1, kills, seconds(Duration.ofNanos(child.exitedAt - child.startedAt)),
            kill.phase);
        previous = kill;
        if (!recovery.get(k) && fractionIndex < fractions.size()) fractionIndex++;
        k++;
      } else if (child.exitCode == 0) {
        missed++;
        // the replay ended before the kill: the kills left are aimed at the recovery of the next restarts
        fractionIndex = fractions.size();
        out.printf("crash-test: kill %d/%d missed: the run ended first (%s); the kills left aim at recovery%n", k + 1, kills, child.outcome());
        previous = null;
      } else {
        out.printf("crash-test FAILED: restart %d %s (see %s)%n", attempt, child.outcome(), child.err);
        return 1;
      }
    }
    Child last = Child.start(++attempt, "final", args, work);
    last.await(null, childLimit);
    if (previous != null) previous.recoveredBy(last);
    Duration crashedWall = Duration.ofNanos(System.nanoTime() - crashedBegan);

    // 3. the checks
    List<String> failed = new ArrayList<>();
    if (last.exitCode != 0 || !Files.exists(crashedReport)) {
      failed.add("the last run " + last.outcome() + " (see " + last.err + ")");
    }
    List<String> differences = Files.exists(crashedReport)
        ? tradeDifferences(Json.mapper().readTree(referenceReport.toFile()), Json.mapper().readTree(crashedReport.toFile()))
        : List.of("no report written");
    Verifier.Result verified = VerifyCommand.verify(crashedDir);
    int trades = Json.mapper().readTree(referenceReport.toFile()).path("trades").size();

    out.printf("crash-test summary (broker %s, seed %d):%n", broker, seed);
    Map<String, Integer> phases = new TreeMap<>();
    landed.forEach(kill -> phases.merge(kill.phase.replaceAll(" at session .*", ""), 1, Integer::sum));
    out.printf("  kills: %d landed, %d missed; by phase %s%n", landed.size(), missed, phases);
    out.printf("  restarts: %d; orders %d, fills %d, trades %d%n", attempt - 2, verified.orders(), verified.fills(), trades);
    Duration largest = Duration.ZERO;
    for (Kill kill : landed) {
      out.printf("  kill %d (%s): %s%n", kill.number, kill.phase,
          kill.recovery == null ? "killed again before the replay ran" : "recovered in " + seconds(kill.recovery));
      if (kill.recovery != null && kill.recovery.compareTo(largest) > 0) largest = kill.recovery;
    }
    out.printf("  largest recovery: %s%n", seconds(largest));
    out.printf("  wall: reference %s, killed run %s, in all %s%n", seconds(Duration.ofNanos(reference.exitedAt - reference.startedAt)),
        seconds(crashedWall), seconds(Duration.ofNanos(System.nanoTime() - began)));
    if (verdict(out, differences.isEmpty(), "the final report equals the uninterrupted run's, trade for trade (" + trades + " trades)",
        String.join("; ", differences))) failed.add("trades differ");
    boolean clean = verified.violations().isEmpty() && verified.entities() > 0;
    if (verdict(out, clean, "verify: " + verified.entities() + " entities, " + verified.events() + " events" + (clean ? ", no violation" : ""),
        verified.violations().size() + " violation(s): " + verified.violations().stream().limit(10).map(String::valueOf).toList()))
      failed.add("verify");
    if (failed.isEmpty()) out.println("crash-test PASSED");
    else out.println("crash-test FAILED: " + String.join("; ", failed));
    out.flush();
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * The plan of a {@code --broker sim} crash test from the options.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  private SimCrashTest.Plan simPlan(Path folder) {
    Duration market = BrokerSimCommand.duration("--duration", duration);
    if (market.isNegative() || market.isZero()) throw new IllegalArgumentException("--duration must be above 0, got '" + duration + "'");
    List<String> faultArgs = faults.validated(seed);
    BrokerSimCommand.duration("--reconcile-every", reconcileEvery);
    List<String> data = dataOptions.args();
    return new SimCrashTest.Plan(kills, seed, folder, dataOptions.from, dataOptions.to, data, market, faultArgs, reconcileEvery);
  }

  /** Prints {@code PASS what} or {@code FAIL what: otherwise}; true when it failed. */
  private static boolean verdict(PrintStream out, boolean holds, String what, String otherwise) {
    out.printf("  %s %s%s%n", holds ? "PASS" : "FAIL", what, holds ? "" : ": " + otherwise);
    return !holds;
  }

  /**
   * How the trades of {@code actual} differ from {@code expected} (two run reports as written by
   * {@code ordo run --report}: {@code {"trades": [...], ...}}), trade by trade in order; empty when
   * they are equal. The rest of the reports (summary, formatting) is not compared. At most ten
   * differences are listed, then how many more.
   */
  static List<String> tradeDifferences(JsonNode expected, JsonNode actual) {
    JsonNode want = expected.path("trades");
    JsonNode got = actual.path("trades");
    if (!want.isArray()) return List.of("the reference report has no trades list");
    if (!got.isArray()) return List.of("the report has no trades list");
    List<String> differences = new ArrayList<>();
    if (want.size() != got.size()) differences.add(got.size() + " trades instead of " + want.size());
    for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
      if (i >= got.size()) differences.add("trade " + (i + 1) + " missing: " + want.get(i));
      else if (i >= want.size()) differences.add("trade " + (i + 1) + " is extra: " + got.get(i));
      else if (!want.get(i).equals(got.get(i))) differences.add("trade " + (i + 1) + " is " + got.get(i) + " instead of " + want.get(i));
    }
    if (differences.size() > 10) {
      int more = differences.size() - 10;
      differences = new ArrayList<>(differences.subList(0, 10));
      differences.add("and " + more + " more");
    }
    return differences;
  }

  private List<String> runArgs(List<String> data, Path dataDir, Path report) {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(data);
    args.addAll(List.of("--speed", speed, "--exit-at-end", "--http-port", "0", "--data-dir", dataDir.toAbsolutePath().toString(),
        "--report", report.toAbsolutePath().toString()));
    return args;
  }

  static boolean isEmpty(Path dir) throws IllegalArgumentException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new IllegalArgumentException("--work-dir " + dir + " cannot be read: " + e.getMessage());
    }
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  /**
   * When to kill a child: {@code afterStart} nanoseconds after its start (a recovery kill), or when
   * its replay reaches {@code fraction} of the run at {@code replayNanos} for the whole run.
   */
  record Target(long afterStart, double fraction, long replayNanos) {
    static Target recovery(long afterStart) {
      return new Target(afterStart, -1, 0);
    }

    static Target replay(double fraction, long replayNanos) {
      return new Target(-1, fraction, replayNanos);
    }
  }

  /** One landed kill, and how long the restart after it took to have the replay running again. */
  private static final class Kill {
    final int number;
    final String phase;
    Duration recovery;

    Kill(int number, String phase) {
      this.number = number;
      this.phase = phase;
    }

    void recoveredBy(Child next) {
      if (next.runningAt != null) recovery = Duration.ofNanos(next.runningAt - next.startedAt);
    }
  }

  /** A line the child printed, with the time it was read; {@code line} null at the end of its output. */
  record Line(long at, String line) {}

  /**
   * One {@code ordo run} in a child JVM: its stdout read line by line (kept in {@code logs/NN-name.out}),
   * its stderr in {@code logs/NN-name.err}; when the replay ran (its first progress line), where it
   * got to, and how it ended.
   */
  static final class Child {
    final Process process;
    final Path out;
    final Path err;
    final long startedAt;
    final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    Long runningAt;
    Long endAt;
    long exitedAt;
    int exitCode = -1;
    boolean timedOut;
    int firstSessions = -1;
    int lastSessions = -1;
    int totalSessions = -1;
    String endState;

    private Child(Process process, Path out, Path err, long startedAt) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.startedAt = startedAt;
    }

    static Child start(int number, String name, List<String> args, Path work) throws IOException {
      return start(number, name, args, work, java.util.Map.of());
    }

    /** {@link #start(int, String, List, Path)} with {@code environment} added to the child's. */
    static Child start(int number, String name, List<String> args, Path work, java.util.Map<String, String> environment) throws IOException {
      String base = String.format(Locale.ROOT, "%02d-%s", number, name);
      Path out = work.resolve("logs").resolve(base + ".out");
      Path err = work.resolve("logs").resolve(base + ".err");
      List<String> options = new ArrayList<>(List.of("-Dlogback.configurationFile=logback.xml"));
      options.addAll(ChildJvm.inheritedOptions());
      ProcessBuilder builder = ChildJvm.ordo(options, args).redirectError(err.toFile());
      builder.environment().putAll(environment);
      long startedAt = System.nanoTime();
      Child child = new Child(builder.start(), out, err, startedAt);
      Thread reader = new Thread(child::read, "crash-test-" + base);
      reader.setDaemon(true);
      reader.start();
      return child;
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          BufferedWriter copy = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(new Line(System.nanoTime(), line));
          copy.write(line);
          copy.newLine();
          copy.flush();
        }
      } catch (IOException e) {
        // the process was killed mid-line, or the log cannot be written: the end of its output all the same
      } finally {
        lines.add(new Line(System.nanoTime(), null));
      }
    }

    /**
     * Follows the child until it exits, killing it with SIGKILL at {@code target} (null: not at all);
     * kills it too when it runs longer than {@code limit}.
     */
    void await(Target target, Duration limit) throws InterruptedException {
      long giveUpAt = startedAt + limit.toNanos();
      Long killAt = target != null && target.afterStart() >= 0 ? startedAt + target.afterStart() : null;
      boolean ended = false;
      while (!ended) {
        long now = System.nanoTime();
        long until = killAt != null ? Math.min(killAt, giveUpAt) : giveUpAt;
        if (now >= until) {
          timedOut = killAt == null || giveUpAt < killAt;
          process.destroyForcibly();
          break;
        }
        Line line = lines.poll(until - now, TimeUnit.NANOSECONDS);
        if (line == null) continue;
        if (line.line() == null) {
          ended = true;
          continue;
        }
        Matcher step = ProgressPrinter.STEP_LINE.matcher(line.line());
        Matcher end = ProgressPrinter.END_LINE.matcher(line.line());
        if (step.matches() || end.matches()) {
          Matcher m = step.matches() ? step : end;
          int done = Integer.parseInt(m.group(step.matches() ? 1 : 2));
          int total = Integer.parseInt(m.group(step.matches() ? 2 : 3));
          if (runningAt == null) {
            runningAt = line.at();
            firstSessions = done;
            if (target != null && target.fraction() >= 0) {
              double left = Math.max(0, target.fraction() - (double) done / Math.max(1, total));
              killAt = line.at() + (long) (left * target.replayNanos());
            }
          }
          lastSessions = done;
          totalSessions = total;
          if (end.matches()) {
            endAt = line.at();
            endState = end.group(1);
          }
        }
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
      exitedAt = System.nanoTime();
      exitCode = process.exitValue();
      // the lines printed before the kill, for the phase it landed in
      for (Line line = lines.poll(10, TimeUnit.SECONDS); line != null && line.line() != null; line = lines.poll(10, TimeUnit.SECONDS)) {
        Matcher step = ProgressPrinter.STEP_LINE.matcher(line.line());
        if (step.matches()) lastSessions = Integer.parseInt(step.group(1));
        if (ProgressPrinter.END_LINE.matcher(line.line()).matches()) endState = "ended";
        if ((step.matches() || endState != null) && runningAt == null) runningAt = line.at();
      }
    }

    /** Where the replay was when it was killed, from what it printed and logged. */
    String phase(long replayNanos) {
      if (endState != null) return "after the replay's end (report, shutdown)";
      if (runningAt != null) {
        double fraction = (double) firstSessions / Math.max(1, totalSessions) + (double) (exitedAt - runningAt) / Math.max(1, replayNanos);
        return String.format(Locale.ROOT, "replay at session %d/%d (about %.0f%% of the run)", lastSessions, totalSessions,
            Math.min(100, 100 * fraction));
      }
      String log = "";
      try {
        log = Files.readString(err, StandardCharsets.UTF_8);
      } catch (IOException e) {
        // no log: the phase is told from stdout alone
      }
      if (log.contains("fill(s) delivered again")) return "recovery (fills delivered again, before the first step)";
      if (log.contains("Resuming: ")) return "recovery (delivering the venue's fills again)";
      if (log.contains("Trading service of account")) return "recovery (entities recovering from the journal)";
      if (log.contains("Slf4jLogger started")) return "recovery (actor system and journal starting)";
      return "recovery (JVM start, bar files scanned)";
    }

    /** How it ended, in words. */
    String outcome() {
      if (timedOut) return "did not end in time and was killed";
      return "exited " + exitCode + (endState != null ? " after the replay " + endState : runningAt != null ? " during the replay"
          : " before the replay ran");
    }
  }
}
