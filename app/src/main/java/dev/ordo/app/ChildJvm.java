package dev.ordo.app;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts an {@code ordo} command in a new JVM, as {@code bin/ordo} would: this JVM's {@code java},
 * its class path (the {@code ordo.jar} under {@code bin/ordo}, the test class path under Maven) and
 * {@link Main} as the entry point. Used by {@code ordo crash-test} for the engine it kills (and the
 * simulator it runs against), and by the tests that kill an engine.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * The process builder of {@code ordo args} in a new JVM (not started).
   *
   * @param jvmOptions options before the class path, e.g. {@code -Xmx256m}, {@code -Dordo.home=...}
   * @param args       the command line of {@code ordo}, e.g. {@code run --data ...}
   */
  public static ProcessBuilder ordo(List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  /**
   * The options this JVM was started with that a child should have too: the heap and other
   * {@code -X} settings ({@code ORDO_JAVA_OPTS}) and the system properties given on the command line
   * ({@code -Dordo.home}, {@code -Dconfig.file}, ...). Agents and debugger options are not passed on.
   */
  public static List<String> inheritedOptions() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(o -> (o.startsWith("-X") && !o.startsWith("-Xrunjdwp") && !o.startsWith("-Xdebug")) || o.startsWith("-D"))
        .toList();
  }
}
