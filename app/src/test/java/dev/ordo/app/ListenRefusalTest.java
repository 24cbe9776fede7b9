package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An address that cannot be listened on is refused before anything starts, in one line: a busy
 * port (exit code 1, no stack trace unless {@code --verbose}), a host that is not this machine's
 * or does not resolve (exit code 2), for the engine and the broker simulator alike.
 */
class ListenRefusalTest {

  static final String SAMPLE = EngineFixture.SAMPLE.toString();

  @TempDir
  Path dir;

  @Test
  void aBusyHttpPortIsRefusedInOneLineWithoutAStackTrace() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      CommandRun.Result run = CommandRun.inNewJvm(List.of(), Duration.ofSeconds(60), "run", "--data", SAMPLE, "--data-dir",
          dir.resolve("state").toString(), "--http-port", Integer.toString(port));
      assertEquals(1, run.exitCode());
      assertEquals("ordo run: cannot listen on 127.0.0.1:" + port + ": the port is in use by another program; choose another --http-port "
          + "(0 picks a free one) or stop that program\n", run.err(), "one line on stderr, at the default log level");
      assertEquals("", run.out());
      assertTrue(run.took().compareTo(Duration.ofSeconds(20)) < 0, "refused at once, JVM start included: " + run.took());
      assertFalse(Files.exists(dir.resolve("state")), "nothing was started");
    }
  }

  @Test
  void withVerboseTheRefusalShowsItsTrace() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      CommandRun.Result run = CommandRun.inNewJvm(List.of(), Duration.ofSeconds(60), "run", "--verbose", "--data", SAMPLE, "--data-dir",
          dir.resolve("state").toString(), "--http-port", Integer.toString(port));
      assertEquals(1, run.exitCode());
      assertTrue(run.err().contains("Caused by: java.net.BindException: Address already in use"), run.err());
      assertTrue(run.err().endsWith("ordo run: cannot listen on 127.0.0.1:" + port + ": the port is in use by another program; choose another "
          + "--http-port (0 picks a free one) or stop that program\n"), run.err());
    }
  }

  @Test
  void aLiveEngineOnABusyPortIsRefusedTheSameWay() throws Exception {
    Path credentials = Files.writeString(dir.resolve("neo.properties"),
        "consumer-key=ck\nmobile=+919000000000\nucc=AB1\nmpin=1234\ntotp-seed=JBSWY3DPEHPK3PXP\n");
    try (ServerSocket busy = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      CommandRun.Result run = CommandRun.inThisJvm("run", "--broker", "neo", "--broker-url", "http://127.0.0.1:1", "--credentials",
          credentials.toString(), "--data-dir", dir.resolve("state").toString(), "--http-port", Integer.toString(port));
      assertEquals(1, run.exitCode());
      assertEquals("ordo run: cannot listen on 127.0.0.1:" + port + ": the port is in use by another program; choose another --http-port "
          + "(0 picks a free one) or stop that program", run.err().strip());
      assertFalse(Files.exists(dir.resolve("state")), "nothing was started");
    }
  }

  @Test
  void aBrokerThatIsDownIsRefusedAtOnceInsteadOfRetriedUntilTheLoginTimeout() throws Exception {
    Path credentials = Files.writeString(dir.resolve("neo.properties"),
        "consumer-key=ck\nmobile=+919000000000\nucc=AB1\nmpin=1234\ntotp-seed=JBSWY3DPEHPK3PXP\n");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    CommandRun.Result run = CommandRun.inThisJvm("run", "--broker", "neo", "--broker-url", "http://127.0.0.1:" + closedPort, "--credentials",
        credentials.toString(), "--data-dir", dir.resolve("state").toString(), "--http-port", "0");
    assertEquals(1, run.exitCode());
    assertEquals("ordo run: cannot reach http://127.0.0.1:" + closedPort + " (connection refused); check --broker-url and that the server is up",
        run.err().strip());
    assertTrue(run.took().compareTo(Duration.ofSeconds(10)) < 0, "refused at once: " + run.took());
    assertFalse(Files.exists(dir.resolve("state")), "nothing was started");
  }

  @Test
  void anHttpHostThatIsNotAnAddressOfThisMachineIsRefused() {
    // 192.0.2.0/24 is reserved for documentation (RFC 5737): never an address of this machine.
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-host",
        "192.0.2.1", "--http-port", "0");
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: --http-host 192.0.2.1 is not an address of this machine; give one of its addresses, e.g. 127.0.0.1 (this machine "
        + "only) or 0.0.0.0 (every interface)", run.err().strip());
    assertFalse(Files.exists(dir.resolve("state")), "nothing was started");
  }

  @Test
  void anHttpHostThatDoesNotResolveIsRefused() {
    // .invalid never resolves (RFC 2606).
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-host",
        "no-such-host.invalid", "--http-port", "0");
    assertEquals(2, run.exitCode());
    assertEquals("ordo run: --http-host no-such-host.invalid does not resolve to an address; give one of this machine's addresses, e.g. "
        + "127.0.0.1 (this machine only) or 0.0.0.0 (every interface)", run.err().strip());
  }

  @Test
  void theBrokerSimulatorOnABusyPortIsRefusedInOneLine() throws Exception {
    Path credentials = Files.writeString(dir.resolve("sim.properties"),
        "consumer-key=ck\nmobile=+919000000000\nucc=AB1\nmpin=1234\ntotp-seed=JBSWY3DPEHPK3PXP\n");
    try (ServerSocket busy = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      CommandRun.Result run = CommandRun.inThisJvm("broker-sim", "--data", SAMPLE, "--credentials", credentials.toString(), "--port",
          Integer.toString(port));
      assertEquals(1, run.exitCode());
      assertEquals("ordo broker-sim: cannot listen on 127.0.0.1:" + port + ": the port is in use by another program; choose another --port "
          + "(0 picks a free one) or stop that program", run.err().strip());
    }
  }

  @Test
  void anAddressBeyondThisMachineIsRefusedWithOnlyTheGeneratedToken() throws Exception {
    CommandRun.Result run = CommandRun.inThisJvm("run", "--data", SAMPLE, "--data-dir", dir.resolve("state").toString(), "--http-host", "0.0.0.0",
        "--http-port", "0");
    assertEquals(2, run.exitCode(), run.err());
    assertEquals("ordo run: --http-host 0.0.0.0 would open the API beyond this machine with only the generated token; configure tokens first "
        + "(ORDO_API_TOKEN, or ordo.http.tokens-file: see docs/operations.md) or bind 127.0.0.1\n", run.err());
    Path lockFile = dir.resolve("state").resolve("ordo.lock");
    if (Files.exists(lockFile)) {
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE)) {
        assertTrue(channel.tryLock() != null, "the refused start released the data directory"); // throws if this JVM still held it
      }
    }
  }
}
