package dev.ordo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.persistence.JournalSettings;
import dev.ordo.persistence.LocalPostgres;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ordo cluster-test --replay}: the paper replay of a folder of bar files driven from one node of a cluster of
 * {@code --nodes} JVMs on 127.0.0.1, on one PostgreSQL journal (started in the work folder by {@link LocalPostgres}); its trades
 * must be the synchronous backtester's over the same data, trade for trade. The first node (the first seed) drives the replay
 * and writes its report; the others host entities ({@code --cluster-min-nodes}: the replay starts once every node is in). While
 * it runs, another node's API is asked for the entities per node ({@code /cluster}) and for the replay's progress (from the
 * driving node, through {@code /status}); at the end, for the trades (read from the shared journal). Then the journal is verified.
 * With {@code --replay-kill} the last node is killed (SIGKILL) a third into the replay: the step delivering to its entities fails
 * after {@code ordo.replay-phase-timeout}, the driving node stops its replay (it must not exit 0), the driving node and the killed
 * one are started again with the same commands, and the replay resumes from the shared journal; the checks are the same.
 * Exit 0 when every check passed, 1 otherwise.
 */
final class ClusterReplayTest {

  /**
   * What to run.
   *
   * @param nodes    cluster nodes (JVMs), at least 2
   * @param dataArgs the data options as given, passed to every node ({@code --data}, {@code --from}, {@code --to})
   * @param limit    the longest the replay may take
   */
  record Plan(int nodes, Path data, java.time.LocalDate from, java.time.LocalDate to, List<String> dataArgs, Duration limit, boolean kill) {}

  /** An entity node's line with its API (RunCommand). */
  static final Pattern API_LINE = Pattern.compile("HTTP API on (\\S+) .*");

  private final Plan plan;
  private final Path work;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String token = "cluster-replay-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + Long.toHexString(System.nanoTime());
  private final List<CrashTestCommand.Child> children = new ArrayList<>();

  ClusterReplayTest(Plan plan, Path work, PrintStream out) {
    this.plan = plan;
    this.work = work;
    this.out = out;
  }

  /** Runs the test; 0 when every check passed, 1 otherwise. */
  int run() throws Exception {
    long began = System.nanoTime();
    Path reference = work.resolve("backtest.json");
    Report expected = BacktestCommand.backtest(plan.data(), plan.from(), plan.to());
    expected.write(reference);
    out.printf("cluster-test --replay: %d nodes, data %s; the synchronous backtester's reference: %d trades, total P&L %s; work dir %s%n",
        plan.nodes(), plan.data(), expected.summary().trades(), expected.summary().totalPnlText(), work.toAbsolutePath());
    LocalPostgres.Running db = LocalPostgres.inFolder(work.resolve("db")).start(ClusterCrashTest.freePort());
    out.printf("cluster-test --replay: PostgreSQL on 127.0.0.1:%d%n", db.port());
    try {
      return replayAndCheck(db, reference, expected.summary().instruments(), began);
    } finally {
      for (CrashTestCommand.Child child : children)
        if (child.process.isAlive()) child.process.destroyForcibly();
      LocalPostgres.inFolder(work.resolve("db")).stop();
    }
  }

  private int replayAndCheck(LocalPostgres.Running db, Path reference, int instruments, long began) throws Exception {
    List<String> failed = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < plan.nodes(); i++) ports.add(ClusterCrashTest.freePort());
    List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    Path report = work.resolve("report.json");
    // every node at once: none is Up before all joined (--cluster-min-nodes), so the entities spread from the first bar
    List<List<String>> nodeArgs = new ArrayList<>();
    for (int i = 0; i < plan.nodes(); i++) {
      List<String> args = new ArrayList<>(List.of("run"));
      args.addAll(plan.dataArgs());
      args.addAll(List.of("--speed", "max", "--http-port", "0", "--data-dir", work.resolve("node-" + (i + 1)).toAbsolutePath().toString(),
          "--journal", db.journalUrl(), "--journal-password-file", db.passwordFile().toAbsolutePath().toString(),
          "--cluster-seed", String.join(",", seeds), "--cluster-port", Integer.toString(ports.get(i)),
          "--cluster-min-nodes", Integer.toString(plan.nodes())));
      if (i == 0) args.addAll(List.of("--exit-at-end", "--report", report.toAbsolutePath().toString()));
      nodeArgs.add(args);
      children.add(CrashTestCommand.Child.start(i + 1, "node-" + (i + 1), args, work, Map.of("ORDO_API_TOKEN", token)));
    }
    List<String> apis = new ArrayList<>();
    for (CrashTestCommand.Child child : children) {
      String api = awaitApi(child);
      if (api == null) return 1;
      apis.add(api);
    }
    String other = apis.get(1); // a node that does not drive: what it answers, it answers for the whole cluster
    long startedAt = System.nanoTime();

    // while the replay runs: the entities per node (the last count before the end), and the driving node's progress as another
    // node shows it
    Map<String, Map<String, Integer>> entities = null;
    String progress = null;
    CrashTestCommand.Child driver = children.get(0);
    long giveUpAt = startedAt + plan.limit().toNanos();
    String killed = null;
    if (plan.kill()) {
      // a third into the replay, SIGKILL the last node: the step delivering to its entities fails after the phase timeout and the
      // driving node stops its replay; the driving node and the killed one are then started again and the replay resumes
      int done = 0;
      int total = Integer.MAX_VALUE;
      while (driver.process.isAlive() && System.nanoTime() < giveUpAt && done * 3 < total) {
        Map<String, Map<String, Integer>> now = spreadEntities(other, instruments, seeds);
        if (now != null) entities = now;
        JsonNode replay = replayOf(get(other, "/status"));
        if (replay != null) {
          done = replay.path("sessionsDone").asInt();
          total = replay.path("sessionsTotal").asInt();
        }
        driver.process.waitFor(500, TimeUnit.MILLISECONDS);
      }
      int last = plan.nodes() - 1;
      children.get(last).process.destroyForcibly().waitFor();
      out.printf("cluster-test --replay: node %d killed (SIGKILL) at %d/%d sessions%n", last + 1, done, total);
      if (!driver.process.waitFor(Math.max(1, (giveUpAt - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
        failed.add("the driving node's replay did not stop after node " + (last + 1) + " was killed");
        driver.process.destroyForcibly().waitFor();
      }
      int exit = driver.process.exitValue();
      killed = "node " + (last + 1) + " killed at " + done + "/" + total + " sessions: the driving node stopped its replay (exit " + exit
          + "), then it and the killed node were started again and the replay resumed";
      if (exit == 0) failed.add("the driving node exited 0 though a node was killed: its replay should have stopped, not finished");
      children.set(0, CrashTestCommand.Child.start(plan.nodes() + 1, "node-1", nodeArgs.get(0), work, Map.of("ORDO_API_TOKEN", token)));
      children.set(last, CrashTestCommand.Child.start(plan.nodes() + 2, "node-" + (last + 1), nodeArgs.get(last), work,
          Map.of("ORDO_API_TOKEN", token)));
      for (int i : new int[] {0, last})
        if (awaitApi(children.get(i)) == null) return 1;
      driver = children.get(0);
    }
    while (driver.process.isAlive() && System.nanoTime() < giveUpAt) {
      Map<String, Map<String, Integer>> now = spreadEntities(other, instruments, seeds);
      if (now != null) entities = now;
      JsonNode replay = replayOf(get(other, "/status"));
      if (replay != null) progress = replay.path("sessionsDone").asText() + "/" + replay.path("sessionsTotal").asText();
      driver.process.waitFor(entities == null ? 200 : 2000, TimeUnit.MILLISECONDS);
    }
    if (driver.process.isAlive()) {
      failed.add("the replay did not end within " + CrashTestCommand.seconds(plan.limit()));
      driver.process.destroyForcibly().waitFor();
    } else if (driver.process.exitValue() != 0) {
      failed.add("the driving node exited with " + driver.process.exitValue() + " (see " + driver.err + ")");
    }
    Duration replayWall = Duration.ofNanos(System.nanoTime() - startedAt);
    JsonNode status = get(other, "/status");
    String account = status == null ? "paper" : status.path("accounts").path(0).path("account").asText("paper");
    JsonNode trades = get(other, "/accounts/" + account + "/trades");
    for (CrashTestCommand.Child child : children) child.process.destroy();
    for (CrashTestCommand.Child child : children)
      if (!child.process.waitFor(90, TimeUnit.SECONDS)) {
        failed.add("a node did not stop within 90 s of SIGTERM (see " + child.err + ")");
        child.process.destroyForcibly().waitFor();
      }

    ObjectMapper json = new ObjectMapper();
    JsonNode want = json.readTree(reference.toFile()).path("trades");
    JsonNode got = java.nio.file.Files.exists(report) ? json.readTree(report.toFile()).path("trades") : null;
    Config journal = JournalSettings.postgres(db.journalUrl(), db.password()).withFallback(ConfigFactory.load());
    dev.ordo.app.audit.Verifier.Result verified = SimCrashTest.readJournal(work.resolve("node-1"), journal).verified();

    List<BrokerInvariants.Check> checks = new ArrayList<>();
    checks.add(new BrokerInvariants.Check("the driving node's report holds the backtester's " + want.size() + " trades, trade for trade",
        want.equals(got), got == null ? "no report written" : firstDifference(want, got)));
    checks.add(new BrokerInvariants.Check("another node's API answers the same trades", want.equals(trades),
        trades == null ? "no answer" : firstDifference(want, trades)));
    boolean spread = entities != null && entities.getOrDefault("SymbolTrader", Map.of()).values().stream().filter(n -> n > 0).count() == plan.nodes();
    // (the counts are the last ones read before the replay ended)
    checks.add(new BrokerInvariants.Check("symbol traders on every node", spread,
        "SymbolTrader by node: " + (entities == null ? "not read" : entities.get("SymbolTrader"))));
    checks.add(new BrokerInvariants.Check("another node shows the replay's progress", progress != null, "its /status had no replay"));
    checks.add(new BrokerInvariants.Check("verify clean on the shared journal (" + verified.entities() + " entities, " + verified.events() + " events)",
        verified.violations().isEmpty(), verified.violations().stream().limit(5).map(Object::toString).toList().toString()));

    out.printf("cluster-test --replay summary (%d nodes):%n", plan.nodes());
    if (entities != null) entities.forEach((type, byNode) -> out.printf("  %s by node: %s%n", type, byNode));
    if (killed != null) out.printf("  %s%n", killed);
    out.printf("  replay: %d trades (backtester %d); progress last seen on node 2 at %s sessions; replay wall %s, test wall %s%n",
        got == null ? 0 : got.size(), want.size(), progress, CrashTestCommand.seconds(replayWall),
        CrashTestCommand.seconds(Duration.ofNanos(System.nanoTime() - began)));
    return SimCrashTest.verdict(out, "cluster-test --replay", failed, checks);
  }

  /** The line of {@code child} with its API, once it started; null (printed) when it did not within 3 minutes. */
  private String awaitApi(CrashTestCommand.Child child) throws InterruptedException {
    CrashTestCommand.Line line = SimCrashTest.awaitLine(child, API_LINE, Duration.ofMinutes(3));
    Matcher m = line == null ? null : API_LINE.matcher(line.line());
    if (m == null || !m.matches()) {
      out.printf("cluster-test --replay FAILED: a node did not start (see %s)%n", child.err);
      return null;
    }
    return m.group(1);
  }

  /** The first account's replay in a /status answer; null without one. */
  private static JsonNode replayOf(JsonNode status) {
    JsonNode replay = status == null ? null : status.path("accounts").path(0).path("replay");
    return replay != null && replay.hasNonNull("sessionsDone") ? replay : null;
  }

  /** Where the first trades of {@code want} and {@code got} differ. */
  private static String firstDifference(JsonNode want, JsonNode got) {
    for (int i = 0; i < Math.max(want.size(), got.size()); i++)
      if (!want.path(i).equals(got.path(i)))
        return "trade " + (i + 1) + ": expected " + want.path(i) + ", got " + got.path(i) + " (" + want.size() + " expected, " + got.size() + " got)";
    return "";
  }

  /**
   * GET /cluster's entities per type and node ("node N (driving)", N the node's place in {@code seeds}) once the {@code instruments}
   * symbol traders are placed; null before, or when the node does not answer.
   */
  private Map<String, Map<String, Integer>> spreadEntities(String api, int instruments, List<String> seeds) {
    JsonNode cluster = get(api, "/cluster");
    if (cluster == null) return null;
    Map<String, Map<String, Integer>> byType = ClusterCrashTest.entitiesByType(cluster, address -> {
      int place = seeds.indexOf(address.replace("pekko://ordo@", "")) + 1;
      return place == 0 ? address : "node " + place + (place == 1 ? " (driving)" : "");
    });
    int traders = byType.getOrDefault("SymbolTrader", Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    return traders >= instruments ? byType : null;
  }

  private JsonNode get(String api, String path) {
    return SimCrashTest.getJson(http, HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(8)));
  }
}
