package dev.ordo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one {@code ordo} command through the launcher users run, {@code bin/ordo} (with its JVM defaults; it {@code exec}s
 * the JVM, so the process measured is the JVM), and measures it from outside: wall time, peak resident memory (the
 * kernel's high-water mark {@code VmHWM}, read from {@code /proc/<pid>/status} every 20 ms until the process ends) and
 * peak heap (the largest heap in use before a collection, from the child's GC log, {@code -Xlog:gc}).
 */
final class ChildRun {

  /** A GC log line's "before->after(committed)" sizes (the serial collector's and G1's), e.g. {@code 24M->3M(256M)}. */
  private static final Pattern GC_SIZES = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  /**
   * What a run measured.
   *
   * @param wallSeconds from start to exit
   * @param peakRssBytes the process's peak resident set (0 when /proc could not be read)
   * @param peakHeapBytes the largest heap in use before a collection (0 when no collection ran)
   * @param output      what it printed (stdout and stderr)
   */
  record Measured(double wallSeconds, long peakRssBytes, long peakHeapBytes, String output) {}

  private ChildRun() {}

  /**
   * Runs {@code ordo args} with {@code jvmOptions} in a child JVM, its output to {@code work/name.log}.
   *
   * @throws IllegalStateException when it exits with a non-zero status (the log's tail in the message)
   */
  static Measured ordo(Path work, String name, List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
    Files.createDirectories(work);
    Path log = work.resolve(name + ".log");
    Path gcLog = work.resolve(name + ".gc.log");
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Xlog:gc:file=" + gcLog);
    List<String> command = new ArrayList<>();
    command.add(Path.of("bin", "ordo").toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // the options as a user gives them (split on spaces by the launcher: bench paths have none); the launcher adds its defaults
    builder.environment().put("ORDO_JAVA_OPTS", String.join(" ", options));
    long start = System.nanoTime();
    Process process = builder.start();
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    long peakRss = 0;
    while (!process.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS)) peakRss = Math.max(peakRss, highWaterMark(status));
    double wall = (System.nanoTime() - start) / 1e9;
    String output = Files.readString(log);
    if (process.exitValue() != 0) {
      String[] lines = output.split("\n");
      throw new IllegalStateException("ordo " + String.join(" ", args) + " exited with " + process.exitValue() + "; its log " + log + " ends: "
          + String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 8), lines.length)));
    }
    return new Measured(wall, peakRss, peakHeap(gcLog), output);
  }

  /** {@code VmHWM} of a status file in bytes, 0 when it cannot be read (the process ended). */
  static long highWaterMark(Path status) {
    try {
      for (String line : Files.readAllLines(status))
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** The largest "before" heap of a GC log, in bytes (0 for none). */
  static long peakHeap(Path gcLog) throws IOException {
    if (!Files.exists(gcLog)) return 0;
    long peak = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_SIZES.matcher(line);
      if (m.find()) peak = Math.max(peak, bytes(m.group(1), m.group(2)));
    }
    return peak;
  }

  private static long bytes(String number, String unit) {
    long n = Long.parseLong(number);
    return switch (unit) {
      case "K" -> n * 1024;
      case "M" -> n * 1024 * 1024;
      default -> n * 1024 * 1024 * 1024;
    };
  }
}
