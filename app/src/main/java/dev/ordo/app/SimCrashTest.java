package dev.ordo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.audit.AuditedEntity;
import dev.ordo.app.audit.Auditor;
import dev.ordo.app.audit.Verifier;
import dev.ordo.app.http.Json;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalReader;
import dev.ordo.sim.SimStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code ordo crash-test --broker sim}: the live engine ({@code ordo run --broker neo}) against the broker
 * simulator ({@code ordo broker-sim}, every fault on), each in its own child JVM. The simulator's market
 * runs for about {@code --duration} (its speed is the data's market time over that); the engine is
 * killed with SIGKILL at {@code --kills} seeded moments and started again on the same data directory
 * each time, while the market goes on. A quarter of the kills (drawn) aim at a restart's start-up (a
 * uniform moment within the last measured start-up: JVM, journal, login, subscriptions, the start's
 * reconciliation); the others at uniform moments of the market (sorted), or just after the engine is up
 * again when that moment passed during its start. At the end (market finished, a last engine up and
 * reconciled through {@code POST /accounts/{a}/tasks/reconcile/run} until two runs in a row succeed
 * with nothing new at the broker), the engine is stopped with SIGTERM and checked against the
 * simulator's own view ({@code /sim/stats}, its order and trade books and positions read through its
 * API): the {@link BrokerInvariants}, every broker order one of the engine's journaled ClientOrderIds,
 * and {@link Verifier} clean on the data directory. Prints kills by phase, orders, fills and the time to
 * recover after each kill (restart to {@code /health} answering, which the engine does once logged in);
 * exit 0 when every check passed, 1 otherwise.
 */
final class SimCrashTest {

  /** The simulator's start line: {@code Broker simulator on URL (stats: ...)}. */
  static final Pattern SIMULATOR_LINE = Pattern.compile("Broker simulator on (\\S+) .*");
  /** The live engine's start line, printed once it is logged in and serves HTTP. */
  static final Pattern ENGINE_LINE = Pattern.compile("Ordo trading account (\\S+) live through \\S+; HTTP API on (\\S+)");
  /** The reason a restarted symbol trader gives a placement that was at the broker when the engine died. */
  static final String INTERRUPTED = "engine stopped before the broker answered";
  /** Start-up window of the first recovery kill, before a restart was measured. */
  static final Duration FIRST_WINDOW = Duration.ofSeconds(6);

  /**
   * What to run.
   *
   * @param dataArgs       {@code --data DIR [--from D] [--to D]} for the simulator
   * @param market         how long the simulated market should run (wall clock)
   * @param faults         the simulator's fault options ({@code --token-ttl 30s ...})
   * @param reconcileEvery the engine's {@code --reconcile-every}
   */
  record Plan(int kills, long seed, Path data, LocalDate from, LocalDate to, List<String> dataArgs, Duration market, List<String> faults,
      String reconcileEvery) {}

  private final Plan plan;
  private final Path work;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** The simulator's base URL once it started. */
  String simUrl;

  SimCrashTest(Plan plan, Path work, PrintStream out) {
    this.plan = plan;
    this.work = work;
    this.out = out;
  }

  /** Runs the test; 0 when every check passed, 1 otherwise. */
  int run() throws Exception {
    long began = System.nanoTime();
    ReplaySchedule schedule = ReplaySchedule.of(BarFileReader.readFolder(plan.data()), plan.from(), plan.to());
    double factor = Math.max(1, marketSeconds(schedule) / (plan.market().toMillis() / 1000.0));
    String speed = String.format(Locale.ROOT, "%.1fx", factor);
    Path credentials = work.resolve("credentials.properties");
    NeoCredentials user = writeCredentials(credentials);
    out.printf("crash-test: %d kills, seed %d, broker sim: %d instruments, %d sessions of %s at %s (a market of about %s), faults %s, work dir %s%n",
        plan.kills(), plan.seed(), schedule.instruments().size(), schedule.sessions().size(), plan.data(), speed,
        CrashTestCommand.seconds(plan.market()), String.join(" ", plan.faults()), work.toAbsolutePath());

    List<String> simArgs = new ArrayList<>(List.of("broker-sim"));
    simArgs.addAll(plan.dataArgs());
    simArgs.addAll(List.of("--speed", speed, "--port", "0", "--credentials", credentials.toAbsolutePath().toString()));
    simArgs.addAll(plan.faults());
    CrashTestCommand.Child sim = CrashTestCommand.Child.start(1, "broker-sim", simArgs, work);
    CrashTestCommand.Line started = awaitLine(sim, SIMULATOR_LINE, Duration.ofMinutes(2));
    if (started == null) {
      sim.process.destroyForcibly();
      out.printf("crash-test FAILED: the broker simulator did not start (see %s)%n", sim.err);
      return 1;
    }
    Matcher m = SIMULATOR_LINE.matcher(started.line());
    simUrl = m.matches() ? m.group(1) : null;
    long marketStart = started.at();
    try {
      return killAndCheck(user, credentials, marketStart, began);
    } finally {
      sim.process.destroy();
      if (!sim.process.waitFor(30, TimeUnit.SECONDS)) sim.process.destroyForcibly();
    }
  }

  private int killAndCheck(NeoCredentials user, Path credentials, long marketStart, long began) throws Exception {
    Random random = new Random(plan.seed());
    List<Double> fractions = new ArrayList<>();
    List<Boolean> recovery = new ArrayList<>();
    for (int i = 0; i < plan.kills(); i++) {
      boolean atRecovery = random.nextDouble() < CrashTestCommand.RECOVERY_SHARE;
      recovery.add(atRecovery);
      if (!atRecovery) fractions.add(random.nextDouble());
    }
    Collections.sort(fractions);
    Path dataDir = work.resolve("engine");
    List<String> args = List.of("run", "--broker", "neo", "--broker-url", simUrl, "--credentials", credentials.toAbsolutePath().toString(),
        "--data-dir", dataDir.toAbsolutePath().toString(), "--http-port", "0", "--reconcile-every", plan.reconcileEvery());
    Duration limit = Duration.ofMinutes(3);
    Duration window = FIRST_WINDOW;
    List<Kill> landed = new ArrayList<>();
    Kill previous = null;
    int fractionIndex = 0;
    int attempt = 1;
    for (int k = 0; k < plan.kills(); k++) {
      Target target;
      if (recovery.get(k) || fractionIndex >= fractions.size()) target = new Target((long) (random.nextDouble() * window.toNanos()), -1, 0);
      else target = new Target(-1, marketStart + (long) (fractions.get(fractionIndex++) * plan.market().toNanos()),
          (long) (random.nextDouble() * 1_000_000_000L));
      Incarnation engine = follow(CrashTestCommand.Child.start(++attempt, "kill-" + (k + 1), args, work), target, limit);
      if (previous != null) previous.recovery = engine.upIn();
      if (engine.upAt != null) window = engine.upIn();
      if (!engine.killed) {
        out.printf("crash-test FAILED: engine %d %s (see %s)%n", attempt - 1, engine.outcome(), engine.child.err);
        return 1;
      }
      String phase = landed.isEmpty() && engine.phase.startsWith("recovery") ? engine.phase.replaceFirst("recovery", "first start") : engine.phase;
      Kill kill = new Kill(k + 1, phase);
      landed.add(kill);
      previous = kill;
      out.printf("crash-test: kill %d/%d at %s after the start: %s%n", k + 1, plan.kills(),
          CrashTestCommand.seconds(Duration.ofNanos(engine.killedAt - engine.child.startedAt)), phase);
    }

    // the last engine: up, the market finished, reconciled
    Incarnation last = follow(CrashTestCommand.Child.start(++attempt, "final", args, work), null, limit);
    if (previous != null) previous.recovery = last.upIn();
    if (last.upAt == null) {
      out.printf("crash-test FAILED: the last engine %s (see %s)%n", last.outcome(), last.child.err);
      last.child.process.destroyForcibly();
      return 1;
    }
    List<String> failed = new ArrayList<>();
    if (!awaitMarketEnd(marketStart + plan.market().multipliedBy(3).plusMinutes(5).toNanos()))
      failed.add("the simulated market did not finish in time");
    String api = last.api;
    String account = last.account;
    String token = Files.readString(dataDir.resolve(ApiTokenSource.GENERATED_FILE), StandardCharsets.UTF_8).trim();
    int runs = reconcileUntilQuiet(api, account, token);
    if (runs < 0) failed.add("the final reconciliation did not complete twice in a row with the broker quiet");
    last.child.process.destroy();
    if (!last.child.process.waitFor(90, TimeUnit.SECONDS)) {
      failed.add("the last engine did not stop within 90 s of SIGTERM");
      last.child.process.destroyForcibly().waitFor();
    }

    // the broker's view, then the engine's journal
    Broker broker = readBroker(user);
    Engine engine = readJournal(dataDir);
    List<BrokerInvariants.Check> checks = finalChecks(broker, engine);

    SimStats.Snapshot s = broker.stats;
    out.printf("crash-test summary (broker sim, seed %d):%n", plan.seed());
    Map<String, Integer> phases = new TreeMap<>();
    landed.forEach(kill -> phases.merge(kill.phase.replaceAll(" \\(.*", ""), 1, Integer::sum));
    out.printf("  kills: %d landed; by phase %s%n", landed.size(), phases);
    out.printf("  restarts: %d; orders %d (broker: %d placed, %d duplicate ClientOrderIds), fills %d (broker: %d in its trade book)%n",
        landed.size(), engine.verified.orders(), s.ordersPlaced(), s.duplicateClientOrderIds(), engine.verified.fills(), broker.trades.size());
    out.printf("  placements in flight at a kill: %d (UNKNOWN after the restart, resolved by reconciliation); unanswered by the broker: %d%n",
        engine.interrupted, s.ambiguousAnswers());
    out.printf("  faults: %d logins, %d token expiries, %d socket drops, %d stalls, %d injected 429/5xx%n", s.logins(), s.tokenExpiries(),
        s.wsDrops(), s.wsStalls(), s.injectedErrors());
    Duration largest = Duration.ZERO;
    for (Kill kill : landed) {
      out.printf("  kill %d (%s): %s%n", kill.number, kill.phase,
          kill.recovery == null ? "killed again before it was up" : "recovered in " + CrashTestCommand.seconds(kill.recovery));
      if (kill.recovery != null && kill.recovery.compareTo(largest) > 0) largest = kill.recovery;
    }
    out.printf("  largest recovery: %s (restart to /health answering, logged in)%n", CrashTestCommand.seconds(largest));
    out.printf("  final reconciliation: %d run(s); wall %s%n", Math.max(runs, 0), CrashTestCommand.seconds(Duration.ofNanos(System.nanoTime() - began)));
    return verdict(out, "crash-test", failed, checks);
  }

  /**
   * Prints the failures and each check, then {@code TEST PASSED} or {@code TEST FAILED: ...}; the exit code, 0 when nothing failed.
   *
   * @param failed what failed before the checks; the failed checks are added to it
   */
  static int verdict(PrintStream out, String test, List<String> failed, List<BrokerInvariants.Check> checks) {
    for (String f : failed) out.printf("  FAIL %s%n", f);
    checks.forEach(c -> c.print(out));
    checks.stream().filter(c -> !c.holds()).forEach(c -> failed.add(c.invariant()));
    if (failed.isEmpty()) out.println(test + " PASSED");
    else out.println(test + " FAILED: " + String.join("; ", failed));
    out.flush();
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * The checks of the end of a run against the simulator: the {@link BrokerInvariants}, every broker order one of the engine's
   * journaled ClientOrderIds (once), and the verifier clean on the journal.
   */
  static List<BrokerInvariants.Check> finalChecks(Broker broker, Engine engine) {
    BrokerInvariants.Truth truth = new BrokerInvariants.Truth(broker.stats, broker.trades, broker.positions, engine.positions);
    List<BrokerInvariants.Check> checks = new ArrayList<>(BrokerInvariants.check(truth));
    Map<ClientOrderId, Integer> rows = new HashMap<>();
    broker.orders.forEach(o -> rows.merge(o.clientOrderId(), 1, Integer::sum));
    List<String> strangers = rows.keySet().stream().filter(id -> !engine.submitted.contains(id)).map(String::valueOf).sorted().limit(5).toList();
    List<String> twice = rows.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> e.getKey() + " x" + e.getValue()).limit(5).toList();
    checks.add(new BrokerInvariants.Check("the broker's orders are the engine's journaled orders, one per ClientOrderId",
        strangers.isEmpty() && twice.isEmpty() && broker.orders.size() == broker.stats.ordersPlaced(),
        "not the engine's: " + strangers + "; more than once: " + twice + "; " + broker.orders.size() + " rows for " + broker.stats.ordersPlaced()
            + " placed"));
    boolean clean = engine.verified.violations().isEmpty() && engine.verified.entities() > 0;
    checks.add(new BrokerInvariants.Check("verify: " + engine.verified.entities() + " entities, " + engine.verified.events() + " events"
        + (clean ? ", no violation" : ""), clean, engine.verified.violations().size() + " violation(s): "
        + engine.verified.violations().stream().limit(10).map(String::valueOf).toList()));

    return checks;
  }

  /** Seconds of market time in {@code schedule}: each session from its first step to its last (the simulator skips the nights). */
  static double marketSeconds(ReplaySchedule schedule) {
    Map<Integer, Instant[]> sessions = new TreeMap<>();
    for (ReplaySchedule.Step step : schedule.steps()) {
      Instant[] span = sessions.computeIfAbsent(step.sessionIndex(), i -> new Instant[] {step.at(), step.at()});
      if (step.at().isAfter(span[1])) span[1] = step.at();
    }
    return sessions.values().stream().mapToDouble(span -> Duration.between(span[0], span[1]).toMillis() / 1000.0).sum();
  }

  /** A simulated user with a random TOTP seed, written as a credentials file readable by its owner only. */
  static NeoCredentials writeCredentials(Path file) throws IOException {
    byte[] seed = new byte[20];
    new SecureRandom().nextBytes(seed);
    NeoCredentials user = new NeoCredentials("crash-test-consumer-key", "+910000000000", "CRASH1", "2468", new Base32().encodeToString(seed));
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, "consumer-key=" + user.consumerKey() + "\nmobile=" + user.mobileNumber() + "\nucc=" + user.ucc() + "\nmpin="
        + user.mpin() + "\ntotp-seed=" + user.totpSeed() + "\n", StandardCharsets.UTF_8);
    return user;
  }

  /**
   * When to kill an engine: {@code afterStart} nanoseconds after its start (a recovery kill), else at
   * {@code at} (System.nanoTime) but no sooner than {@code jitter} nanoseconds after it is up.
   */
  private record Target(long afterStart, long at, long jitter) {}

  /** One landed kill, and how long the next engine took to be up. */
  private static final class Kill {
    final int number;
    final String phase;
    Duration recovery;

    Kill(int number, String phase) {
      this.number = number;
      this.phase = phase;
    }
  }

  /** One run of the engine: when it was up, its API, and how it ended. */
  private static final class Incarnation {
    final CrashTestCommand.Child child;
    String api;
    String account;
    Long upAt;
    boolean killed;
    long killedAt;
    boolean timedOut;
    String phase;

    Incarnation(CrashTestCommand.Child child) {
      this.child = child;
    }

    Duration upIn() {
      return upAt == null ? null : Duration.ofNanos(upAt - child.startedAt);
    }

    String outcome() {
      if (timedOut) return "was not up within the time limit and was killed";
      if (!child.process.isAlive()) return "exited " + child.process.exitValue() + (upAt == null ? " before it was up" : " while running");
      return "is still running";
    }
  }

  /**
   * Follows an engine: reads its output for its API address, then calls {@code /health} until it
   * answers (it is up); kills it with SIGKILL at {@code target}. With no target, returns once it is up
   * (or ended).
   */
  private Incarnation follow(CrashTestCommand.Child child, Target target, Duration limit) throws InterruptedException {
    Incarnation engine = new Incarnation(child);
    long giveUpAt = child.startedAt + limit.toNanos();
    Long killAt = target != null && target.afterStart() >= 0 ? child.startedAt + target.afterStart() : null;
    boolean outputEnded = false;
    while (true) {
      long now = System.nanoTime();
      if (killAt != null && now >= killAt) {
        engine.phase = phase(engine);
        child.process.destroyForcibly();
        engine.killed = true;
        engine.killedAt = System.nanoTime();
        break;
      }
      if (now >= giveUpAt && engine.upAt == null) {
        engine.timedOut = true;
        child.process.destroyForcibly();
        break;
      }
      if (!child.process.isAlive()) break;
      if (engine.api == null && !outputEnded) {
        CrashTestCommand.Line line = child.lines.poll(20, TimeUnit.MILLISECONDS);
        if (line == null) continue;
        if (line.line() == null) {
          outputEnded = true;
          continue;
        }
        Matcher m = ENGINE_LINE.matcher(line.line());
        if (m.matches()) {
          engine.account = m.group(1);
          engine.api = m.group(2);
        }
      } else if (engine.upAt == null && engine.api != null) {
        if (answers(engine.api + "/health")) {
          engine.upAt = System.nanoTime();
          if (target == null) return engine;
          if (killAt == null) killAt = Math.max(target.at(), engine.upAt + target.jitter());
        } else {
          Thread.sleep(20);
        }
      } else {
        Thread.sleep(killAt == null ? 20 : Math.max(1, Math.min(20, (killAt - now) / 1_000_000)));
      }
    }
    if (!child.process.waitFor(60, TimeUnit.SECONDS)) child.process.destroyForcibly().waitFor();
    return engine;
  }

  /** Where an engine is now: up and trading (with the market's progress), or which step of its start-up. */
  private String phase(Incarnation engine) {
    if (engine.upAt != null) {
      JsonNode clock = get(simUrl + "/sim/clock");
      if (clock == null) return "running";
      int done = clock.path("stepsDone").asInt();
      int total = clock.path("stepsTotal").asInt();
      return done >= total ? "running (after the market's end)" : String.format(Locale.ROOT, "running (market at step %d/%d)", done, total);
    }
    String log = "";
    try {
      log = Files.readString(engine.child.err, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // no log: the earliest step
    }
    if (engine.api != null || log.contains("HTTP API listening")) return "recovery (HTTP up, before /health answered)";
    if (log.contains(" logged in (token")) return "recovery (logged in: subscribing, reconciling, HTTP starting)";
    if (log.contains("Logging in account")) return "recovery (logging in)";
    if (log.contains("Trading service of account")) return "recovery (trading service starting)";
    if (log.contains("Slf4jLogger started")) return "recovery (actor system and journal starting)";
    return "recovery (JVM start)";
  }

  /** The next line of {@code child} matching {@code pattern}, or null when its output ended or {@code limit} passed. */
  static CrashTestCommand.Line awaitLine(CrashTestCommand.Child child, Pattern pattern, Duration limit) throws InterruptedException {
    long giveUpAt = child.startedAt + limit.toNanos();
    while (System.nanoTime() < giveUpAt) {
      CrashTestCommand.Line line = child.lines.poll(Math.max(1, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.line() == null) return null;
      if (pattern.matcher(line.line()).matches()) return line;
    }
    return null;
  }

  /** Waits until the simulator replayed every step of its market; false when {@code giveUpAt} (System.nanoTime) passed first. */
  boolean awaitMarketEnd(long giveUpAt) throws InterruptedException {
    while (System.nanoTime() < giveUpAt) {
      JsonNode clock = get(simUrl + "/sim/clock");
      if (clock != null && clock.path("stepsDone").asInt() >= clock.path("stepsTotal").asInt()) return true;
      Thread.sleep(500);
    }
    return false;
  }

  /**
   * Runs the engine's reconcile task over HTTP until two runs in a row succeed with the broker's orders
   * and fills unchanged from before the first to after the second (so nothing placed or filled escaped
   * them); the number of runs, or -1 when that did not happen within 40 runs.
   */
  int reconcileUntilQuiet(String api, String account, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/accounts/" + account + "/tasks/reconcile/run"))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(3)).POST(HttpRequest.BodyPublishers.noBody()).build();
    int runs = 0;
    int inARow = 0;
    SimStats.Snapshot before = null;
    while (runs < 40) {
      SimStats.Snapshot now = stats();
      if (inARow == 0) before = now;
      runs++;
      boolean ok = false;
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        ok = response.statusCode() == 200 && "SUCCEEDED".equals(Json.mapper().readTree(response.body()).path("run").path("outcome").asText());
      } catch (IOException e) {
        // counted as a failed run
      }
      SimStats.Snapshot after = stats();
      if (!ok) {
        inARow = 0;
        Thread.sleep(500);
        continue;
      }
      inARow++;
      if (inARow == 2) {
        if (before != null && after != null && before.ordersPlaced() == after.ordersPlaced() && before.fills() == after.fills()) return runs;
        inARow = 0;
      }
    }
    return -1;
  }

  private SimStats.Snapshot stats() {
    JsonNode node = get(simUrl + "/sim/stats");
    try {
      return node == null ? null : Json.mapper().treeToValue(node, SimStats.Snapshot.class);
    } catch (IOException e) {
      return null;
    }
  }

  private boolean answers(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  JsonNode get(String url) {
    return getJson(http, HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)));
  }

  /** The JSON body of {@code request} sent as a GET, or null when it does not answer 200 (or at all). */
  static JsonNode getJson(HttpClient http, HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Json.mapper().readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** What the simulator holds: its counters, and its books read through its Neo API. */
  record Broker(SimStats.Snapshot stats, List<Fill> trades, List<PositionReport> positions, List<OrderReport> orders) {}

  Broker readBroker(NeoCredentials user) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ordo-crash-test", ConfigFactory.parseString(
        "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off")
        .withFallback(ConfigFactory.load()));
    try {
      NeoBroker broker = new NeoBroker(system, new NeoBroker.Settings(simUrl, Duration.ofSeconds(10), Clock.systemUTC()));
      SessionToken token = retry("login", () -> broker.login(user.toCredentials()));
      List<Fill> trades = retry("trade book", () -> broker.trades(token));
      List<PositionReport> positions = retry("positions", () -> broker.positions(token));
      List<OrderReport> orders = retry("order book", () -> broker.orderBook(token));
      SimStats.Snapshot stats = stats();
      if (stats == null) throw new IllegalStateException("the simulator did not answer /sim/stats");
      return new Broker(stats, trades, positions, orders);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Calls the broker until it answers (its injected errors are retried), at most 50 times. */
  private static <T> T retry(String what, java.util.function.Supplier<CompletionStage<BrokerResult<T>>> call) throws Exception {
    BrokerResult<T> result = null;
    for (int i = 0; i < 50; i++) {
      result = call.get().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (result instanceof BrokerResult.Ok<T> ok) return ok.value();
      Thread.sleep(200);
    }
    throw new IllegalStateException("the simulator's " + what + " could not be read: " + result);
  }

  /**
   * What the stopped engine's journal holds: its positions folded by their own event handler, the
   * ClientOrderIds its traders journaled, the placements a restart found in flight, and the verifier's result.
   */
  record Engine(List<Position.State> positions, Set<ClientOrderId> submitted, int interrupted, Verifier.Result verified, int serviceStarts) {}

  private static Engine readJournal(Path dataDir) throws Exception {
    return readJournal(dataDir, ConfigFactory.load());
  }

  /** {@link #readJournal(Path)} of the journal {@code config} names (a cluster's PostgreSQL database), through {@code dataDir}. */
  static Engine readJournal(Path dataDir, com.typesafe.config.Config config) throws Exception {
    try (OfflineJournal journal = OfflineJournal.open(dataDir, config)) {
      Auditor auditor = journal.auditor();
      List<Position.State> positions = new ArrayList<>();
      Set<ClientOrderId> submitted = new HashSet<>();
      int interrupted = 0;
      int serviceStarts = 0;
      for (AuditedEntity entity : auditor.entities().toCompletableFuture().get(5, TimeUnit.MINUTES).entities()) {
        if (entity.type() == AuditedEntity.Type.SERVICE_MANAGER) {
          for (JournalReader.Entry entry : auditor.history(entity).toCompletableFuture().get(5, TimeUnit.MINUTES).entries())
            if (entry.event() instanceof dev.ordo.engine.service.ServiceManager.ServiceStarted) serviceStarts++;
          continue;
        }
        if (entity.type() != AuditedEntity.Type.POSITION && entity.type() != AuditedEntity.Type.SYMBOL_TRADER) continue;
        Auditor.History history = auditor.history(entity).toCompletableFuture().get(5, TimeUnit.MINUTES);
        if (entity.type() == AuditedEntity.Type.POSITION) {
          positions.add((Position.State) auditor.finalState(history));
          continue;
        }
        for (JournalReader.Entry entry : history.entries()) {
          if (entry.event() instanceof SymbolTrader.OrderSubmitted e) submitted.add(e.clientOrderId());
          if (entry.event() instanceof SymbolTrader.OrderStatusUnknown e && INTERRUPTED.equals(e.reason())) interrupted++;
        }
      }
      return new Engine(positions, submitted, interrupted, VerifyCommand.verify(journal), serviceStarts);
    }
  }
}
