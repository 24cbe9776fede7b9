package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo cluster-test}, the multi-JVM test: three nodes (child JVMs on 127.0.0.1) on one PostgreSQL journal (Debian's
 * PostgreSQL 15, started in the work folder) trade a live account against the broker simulator with every fault on; the node
 * running the account's service is killed with SIGKILL, then every node is restarted in turn. The account's service moves to
 * another node, the traders are on more than one node, and nothing is lost or doubled: no duplicate ClientOrderId, every broker
 * fill applied once, positions equal the broker's, logins single-flight cluster-wide, the journal verifies clean. The recovery
 * bound here is loose (this machine is shared); {@code bin/ordo cluster-test} checks the 10 s target.
 */
class ClusterTestCommandTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(900)
  void threeNodesLoseTheOneRunningTheServiceAndRestartInTurnWithNothingLostOrDoubled() throws Exception {
    // run as root, PostgreSQL runs as the user ordo-db, which must be able to enter the folders above its own
    java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    CommandRun.Result result = CommandRun.inThisJvm("cluster-test", "--nodes", "3", "--kills", "1", "--rolling", "--duration", "90s",
        "--max-recovery", "60s", "--seed", "3", "--data", EngineFixture.SAMPLE.toString(), "--work-dir", dir.resolve("work").toString());
    String out = result.out();
    assertEquals(0, result.exitCode(), out + result.err());
    Matcher kill = Pattern.compile("(?m)^cluster-test: kill 1/1 of node (\\d) \\(ran the service\\): the service ran on (\\S+) after [0-9.]+ s$")
        .matcher(out);
    assertTrue(kill.find(), out);
    assertTrue(!kill.group(2).isEmpty(), out);
    assertEquals(3, Pattern.compile("(?m)^cluster-test: rolling restart: node \\d").matcher(out).results().count(), out);
    for (String check : new String[] {"no duplicate ClientOrderId at the broker", "every broker fill applied exactly once",
        "engine positions equal the broker's", "the broker's orders are the engine's journaled orders, one per ClientOrderId", "verify: ",
        "the nodes' logins (", "after each kill the service ran on another node within 60.0 s", "symbol traders on more than one node"})
      assertTrue(out.contains("  PASS " + check), check + "\n" + out);
    assertTrue(out.strip().endsWith("cluster-test PASSED"), out);
  }

  @Test
  void badOptionsExit2BeforeAnythingRuns() throws Exception {
    CommandRun.Result one = CommandRun.inThisJvm("cluster-test", "--nodes", "1", "--data", EngineFixture.SAMPLE.toString());
    assertEquals(2, one.exitCode());
    assertEquals("ordo cluster-test: --nodes must be at least 2, got 1", one.err().strip());
    CommandRun.Result duration = CommandRun.inThisJvm("cluster-test", "--duration", "soon", "--data", EngineFixture.SAMPLE.toString());
    assertEquals(2, duration.exitCode());
    assertTrue(duration.err().startsWith("ordo cluster-test: --duration"), duration.err());
  }
}
