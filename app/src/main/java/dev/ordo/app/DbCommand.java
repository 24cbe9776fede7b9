package dev.ordo.app;

import dev.ordo.persistence.LocalPostgres;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ordo db start|stop|status}: the journal's PostgreSQL 15 server in a folder ({@link LocalPostgres}). Exit codes: 0 done
 * (status: running), 3 status: not running, 1 the machine refused (PostgreSQL not installed, port in use, ...), 2 a bad option.
 */
@Command(name = "db", mixinStandardHelpOptions = true,
    description = {"Run PostgreSQL 15 (Debian's postgresql package) in a folder for the journal, on 127.0.0.1; "
        + "then give bin/ordo run the --journal and --journal-password-file it prints.",
        "  ordo db start [--dir DIR] [--port N]   create (the first time) and start; prints the --journal URL",
        "  ordo db stop [--dir DIR]               stop it (fast shutdown: every commit kept)",
        "  ordo db status [--dir DIR]             exit 0 when it runs, 3 when not"},
    subcommands = {DbCommand.Start.class, DbCommand.Stop.class, DbCommand.Status.class})
final class DbCommand implements Runnable {

  /** The exit code of {@code status} when no server runs in the folder (as {@code pg_ctl status}). */
  static final int NOT_RUNNING = 3;

  @Option(names = "--dir", defaultValue = "ordo-db", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "The server's folder (default ${DEFAULT-VALUE}): cluster, log, password file.")
  Path dir;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: start, stop or status");
  }

  private LocalPostgres server() {
    return LocalPostgres.inFolder(dir);
  }

  /** {@code ordo db start}. */
  @Command(name = "start", mixinStandardHelpOptions = true, description = "Create (the first time) and start the server; print the --journal URL.")
  static final class Start implements Callable<Integer> {
    @ParentCommand
    DbCommand db;

    @Option(names = "--port", paramLabel = "N",
        description = "TCP port on 127.0.0.1 (default: the last start's, else " + LocalPostgres.DEFAULT_PORT + ").")
    Integer port;

    @Override
    public Integer call() throws StartFailure {
      LocalPostgres.Running running;
      try {
        running = db.server().start(port);
      } catch (LocalPostgres.DbException e) {
        throw StartFailure.environment(e.getMessage(), e);
      }
      PrintStream out = System.out;
      out.printf("PostgreSQL %s in %s on 127.0.0.1:%d%n", running.wasRunning() ? "already running" : "started", running.dir(), running.port());
      if (port != null && running.wasRunning() && port != running.port())
        out.printf("(not on --port %d: stop it first to move it)%n", port);
      out.printf("Password of role %s in %s (owner-only)%n", LocalPostgres.ROLE, running.passwordFile());
      out.printf("JDBC URL: %s%n", running.jdbcUrl());
      out.printf("Journal: bin/ordo run --journal %s --journal-password-file %s ...%n", running.journalUrl(), running.passwordFile());
      out.flush();
      return 0;
    }
  }

  /** {@code ordo db stop}. */
  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the server (fast shutdown: every commit kept).")
  static final class Stop implements Callable<Integer> {
    @ParentCommand
    DbCommand db;

    @Override
    public Integer call() throws StartFailure {
      try {
        boolean stopped = db.server().stop();
        System.out.println(stopped ? "PostgreSQL in " + db.server().dir() + " stopped" : "PostgreSQL in " + db.server().dir() + " was not running");
        return 0;
      } catch (LocalPostgres.DbException e) {
        throw StartFailure.environment(e.getMessage(), e);
      }
    }
  }

  /** {@code ordo db status}. */
  @Command(name = "status", mixinStandardHelpOptions = true, description = "Say whether the server runs: exit 0 when it does, 3 when not.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    DbCommand db;

    @Override
    public Integer call() throws StartFailure {
      try {
        Optional<Integer> port = db.server().runningPort();
        if (port.isEmpty()) {
          System.out.println("PostgreSQL in " + db.server().dir() + " is not running");
          return NOT_RUNNING;
        }
        LocalPostgres.Running running = new LocalPostgres.Running(db.server().dir(), port.get(), db.server().dir().resolve("password"), true);
        System.out.printf("PostgreSQL in %s is running on 127.0.0.1:%d (--journal %s)%n", running.dir(), running.port(), running.journalUrl());
        return 0;
      } catch (LocalPostgres.DbException e) {
        throw StartFailure.environment(e.getMessage(), e);
      }
    }
  }
}
