package dev.ordo.app;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code ordo} command line: {@code ordo run} starts the engine, {@code ordo broker-sim} the
 * broker simulator. A command that refuses to start prints one line (what, where, what to do) and
 * exits 2 for a bad option, 1 for a bad machine ({@link StartFailure}); the trace is logged at
 * DEBUG only ({@code --verbose} or {@code ORDO_LOG_LEVEL=DEBUG}).
 */
@Command(name = "ordo", mixinStandardHelpOptions = true, version = "Ordo 0.1.0",
    description = "Actor-based trading engine on Pekko.",
    subcommands = {RunCommand.class, BacktestCommand.class, BrokerSimCommand.class, SoakCommand.class, AuditCommand.class,
        VerifyCommand.class, CrashTestCommand.class, ClusterTestCommand.class, DbCommand.class})
public final class Main implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Log at DEBUG, with the full trace of a failure (the same as ORDO_LOG_LEVEL=DEBUG).")
  void verbose(boolean on) {
    if (on && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) root.setLevel(Level.DEBUG);
  }

  private LogSetup.Format logFormat = LogSetup.Format.TEXT;
  private Path logFile;

  @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json",
      description = "Log lines as text (default) or one JSON object per line with the MDC fields (account, instrument, clientOrderId).")
  void logFormat(LogSetup.Format format) {
    logFormat = format;
    LogSetup.configure(logFormat, logFile);
  }

  @Option(names = "--log-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Log to FILE instead of stderr, rolled daily and at 100 MB into FILE.yyyy-MM-dd.N.gz (14 days, 2 GB kept).")
  void logFile(Path file) {
    Path folder = file.toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder))
      throw new CommandLine.ParameterException(spec.commandLine(), "--log-file " + file + ": its folder " + folder
          + " does not exist or cannot be written");
    if (Files.isDirectory(file)) throw new CommandLine.ParameterException(spec.commandLine(), "--log-file " + file + " is a folder");
    logFile = file;
    LogSetup.configure(logFormat, logFile);
  }

  /** The system property that sizes the JDK's common fork-join pool. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    keepCommonPoolOnSmallMachines();
    try {
      LogSetup.levels(ConfigFactory.load().getConfig("ordo.log-levels"));
    } catch (IllegalArgumentException e) {
      System.err.println("ordo: " + e.getMessage());
      System.exit(StartFailure.USAGE);
    }
    int code = commandLine().execute(args);
    if (code != 0 || !(RunCommand.keepsRunning() || BrokerSimCommand.keepsRunning())) System.exit(code);
  }

  /**
   * Gives the JDK's common pool at least two threads unless the JVM was told otherwise. With fewer
   * than three cores its parallelism is 1, and {@code CompletableFuture} then runs every async stage on
   * a new thread; the stages of Pekko's asks (Scala futures seen as {@code CompletionStage}) are all
   * async, so a replay on two cores started a thread per ask (72,000 in a minute). Must run before
   * {@code CompletableFuture} is loaded.
   */
  static void keepCommonPoolOnSmallMachines() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null)
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
  }

  /** The {@code ordo} command line, with its handling of failures (one line, exit code, trace at DEBUG). */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(Main::onFailure).setCaseInsensitiveEnumValuesAllowed(true);
  }

  private static int onFailure(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    String prefix = command.getCommandSpec().qualifiedName() + ": ";  // ordo run, ordo db start
    if (e instanceof StartFailure failure) {
      log.debug("{}{}", prefix, failure.getMessage(), failure);
      System.err.println(prefix + failure.getMessage());
      return failure.exitCode();
    }
    log.debug("{}failed", prefix, e);
    System.err.println(prefix + "failed: " + e + " (--verbose shows the trace)");
    return StartFailure.ENVIRONMENT;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: run, backtest or broker-sim");
  }
}
