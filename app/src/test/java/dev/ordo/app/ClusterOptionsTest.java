package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code run}'s cluster options: what they set, and each bad combination refused naming the option. */
class ClusterOptionsTest {

  static final Config H2 = ConfigFactory.load();
  static final Config POSTGRES = ConfigFactory.parseString("ordo.persistence.kind = postgres").withFallback(H2);

  static ClusterOptions options(Integer port, String... seeds) {
    ClusterOptions options = new ClusterOptions();
    options.host = "127.0.0.1";
    options.port = port;
    options.seeds = seeds.length == 0 ? null : List.of(seeds);
    return options;
  }

  @Test
  void withoutThemTheConfigIsUnchangedASingleNode() throws Exception {
    assertSame(H2, options(null).over(H2));
  }

  @Test
  void theySetTheNodesAddressAndTheSeedNodes() throws Exception {
    Config config = options(25521, "127.0.0.1:25521", "10.0.0.2:25522").over(POSTGRES);
    assertEquals("127.0.0.1", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(List.of("pekko://ordo@127.0.0.1:25521", "pekko://ordo@10.0.0.2:25522"), config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
  }

  @Test
  void theFirstSeedsNodeAloneDrivesAReplay_andMinNodesHoldsEveryNodeUntilAllJoined() throws Exception {
    ClusterOptions first = options(25521, "127.0.0.1:25521", "127.0.0.1:25522");
    first.minNodes = 2;
    Config driving = first.over(POSTGRES);
    assertEquals(List.of(ClusterOptions.REPLAY_DRIVER_ROLE), driving.getStringList("pekko.cluster.roles"));
    assertEquals(2, driving.getInt("pekko.cluster.min-nr-of-members"));
    Config other = options(25522, "127.0.0.1:25521", "127.0.0.1:25522").over(POSTGRES);
    assertEquals(List.of(), other.getStringList("pekko.cluster.roles"));
    assertEquals(1, other.getInt("pekko.cluster.min-nr-of-members"));
    ClusterOptions none = options(25521, "127.0.0.1:25521");
    none.minNodes = 0;
    assertEquals("--cluster-min-nodes must be 1 or more, got 0", assertThrows(StartFailure.class, () -> none.over(POSTGRES)).getMessage());
  }

  @Test
  void badCombinationsAreRefusedNamingTheOption() {
    assertEquals("--cluster-seed needs --cluster-port (this node's own port)",
        assertThrows(StartFailure.class, () -> options(null, "127.0.0.1:25521").over(POSTGRES)).getMessage());
    assertEquals("--cluster-port needs --cluster-seed HOST:PORT,... (the same seed list on every node, this node's own address may be one)",
        assertThrows(StartFailure.class, () -> options(25521).over(POSTGRES)).getMessage());
    assertEquals("--cluster-port must be 1..65535, got 70000",
        assertThrows(StartFailure.class, () -> options(70000, "127.0.0.1:25521").over(POSTGRES)).getMessage());
    assertEquals("--cluster-seed '127.0.0.1': not HOST:PORT (e.g. 127.0.0.1:25520)",
        assertThrows(StartFailure.class, () -> options(25521, "127.0.0.1").over(POSTGRES)).getMessage());
    assertEquals("--cluster-seed 'host:x1': port 'x1' is not a number (e.g. 127.0.0.1:25520)",
        assertThrows(StartFailure.class, () -> options(25521, "host:x1").over(POSTGRES)).getMessage());
    StartFailure h2 = assertThrows(StartFailure.class, () -> options(25521, "127.0.0.1:25521").over(H2));
    assertEquals("a cluster's nodes share one journal: give --journal postgres://USER@HOST:PORT/DB (bin/ordo db start); "
        + "the embedded H2 journal belongs to one data directory", h2.getMessage());
    assertEquals(StartFailure.USAGE, h2.exitCode());
  }
}
