package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/ordo} without a Java 17 refuses in one line with exit code 1, before building or starting anything. */
class LauncherTest {

  static final Path LAUNCHER = Path.of("..", "bin", "ordo").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  @Test
  void withoutJavaOnThePathItSaysSo() throws Exception {
    Path emptyPath = Files.createDirectories(dir.resolve("bin"));
    CommandRun.Result run = launch(emptyPath);
    assertEquals(1, run.exitCode());
    assertEquals("ordo: java not found on PATH; install a JDK 17 or newer (see the README) and put it on PATH or set JAVA_HOME\n", run.err());
    assertEquals("", run.out());
  }

  @Test
  void aJava11IsRefusedWithItsVersion() throws Exception {
    Path bin = fakeJava("openjdk version \"11.0.22\" 2024-01-16");
    CommandRun.Result run = launch(bin);
    assertEquals(1, run.exitCode());
    assertEquals("ordo: Java 17 or newer is needed, " + bin.resolve("java") + " is 11.0.22; install a JDK 17 (see the README) and put it "
        + "first on PATH or set JAVA_HOME\n", run.err());
  }

  @Test
  void aJava8IsRefusedWithItsVersion() throws Exception {
    Path bin = fakeJava("java version \"1.8.0_402\"");
    CommandRun.Result run = launch(bin);
    assertEquals(1, run.exitCode());
    assertEquals("ordo: Java 17 or newer is needed, " + bin.resolve("java") + " is 1.8.0_402; install a JDK 17 (see the README) and put it "
        + "first on PATH or set JAVA_HOME\n", run.err());
  }

  /** A {@code java} that prints {@code versionLine} to stderr, as {@code java -version} does, and would fail the start if run further. */
  private Path fakeJava(String versionLine) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho '" + versionLine + "' >&2\n[ \"$1\" = -version ] || exit 97\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  /** {@code bin/ordo run} with only {@code path} on PATH and no JAVA_HOME. */
  private CommandRun.Result launch(Path path) throws Exception {
    ProcessBuilder launcher = new ProcessBuilder("/bin/bash", LAUNCHER.toString(), "run");
    launcher.environment().remove("JAVA_HOME");
    launcher.environment().put("PATH", path.toString());
    return CommandRun.waitFor(launcher, Duration.ofSeconds(30));
  }
}
