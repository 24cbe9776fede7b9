package dev.ordo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.persistence.JournalSettings;
import dev.ordo.persistence.LocalPostgres;
import dev.ordo.sim.SimStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * {@code ordo cluster-test}: several Ordo nodes (JVMs on 127.0.0.1) in one cluster on one PostgreSQL journal (started in the work
 * folder by {@link LocalPostgres}) trade one live account against the broker simulator with every fault on. At {@code --kills}
 * seeded moments of the market the node running the account's service (its cluster singleton) is killed with SIGKILL; the test
 * measures how long until the service runs on another node (kill to the new service's start, from its journaled state), then
 * starts the killed node again so the cluster is whole. With {@code --rolling} every node is then stopped with SIGTERM and started
 * again in turn, under the same load. At the end (market finished, reconciled until quiet) the nodes are stopped and checked
 * against the simulator's own view like {@link SimCrashTest}: the {@link BrokerInvariants}, every broker order one of the
 * engine's ClientOrderIds, the verifier clean on the shared journal, logins at most the token expiries plus one per start of the
 * account's service (the node that takes it over logs in once: a session token is never journaled), and each recovery within
 * {@code --max-recovery}. Prints the entities per node, each recovery and the counters; exit 0 when every check passed, 1 otherwise.
 */
final class ClusterCrashTest {

  /**
   * What to run.
   *
   * @param nodes       cluster nodes (JVMs), at least 2
   * @param rolling     stop and start each node in turn after the kills
   * @param maxRecovery the longest a kill may leave the account's service down
   */
  record Plan(int nodes, int kills, boolean rolling, long seed, Path data, LocalDate from, LocalDate to, List<String> dataArgs, Duration market,
      List<String> faults, String reconcileEvery, Duration maxRecovery) {}

  /** The API token every node accepts (ORDO_API_TOKEN): the nodes are one engine to a client. */
  private static final String TOKEN_PREFIX = "cluster-test-";

  private final Plan plan;
  private final Path work;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String token = TOKEN_PREFIX + Long.toHexString(new java.security.SecureRandom().nextLong()) + Long.toHexString(System.nanoTime());
  private final List<Node> nodes = new ArrayList<>();
  private SimCrashTest sim;
  private int starts;

  ClusterCrashTest(Plan plan, Path work, PrintStream out) {
    this.plan = plan;
    this.work = work;
    this.out = out;
  }

  /** One node: its ports and folder, and its running JVM (null while stopped). */
  private static final class Node {
    final int number;
    final int clusterPort;
    final Path dataDir;
    CrashTestCommand.Child child;
    String api;

    Node(int number, int clusterPort, Path dataDir) {
      this.number = number;
      this.clusterPort = clusterPort;
      this.dataDir = dataDir;
    }

    String address() {
      return "pekko://ordo@127.0.0.1:" + clusterPort;
    }

    boolean running() {
      return child != null && child.process.isAlive();
    }
  }

  /** One kill: the node, when, and how long until the service ran on another node. */
  private record Kill(int number, int node, Duration recovery, String movedTo) {}

  /** Runs the test; 0 when every check passed, 1 otherwise. */
  int run() throws Exception {
    long began = System.nanoTime();
    ReplaySchedule schedule = ReplaySchedule.of(BarFileReader.readFolder(plan.data()), plan.from(), plan.to());
    double factor = Math.max(1, SimCrashTest.marketSeconds(schedule) / (plan.market().toMillis() / 1000.0));
    String speed = String.format(Locale.ROOT, "%.1fx", factor);
    out.printf("cluster-test: %d nodes, %d kill(s)%s, seed %d, broker sim: %d instruments, %d sessions at %s (a market of about %s), faults %s, "
            + "work dir %s%n", plan.nodes(), plan.kills(), plan.rolling() ? " then a rolling restart" : "", plan.seed(),
        schedule.instruments().size(), schedule.sessions().size(), speed, CrashTestCommand.seconds(plan.market()), String.join(" ", plan.faults()),
        work.toAbsolutePath());

    LocalPostgres.Running db = LocalPostgres.inFolder(work.resolve("db")).start(freePort());
    out.printf("cluster-test: PostgreSQL on 127.0.0.1:%d (%s)%n", db.port(), db.journalUrl());
    try {
      Path credentials = work.resolve("credentials.properties");
      NeoCredentials user = SimCrashTest.writeCredentials(credentials);
      sim = new SimCrashTest(new SimCrashTest.Plan(plan.kills(), plan.seed(), plan.data(), plan.from(), plan.to(), plan.dataArgs(), plan.market(),
          plan.faults(), plan.reconcileEvery()), work, out);
      List<String> simArgs = new ArrayList<>(List.of("broker-sim"));
      simArgs.addAll(plan.dataArgs());
      simArgs.addAll(List.of("--speed", speed, "--port", "0", "--credentials", credentials.toAbsolutePath().toString()));
      simArgs.addAll(plan.faults());
      CrashTestCommand.Child simulator = CrashTestCommand.Child.start(++starts, "broker-sim", simArgs, work);
      CrashTestCommand.Line started = SimCrashTest.awaitLine(simulator, SimCrashTest.SIMULATOR_LINE, Duration.ofMinutes(2));
      if (started == null) {
        simulator.process.destroyForcibly();
        out.printf("cluster-test FAILED: the broker simulator did not start (see %s)%n", simulator.err);
        return 1;
      }
      Matcher m = SimCrashTest.SIMULATOR_LINE.matcher(started.line());
      sim.simUrl = m.matches() ? m.group(1) : null;
      try {
        return killAndCheck(user, credentials, db, started.at(), began);
      } finally {
        for (Node node : nodes)
          if (node.running()) node.child.process.destroyForcibly();
        simulator.process.destroy();
        if (!simulator.process.waitFor(30, TimeUnit.SECONDS)) simulator.process.destroyForcibly();
      }
    } finally {
      LocalPostgres.inFolder(work.resolve("db")).stop();
    }
  }

  private int killAndCheck(NeoCredentials user, Path credentials, LocalPostgres.Running db, long marketStart, long began) throws Exception {
    List<String> failed = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < plan.nodes(); i++) ports.add(freePort());
    List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    for (int i = 0; i < plan.nodes(); i++) nodes.add(new Node(i + 1, ports.get(i), work.resolve("node-" + (i + 1))));
    List<String> common = List.of("run", "--broker", "neo", "--broker-url", sim.simUrl, "--credentials", credentials.toAbsolutePath().toString(),
        "--http-port", "0", "--reconcile-every", plan.reconcileEvery(), "--journal", db.journalUrl(), "--journal-password-file",
        db.passwordFile().toAbsolutePath().toString(), "--cluster-seed", String.join(",", seeds));
    // the first node forms the cluster; the others join it one by one (each start creates the journal's schema if missing)
    for (Node node : nodes)
      if (!start(node, common)) return fail(node, "did not start");
    String account = accountOf(nodes.get(0));

    // the kills: at sorted seeded moments of the market, each at the node running the account's service
    Random random = new Random(plan.seed());
    List<Double> moments = new ArrayList<>();
    for (int k = 0; k < plan.kills(); k++) moments.add(0.15 + 0.7 * random.nextDouble());
    Collections.sort(moments);
    Map<String, Map<String, Integer>> entities = null;
    List<Kill> kills = new ArrayList<>();
    for (int k = 0; k < plan.kills(); k++) {
      long at = marketStart + (long) (moments.get(k) * plan.market().toNanos());
      while (System.nanoTime() < at) Thread.sleep(100);
      if (entities == null) entities = entitiesPerNode();
      Service before = service(account);
      Node victim = before == null ? null : nodes.stream().filter(n -> n.address().equals(before.node()) && n.running()).findFirst().orElse(null);
      if (victim == null) {
        failed.add("kill " + (k + 1) + ": no running node holds the account's service (" + (before == null ? "no answer" : before) + ")");
        continue;
      }
      Instant killedAt = Instant.now();
      victim.child.process.destroyForcibly();
      victim.child.process.waitFor(30, TimeUnit.SECONDS);
      Service after = awaitMoved(account, victim, killedAt, Duration.ofSeconds(90));
      Duration recovery = after == null ? null : Duration.between(killedAt, after.since());
      kills.add(new Kill(k + 1, victim.number, recovery, after == null ? null : after.node()));
      out.printf("cluster-test: kill %d/%d of node %d (ran the service): %s%n", k + 1, plan.kills(), victim.number,
          recovery == null ? "the service did not run on another node within 90 s" : "the service ran on " + after.node() + " after "
              + CrashTestCommand.seconds(recovery));
      if (!start(victim, common)) return fail(victim, "did not start again after its kill");
    }
    if (entities == null) entities = entitiesPerNode();

    // the rolling restart: each node stopped (SIGTERM) and started again in turn, the service handed over when its node leaves
    List<String> rolled = new ArrayList<>();
    if (plan.rolling()) {
      for (Node node : nodes) {
        Instant stoppedAt = Instant.now();
        Service before = service(account);
        node.child.process.destroy();
        if (!node.child.process.waitFor(90, TimeUnit.SECONDS)) {
          failed.add("node " + node.number + " did not stop within 90 s of SIGTERM");
          node.child.process.destroyForcibly().waitFor();
        }
        Service moved = before != null && before.node().equals(node.address()) ? awaitMoved(account, node, stoppedAt, Duration.ofSeconds(90)) : null;
        if (!start(node, common)) return fail(node, "did not start again in the rolling restart");
        rolled.add("node " + node.number + (moved != null ? " (handed the service to " + moved.node() + " in "
            + CrashTestCommand.seconds(Duration.between(stoppedAt, moved.since())) + ")" : ""));
        out.printf("cluster-test: rolling restart: %s%n", rolled.get(rolled.size() - 1));
      }
    }

    if (!sim.awaitMarketEnd(marketStart + plan.market().multipliedBy(3).plusMinutes(5).toNanos()))
      failed.add("the simulated market did not finish in time");
    int runs = sim.reconcileUntilQuiet(nodes.get(0).api, account, token);
    if (runs < 0) failed.add("the final reconciliation did not complete twice in a row with the broker quiet");
    for (Node node : nodes) node.child.process.destroy();
    for (Node node : nodes)
      if (!node.child.process.waitFor(90, TimeUnit.SECONDS)) {
        failed.add("node " + node.number + " did not stop within 90 s of SIGTERM");
        node.child.process.destroyForcibly().waitFor();
      }

    SimCrashTest.Broker broker = sim.readBroker(user);
    Config journal = JournalSettings.postgres(db.journalUrl(), db.password()).withFallback(ConfigFactory.load());
    SimCrashTest.Engine engine = SimCrashTest.readJournal(nodes.get(0).dataDir, journal);
    List<BrokerInvariants.Check> checks = new ArrayList<>(SimCrashTest.finalChecks(broker, engine));
    SimStats.Snapshot s = broker.stats();
    // the check's own reading of the broker's books logged in once too
    long engineLogins = s.logins() - 1;
    checks.add(new BrokerInvariants.Check("the nodes' logins (" + engineLogins + ") at most the token expiries (" + s.tokenExpiries()
        + ") plus one per start of the account's service (" + engine.serviceStarts() + ")",
        engineLogins <= s.tokenExpiries() + engine.serviceStarts(), "more logins than expiries and service starts: a login was not single-flight"));
    List<String> slow = kills.stream().filter(k -> k.recovery() == null || k.recovery().compareTo(plan.maxRecovery()) > 0)
        .map(k -> "kill " + k.number() + ": " + (k.recovery() == null ? "never" : CrashTestCommand.seconds(k.recovery()))).toList();
    checks.add(new BrokerInvariants.Check("after each kill the service ran on another node within " + CrashTestCommand.seconds(plan.maxRecovery()),
        slow.isEmpty(), String.join("; ", slow)));
    boolean spread = entities != null && entities.getOrDefault("SymbolTrader", Map.of()).values().stream().filter(n -> n > 0).count() >= 2;
    checks.add(new BrokerInvariants.Check("symbol traders on more than one node", spread, "SymbolTrader by node: "
        + (entities == null ? "not read" : entities.get("SymbolTrader"))));

    out.printf("cluster-test summary (%d nodes, broker sim, seed %d):%n", plan.nodes(), plan.seed());
    if (entities != null) entities.forEach((type, byNode) -> out.printf("  %s by node: %s%n", type, byNode));
    out.printf("  orders %d (broker: %d placed, %d duplicate ClientOrderIds), fills %d (broker: %d in its trade book)%n",
        engine.verified().orders(), s.ordersPlaced(), s.duplicateClientOrderIds(), engine.verified().fills(), broker.trades().size());
    out.printf("  faults: %d logins (the check's own included), %d token expiries, %d socket drops, %d stalls, %d injected 429/5xx, %d placements unanswered; "
        + "%d starts of the account's service%n", s.logins(), s.tokenExpiries(), s.wsDrops(), s.wsStalls(), s.injectedErrors(), s.ambiguousAnswers(),
        engine.serviceStarts());
    for (Kill kill : kills)
      out.printf("  kill %d (node %d): %s%n", kill.number(), kill.node(), kill.recovery() == null ? "the service did not move"
          : "the service ran on " + kill.movedTo() + " after " + CrashTestCommand.seconds(kill.recovery()));
    for (String r : rolled) out.printf("  rolling restart: %s%n", r);
    out.printf("  final reconciliation: %d run(s); wall %s%n", Math.max(runs, 0), CrashTestCommand.seconds(Duration.ofNanos(System.nanoTime() - began)));
    if (engineLogins > s.tokenExpiries() + engine.serviceStarts()) printLoginLines();
    return SimCrashTest.verdict(out, "cluster-test", failed, checks);
  }

  /** Each node's log lines about logins and its service's starts and stops, in time order: where an extra login came from. */
  private void printLoginLines() {
    List<String> lines = new ArrayList<>();
    try (java.util.stream.Stream<Path> logs = java.nio.file.Files.list(work.resolve("logs"))) {
      for (Path log : logs.filter(f -> f.getFileName().toString().matches("\\d+-node-\\d+\\.err")).sorted().toList())
        for (String line : java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8))
          if (line.contains("Logging in account") || line.contains("expired;") || line.contains("Service of account")
              || line.contains("Trading service of account") || line.contains("restart"))
            lines.add(line + "   [" + log.getFileName() + "]");
    } catch (IOException e) {
      out.printf("  (the nodes' logs could not be read: %s)%n", e);
      return;
    }
    Collections.sort(lines);
    out.println("  the nodes' login and service lines:");
    lines.stream().limit(80).forEach(line -> out.println("    " + line));
  }

  private int fail(Node node, String what) {
    out.printf("cluster-test FAILED: node %d %s (see %s)%n", node.number, what, node.child == null ? "its log" : node.child.err);
    out.flush();
    return 1;
  }

  /** Starts {@code node} and waits until it trades (its start line) and its API answers; false when it did not within 3 minutes. */
  private boolean start(Node node, List<String> common) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(common);
    args.addAll(List.of("--data-dir", node.dataDir.toAbsolutePath().toString(), "--cluster-port", Integer.toString(node.clusterPort)));
    node.child = CrashTestCommand.Child.start(++starts, "node-" + node.number, args, work, Map.of("ORDO_API_TOKEN", token));
    CrashTestCommand.Line line = SimCrashTest.awaitLine(node.child, SimCrashTest.ENGINE_LINE, Duration.ofMinutes(3));
    if (line == null) {
      node.child.process.destroyForcibly();
      return false;
    }
    Matcher m = SimCrashTest.ENGINE_LINE.matcher(line.line());
    node.api = m.matches() ? m.group(2) : null;
    return node.api != null;
  }

  private String accountOf(Node node) throws IOException {
    JsonNode status = get(node, "/status");
    if (status == null) throw new IOException("node " + node.number + " does not answer /status");
    return status.path("accounts").get(0).path("account").asText();
  }

  /** The account's service as a running node's /status shows it. */
  private record Service(String state, String node, Instant since) {}

  /** The account's service as the first running node that answers sees it; null when none does. */
  private Service service(String account) {
    for (Node node : nodes) {
      if (!node.running()) continue;
      JsonNode status = get(node, "/status");
      if (status == null) continue;
      for (JsonNode a : status.path("accounts"))
        if (a.path("account").asText().equals(account) && a.hasNonNull("node") && a.hasNonNull("since"))
          return new Service(a.path("service").asText(), a.path("node").asText(), OffsetDateTime.parse(a.path("since").asText()).toInstant());
    }
    return null;
  }

  /** Polls until the account's service runs on a node other than {@code gone}, started after {@code after}; null after {@code limit}. */
  private Service awaitMoved(String account, Node gone, Instant after, Duration limit) throws InterruptedException {
    long giveUpAt = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < giveUpAt) {
      Service now = service(account);
      if (now != null && now.state().equals("RUNNING") && !now.node().equals(gone.address()) && now.since().isAfter(after)) return now;
      Thread.sleep(100);
    }
    return null;
  }

  /** GET /cluster's entities per type and node, from the first running node; null when none answers. */
  private Map<String, Map<String, Integer>> entitiesPerNode() {
    for (Node node : nodes) {
      if (!node.running()) continue;
      JsonNode cluster = get(node, "/cluster");
      if (cluster == null) continue;
      return entitiesByType(cluster, address -> address);
    }
    return null;
  }

  /**
   * A GET /cluster answer's entities: by type, then by node ({@code nodeName} of the node's address), each node's count.
   */
  static Map<String, Map<String, Integer>> entitiesByType(JsonNode cluster, java.util.function.UnaryOperator<String> nodeName) {
    Map<String, Map<String, Integer>> byType = new TreeMap<>();
    cluster.path("entities").fields().forEachRemaining(type -> {
      Map<String, Integer> byNode = new TreeMap<>();
      type.getValue().fields().forEachRemaining(n -> byNode.put(nodeName.apply(n.getKey()), n.getValue().asInt()));
      byType.put(type.getKey(), byNode);
    });
    return byType;
  }

  private JsonNode get(Node node, String path) {
    if (node.api == null) return null;
    return SimCrashTest.getJson(http, HttpRequest.newBuilder(URI.create(node.api + path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(8)));
  }

  /** A port free on 127.0.0.1 now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
