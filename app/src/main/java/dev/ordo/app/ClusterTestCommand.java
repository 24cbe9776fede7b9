package dev.ordo.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ordo cluster-test}: {@link ClusterCrashTest} from the command line. Needs Debian's PostgreSQL 15 (started in the work
 * folder). Exit 0 when every check passed, 1 when one failed (printed), 2 for a bad option.
 */
@Command(name = "cluster-test", mixinStandardHelpOptions = true,
    description = "Run N nodes in one cluster on a PostgreSQL journal against the broker simulator (every fault on), SIGKILL the node "
        + "running the account's service at seeded moments (and optionally restart every node in turn), and check nothing was lost or "
        + "doubled; or (--replay) the paper replay of --data across the nodes, checked trade for trade against the backtester.")
final class ClusterTestCommand implements Callable<Integer> {

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Mixin
  SimFaultOptions faults = new SimFaultOptions();

  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N", description = "Cluster nodes, JVMs on 127.0.0.1 (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--kills", defaultValue = "1", paramLabel = "N",
      description = "SIGKILLs of the node running the account's service (default ${DEFAULT-VALUE}).")
  int kills;

  @Option(names = "--rolling", description = "After the kills, stop (SIGTERM) and start every node in turn.")
  boolean rolling;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the kill moments and faults (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--duration", defaultValue = "3m", paramLabel = "DURATION",
      description = "How long the simulated market runs, wall clock (default ${DEFAULT-VALUE}); its speed is set to match.")
  String duration;

  @Option(names = "--max-recovery", defaultValue = "10s", paramLabel = "DURATION",
      description = "The longest a kill may leave the account's service down (default ${DEFAULT-VALUE}).")
  String maxRecovery;

  @Option(names = "--reconcile-every", defaultValue = "5s", paramLabel = "DURATION",
      description = "The nodes' reconciliation period (default ${DEFAULT-VALUE}).")
  String reconcileEvery;

  @Option(names = "--replay", description = "Instead: the paper replay of --data driven from the first node, its entities on every "
      + "node; its trades must be the synchronous backtester's, trade for trade (no simulator, no kills).")
  boolean replay;

  @Option(names = "--replay-kill", description = "With --replay: SIGKILL the last node a third into the replay; the replay stops, the "
      + "driving node and the killed one are started again, and the resumed replay must still give the backtester's trades.")
  boolean replayKill;

  @Option(names = "--replay-limit", defaultValue = "20m", paramLabel = "DURATION",
      description = "With --replay: the longest the replay may take (default ${DEFAULT-VALUE}).")
  String replayLimit;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "New or empty folder for the database, the nodes' data dirs and the logs (default: a new temporary folder, kept).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    ClusterCrashTest.Plan plan;
    ClusterReplayTest.Plan replayPlan = null;
    try {
      dataOptions.validate();
      if (nodes < 2) throw new IllegalArgumentException("--nodes must be at least 2, got " + nodes);
      if (kills < 0) throw new IllegalArgumentException("--kills must be 0 or more, got " + kills);
      Path folder = dataOptions.dataFolder();
      if (!Files.isDirectory(folder)) throw new IllegalArgumentException("--data " + folder + " is not a folder");
      if (workDir != null && Files.exists(workDir) && (!Files.isDirectory(workDir) || !CrashTestCommand.isEmpty(workDir)))
        throw new IllegalArgumentException("--work-dir " + workDir + " must be a new or empty folder");
      Duration market = BrokerSimCommand.duration("--duration", duration);
      if (market.isNegative() || market.isZero()) throw new IllegalArgumentException("--duration must be above 0, got '" + duration + "'");
      Duration recovery = BrokerSimCommand.duration("--max-recovery", maxRecovery);
      BrokerSimCommand.duration("--reconcile-every", reconcileEvery);
      List<String> data = dataOptions.args();
      if (replay)
        replayPlan = new ClusterReplayTest.Plan(nodes, folder, dataOptions.from, dataOptions.to, data, BrokerSimCommand.duration("--replay-limit", replayLimit),
            replayKill);
      plan = new ClusterCrashTest.Plan(nodes, kills, rolling, seed, folder, dataOptions.from, dataOptions.to, data, market, faults.validated(seed),
          reconcileEvery, recovery);
    } catch (IllegalArgumentException e) {
      System.err.println("ordo cluster-test: " + e.getMessage());
      return 2;
    }
    Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("ordo-cluster-test-");
    Files.createDirectories(work.resolve("logs"));
    if (replayPlan != null) return new ClusterReplayTest(replayPlan, work, out).run();
    return new ClusterCrashTest(plan, work, out).run();
  }
}
