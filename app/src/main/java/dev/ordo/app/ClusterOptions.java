package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The cluster options of {@code run}: without them a single-node cluster (the node joins itself); with {@code --cluster-port} and
 * {@code --cluster-seed} the node joins the cluster of its seed nodes (static seeds: Pekko's contact-point discovery is not used)
 * over Artery TCP on {@code --cluster-host:--cluster-port}. A replay (paper accounts) is driven from the first seed's node
 * ({@link #REPLAY_DRIVER_ROLE}); the others host its entities. The nodes of a cluster share one PostgreSQL journal ({@code --journal});
 * docs/operations.md "Several machines" explains the settings and the downing strategy.
 */
final class ClusterOptions {

  @Option(names = "--cluster-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address this node's cluster port binds to and others reach it at (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--cluster-port", paramLabel = "PORT",
      description = "This node's cluster port (Artery TCP). With --cluster-seed: the node joins that cluster.")
  Integer port;

  @Option(names = "--cluster-seed", split = ",", paramLabel = "HOST:PORT",
      description = "The cluster's seed nodes (the same list on every node; the first one listed forms the cluster when it is alone).")
  List<String> seeds;

  @Option(names = "--cluster-min-nodes", paramLabel = "N", defaultValue = "1",
      description = "The nodes that must have joined before any is Up (and a replay starts) (default ${DEFAULT-VALUE}): a replay's "
          + "entities then spread over all of them from its first bar.")
  int minNodes = 1;

  /**
   * The role of the node that drives a replay in a cluster (its paper venues, services and replay drivers): the one whose
   * {@code --cluster-host:--cluster-port} is the first of {@code --cluster-seed}, so exactly one node of the cluster has it.
   */
  static final String REPLAY_DRIVER_ROLE = "replay-driver";

  /** Whether these options make the node one of a cluster of several. */
  boolean clustered() {
    return port != null || (seeds != null && !seeds.isEmpty());
  }

  /**
   * {@code config} with these options over it (unchanged without them).
   *
   * @throws StartFailure {@link StartFailure#USAGE} naming the option: a port out of range, a seed that is not HOST:PORT, seeds
   *     without a port or a port without seeds, a cluster on the data directory's own H2 journal
   */
  Config over(Config config) throws StartFailure {
    if (!clustered()) return config;
    if (port == null) throw StartFailure.usage("--cluster-seed needs --cluster-port (this node's own port)");
    if (seeds == null || seeds.isEmpty())
      throw StartFailure.usage("--cluster-port needs --cluster-seed HOST:PORT,... (the same seed list on every node, this node's own address may be one)");
    if (port < 1 || port > 65535) throw StartFailure.usage("--cluster-port must be 1..65535, got " + port);
    if (host == null || host.isBlank()) throw StartFailure.usage("--cluster-host must not be empty");
    if (minNodes < 1) throw StartFailure.usage("--cluster-min-nodes must be 1 or more, got " + minNodes);
    List<String> seedNodes = new ArrayList<>();
    for (String seed : seeds) seedNodes.add(seedAddress(seed.strip()));
    List<String> roles = seeds.get(0).strip().equals(host + ":" + port) ? List.of(REPLAY_DRIVER_ROLE) : List.of();
    if (!"postgres".equalsIgnoreCase(config.getString("ordo.persistence.kind")))
      throw StartFailure.usage("a cluster's nodes share one journal: give --journal postgres://USER@HOST:PORT/DB (bin/ordo db start); "
          + "the embedded H2 journal belongs to one data directory");
    return ConfigFactory.empty()
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
        .withValue("pekko.cluster.min-nr-of-members", ConfigValueFactory.fromAnyRef(minNodes))
        .withFallback(config);
  }

  /**
   * The Pekko address of seed {@code hostPort}: {@code pekko://ordo@HOST:PORT} (every node's actor system is named {@code ordo}).
   *
   * @throws StartFailure when it is not HOST:PORT with a port 1..65535
   */
  static String seedAddress(String hostPort) throws StartFailure {
    int colon = hostPort.lastIndexOf(':');
    String problem = null;
    if (colon <= 0 || colon == hostPort.length() - 1) problem = "not HOST:PORT";
    else {
      try {
        int seedPort = Integer.parseInt(hostPort.substring(colon + 1));
        if (seedPort < 1 || seedPort > 65535) problem = "port " + seedPort + " is not 1..65535";
      } catch (NumberFormatException e) {
        problem = "port '" + hostPort.substring(colon + 1) + "' is not a number";
      }
    }
    if (problem != null) throw StartFailure.usage("--cluster-seed '" + hostPort + "': " + problem + " (e.g. 127.0.0.1:25520)");
    return "pekko://ordo@" + hostPort;
  }
}
