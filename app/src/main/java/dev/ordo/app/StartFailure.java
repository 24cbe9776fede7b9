package dev.ordo.app;

/**
 * Why a command refused to start: one line for the operator (what is wrong, where, what to do)
 * and the process exit code. The command line prints the message alone; the cause's trace is
 * logged at DEBUG ({@code --verbose} or {@code ORDO_LOG_LEVEL=DEBUG}).
 */
public final class StartFailure extends Exception {

  /** Exit code of a refusal caused by the command line: an option names something that cannot work. */
  public static final int USAGE = 2;
  /** Exit code of a refusal caused by the machine: a folder in use or not writable, a busy port, a database down. */
  public static final int ENVIRONMENT = 1;

  private final int exitCode;

  private StartFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A refusal because of an option's value (exit code {@value #USAGE}). */
  public static StartFailure usage(String message) {
    return new StartFailure(USAGE, message, null);
  }

  /** A refusal because of the machine (exit code {@value #ENVIRONMENT}); {@code cause} may be null. */
  public static StartFailure environment(String message, Throwable cause) {
    return new StartFailure(ENVIRONMENT, message, cause);
  }

  /** {@value #USAGE} or {@value #ENVIRONMENT}. */
  public int exitCode() {
    return exitCode;
  }
}
