package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code ordo} command line for tests: in this JVM through {@link Main#commandLine()}
 * (its failure handling included), or in a new JVM on the test classpath, as {@code bin/ordo} does.
 */
final class CommandRun {

  /** What a run printed and returned, and how long it took. */
  record Result(int exitCode, String out, String err, Duration took) {}

  private CommandRun() {}

  /** Runs {@code ordo args} in this JVM, System.out and System.err captured. */
  static Result inThisJvm(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBuffer = new ByteArrayOutputStream();
    ByteArrayOutputStream errBuffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBuffer, true));
    System.setErr(new PrintStream(errBuffer, true));
    long start = System.nanoTime();
    int code;
    try {
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Result(code, outBuffer.toString(), errBuffer.toString(), Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * Starts {@code ordo args} in a new JVM with the production logging ({@code logback.xml}: INFO to
   * stderr), not the tests' {@code logback-test.xml}.
   */
  static ProcessBuilder newJvm(List<String> jvmOptions, String... args) {
    List<String> options = new ArrayList<>(List.of("-Xmx256m", "-Dlogback.configurationFile=logback.xml"));
    options.addAll(jvmOptions);
    return ChildJvm.ordo(options, List.of(args));
  }

  /** Runs {@code ordo args} in a new JVM and waits for it to exit, at most {@code limit} (else the test fails). */
  static Result inNewJvm(List<String> jvmOptions, Duration limit, String... args) throws IOException, InterruptedException {
    return waitFor(newJvm(jvmOptions, args), limit);
  }

  /** Runs {@code process} to its end, at most {@code limit} (else it is killed and the test fails), output captured. */
  static Result waitFor(ProcessBuilder process, Duration limit) throws IOException, InterruptedException {
    Path out = Files.createTempFile("ordo-test-out", ".txt");
    Path err = Files.createTempFile("ordo-test-err", ".txt");
    try {
      long start = System.nanoTime();
      Process running = process.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!running.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        running.destroyForcibly().waitFor();
        fail(process.command() + " did not exit within " + limit + "; stderr: " + Files.readString(err));
      }
      return new Result(running.exitValue(), Files.readString(out), Files.readString(err), Duration.ofNanos(System.nanoTime() - start));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
