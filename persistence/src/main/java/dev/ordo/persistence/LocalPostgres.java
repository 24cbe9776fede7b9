package dev.ordo.persistence;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 server of Debian's packages ({@code /usr/lib/postgresql/15/bin}) run in a folder of its own, for the journal:
 * {@code ordo db start|stop|status} and the persistence tests. It listens on 127.0.0.1 only, with its Unix socket in the folder.
 * As root it runs as the system user {@value #SERVER_USER} (created when missing; {@code initdb} refuses root), else as the
 * calling user. The folder holds:
 * <ul>
 *   <li>{@code pgdata/}: the cluster ({@code initdb}), the server's user's only;
 *   <li>{@code server.log}: the server's log;
 *   <li>{@code password}: the password of the role {@value #ROLE}, generated at the first start, owner-only (the calling user);
 *   <li>{@code ordo-db.properties}: written once the role and the database {@value #DATABASE} exist, with the last port.
 * </ul>
 * The superuser {@code postgres} logs in only over the folder's socket (trust, the folder being the server user's only), the
 * role {@value #ROLE} over TCP with its password (scram-sha-256).
 */
public final class LocalPostgres {

  /** Where Debian's {@code postgresql-15} package puts the server's programs. */
  public static final Path DEBIAN_BIN = Path.of("/usr/lib/postgresql/15/bin");
  /** The system user that runs the server when {@code ordo db} runs as root. */
  public static final String SERVER_USER = "ordo-db";
  /** The journal's database and the role that owns it. */
  public static final String DATABASE = "ordo";
  public static final String ROLE = "ordo";
  /** The default port: not PostgreSQL's 5432, so as not to clash with a system server. */
  public static final int DEFAULT_PORT = 5433;

  private static final String MARKER = "ordo-db.properties";
  private static final int MAX_SOCKET_PATH = 107;

  /** Why the server cannot be started, stopped or asked: one line saying what, where and what to do. */
  public static final class DbException extends Exception {
    DbException(String message) {
      super(message);
    }

    DbException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A running server.
   *
   * @param dir          the folder
   * @param port         its TCP port on 127.0.0.1
   * @param passwordFile the file holding the password of {@link #ROLE}
   * @param wasRunning   true when {@link #start} found it running already (and left it so)
   */
  public record Running(Path dir, int port, Path passwordFile, boolean wasRunning) {
    /** The JDBC URL of the journal's database: {@code jdbc:postgresql://127.0.0.1:PORT/ordo}. */
    public String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The value for {@code --journal}: {@code postgres://ordo@127.0.0.1:PORT/ordo}. */
    public String journalUrl() {
      return "postgres://" + ROLE + "@127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The role's password, read from {@link #passwordFile}. */
    public String password() throws IOException {
      return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    }
  }

  private final Path bin;
  private final Path dir;

  /** The server of {@code dir}, with the programs of {@code bin} (normally {@link #DEBIAN_BIN}). */
  public LocalPostgres(Path bin, Path dir) {
    this.bin = bin;
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** The server of {@code dir} with Debian's PostgreSQL 15. */
  public static LocalPostgres inFolder(Path dir) {
    return new LocalPostgres(DEBIAN_BIN, dir);
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /**
   * Starts the server on 127.0.0.1:{@code port} (null: the port of the last start, else {@link #DEFAULT_PORT}), creating the
   * folder, the cluster, the role {@link #ROLE} with a generated password and the database {@link #DATABASE} the first time.
   * A server already running in the folder is left as it is.
   *
   * @throws DbException PostgreSQL 15 is not installed, the folder is another cluster's or holds other files, the port is in
   *     use, the server user cannot reach the folder, or a program failed (with the end of its output)
   */
  public Running start(Integer port) throws DbException {
    checkInstalled();
    Properties marker = marker();
    Optional<Integer> running = runningPort();
    if (running.isPresent()) return new Running(dir, running.get(), dir.resolve("password"), true);
    int chosen = port != null ? port : marker.containsKey("port") ? Integer.parseInt(marker.getProperty("port")) : DEFAULT_PORT;
    if (chosen < 1 || chosen > 65535) throw new DbException("--port must be 1..65535, got " + chosen);
    checkFolder();
    String socket = dir + "/.s.PGSQL." + chosen;
    if (socket.length() > MAX_SOCKET_PATH)
      throw new DbException("the folder " + dir + " has too long a path for PostgreSQL's socket (" + socket.length() + " > " + MAX_SOCKET_PATH
          + " characters); choose a shorter --dir");
    checkPortFree(chosen);
    boolean root = isRoot();
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path password = dir.resolve("password");
      if (!Files.exists(password)) writeOwnerOnly(password, generatedPassword());
      if (root) {
        ensureServerUser();
        checkReachable();
        Files.setOwner(dir, serverUser());
      }
      Path pgdata = dir.resolve("pgdata");
      if (!Files.exists(pgdata.resolve("PG_VERSION"))) initdb(pgdata, root);
      run(root, 60, bin.resolve("pg_ctl").toString(), "-D", pgdata.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "30",
          "-o", "-p " + chosen, "start");
      if (!marker.containsKey("database")) createRoleAndDatabase(root, chosen, Files.readString(password, StandardCharsets.UTF_8).strip());
      Properties written = new Properties();
      written.setProperty("database", DATABASE);
      written.setProperty("role", ROLE);
      written.setProperty("port", Integer.toString(chosen));
      try (OutputStream out = Files.newOutputStream(dir.resolve(MARKER))) {
        written.store(out, "ordo db: the folder's PostgreSQL server");
      }
      return new Running(dir, chosen, password, false);
    } catch (IOException e) {
      throw new DbException("cannot prepare the database folder " + dir + ": " + e, e);
    }
  }

  /**
   * Stops the server of the folder (fast shutdown: open sessions are ended, every commit is kept).
   *
   * @return false when it was not running
   * @throws DbException when pg_ctl fails
   */
  public boolean stop() throws DbException {
    checkInstalled();
    if (runningPort().isEmpty()) return false;
    run(isRoot(), 60, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pgdata").toString(), "-m", "fast", "-w", "-t", "30", "stop");
    return true;
  }

  /**
   * The port of the server running in the folder, empty when none runs (read from its {@code postmaster.pid}, checked with
   * {@code pg_ctl status}).
   */
  public Optional<Integer> runningPort() throws DbException {
    checkInstalled();
    Path pgdata = dir.resolve("pgdata");
    Path pid = pgdata.resolve("postmaster.pid");
    if (!Files.exists(pid)) return Optional.empty();
    Result status = exec(isRoot(), 30, null, bin.resolve("pg_ctl").toString(), "-D", pgdata.toString(), "status");
    if (status.code() != 0) return Optional.empty();
    try {
      List<String> lines = Files.readAllLines(pid);
      return Optional.of(Integer.parseInt(lines.get(3).strip()));
    } catch (IOException | RuntimeException e) {
      throw new DbException("the server of " + dir + " runs but its " + pid + " cannot be read: " + e, e);
    }
  }

  private void checkInstalled() throws DbException {
    for (String program : List.of("initdb", "pg_ctl", "psql")) {
      if (!Files.isExecutable(bin.resolve(program)))
        throw new DbException("PostgreSQL 15 is not installed (" + bin.resolve(program) + " is missing); install it with "
            + "'apt-get install postgresql' (Debian 12: PostgreSQL 15)");
    }
  }

  private Properties marker() throws DbException {
    Properties properties = new Properties();
    Path file = dir.resolve(MARKER);
    if (Files.exists(file)) {
      try (var in = Files.newInputStream(file)) {
        properties.load(in);
      } catch (IOException e) {
        throw new DbException("cannot read " + file + ": " + e, e);
      }
    }
    return properties;
  }

  /** The folder is new, empty, or one of {@code ordo db}'s of PostgreSQL 15. */
  private void checkFolder() throws DbException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) throw new DbException(dir + " is a file; give --dir a folder");
    if (!Files.isDirectory(dir)) return;
    if (Files.exists(dir.resolve("PG_VERSION")))
      throw new DbException(dir + " is the data folder of another PostgreSQL cluster (it holds PG_VERSION); give --dir a new folder, "
          + "ordo db keeps its cluster in DIR/pgdata");
    Path version = dir.resolve("pgdata").resolve("PG_VERSION");
    if (Files.exists(version)) {
      String major;
      try {
        major = Files.readString(version).strip();
      } catch (IOException e) {
        throw new DbException("cannot read " + version + ": " + e, e);
      }
      if (!major.equals("15"))
        throw new DbException(dir + " holds a PostgreSQL " + major + " cluster, not 15; give --dir another folder");
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> other = entries.map(p -> p.getFileName().toString())
          .filter(name -> !name.equals("password") && !name.equals("pgdata") && !name.equals("server.log")).sorted().toList();
      if (!other.isEmpty())
        throw new DbException(dir + " is not an ordo db folder (it holds " + String.join(", ", other.subList(0, Math.min(3, other.size())))
            + (other.size() > 3 ? ", ..." : "") + "); give --dir a new or empty folder");
    } catch (IOException e) {
      throw new DbException("cannot read the folder " + dir + ": " + e, e);
    }
  }

  private static void checkPortFree(int port) throws DbException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (BindException e) {
      throw new DbException("port " + port + " on 127.0.0.1 is in use by another program; choose another --port "
          + "(ss -ltnp 'sport = :" + port + "' shows who has it)", e);
    } catch (IOException e) {
      throw new DbException("cannot check port " + port + " on 127.0.0.1: " + e, e);
    }
  }

  /** The server user must be able to enter every folder above {@link #dir} (as root the folder is chowned to it). */
  private void checkReachable() throws DbException {
    for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
      try {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
        if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE))
          throw new DbException("the server's user " + SERVER_USER + " cannot enter " + parent + " (" + PosixFilePermissions.toString(permissions)
              + "), a folder above " + dir + "; choose a --dir it can reach, or chmod o+x " + parent);
      } catch (IOException e) {
        throw new DbException("cannot read the permissions of " + parent + ": " + e, e);
      }
    }
  }

  private void initdb(Path pgdata, boolean root) throws DbException, IOException {
    Files.createDirectories(pgdata);
    Files.setPosixFilePermissions(pgdata, PosixFilePermissions.fromString("rwx------"));
    if (root) Files.setOwner(pgdata, serverUser());
    run(root, 120, bin.resolve("initdb").toString(), "-D", pgdata.toString(), "--username=postgres", "--auth-local=trust",
        "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions");
    // loopback only, the socket in the folder (the server user's only), the port given at each start (pg_ctl -o -p)
    Files.writeString(pgdata.resolve("postgresql.conf"), "\n# ordo db\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + dir
        + "'\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
  }

  private void createRoleAndDatabase(boolean root, int port, String password) throws DbException {
    // the password only on psql's standard input, never in a command line; the generated password holds letters and digits only
    String sql = "SELECT 'CREATE ROLE " + ROLE + " LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "')\\gexec\n"
        + "ALTER ROLE " + ROLE + " PASSWORD '" + password + "';\n"
        + "SELECT 'CREATE DATABASE " + DATABASE + " OWNER " + ROLE + "' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '"
        + DATABASE + "')\\gexec\n";
    Result result = exec(root, 60, sql, bin.resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", dir.toString(), "-p",
        Integer.toString(port), "-U", "postgres", "-d", "postgres");
    if (result.code() != 0) throw new DbException("creating the role " + ROLE + " and the database " + DATABASE + " failed: " + result.output());
  }

  private static String generatedPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder password = new StringBuilder();
    for (int i = 0; i < 32; i++) password.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return password.toString();
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException raced) {
      return;
    }
    Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
  }

  private static boolean isRoot() throws DbException {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      throw new DbException("cannot tell this process's user (" + e + "); ordo db runs on Linux", e);
    }
  }

  private static UserPrincipal serverUser() throws IOException {
    return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
  }

  private void ensureServerUser() throws DbException {
    if (exec(false, 10, null, "id", "-u", SERVER_USER).code() == 0) return;
    Result created = exec(false, 30, null, "useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
        "/usr/sbin/nologin", SERVER_USER);
    if (created.code() != 0)
      throw new DbException("cannot create the system user " + SERVER_USER + " that runs PostgreSQL (initdb refuses root): " + created.output());
  }

  private void run(boolean root, int seconds, String... command) throws DbException {
    Result result = exec(root, seconds, null, command);
    if (result.code() != 0) {
      String log = "";
      Path serverLog = dir.resolve("server.log");
      try {
        if (Files.exists(serverLog)) {
          List<String> lines = Files.readAllLines(serverLog);
          log = "; the end of " + serverLog + ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
      } catch (IOException ignored) {
        // the program's own output is given all the same
      }
      throw new DbException(Path.of(command[0]).getFileName() + " " + command[command.length - 1] + " failed (exit " + result.code() + "): "
          + result.output() + log);
    }
  }

  private record Result(int code, String output) {}

  /** Runs {@code command} (as {@link #SERVER_USER} when {@code root}) in the folder, {@code input} on its standard input. */
  private Result exec(boolean root, int seconds, String input, String... command) throws DbException {
    List<String> full = new ArrayList<>();
    if (root) full.addAll(List.of("runuser", "-u", SERVER_USER, "--"));
    full.addAll(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
    if (Files.isDirectory(dir)) builder.directory(dir.toFile());
    builder.environment().put("LC_ALL", "C.UTF-8");
    try {
      Process process = builder.start();
      try (OutputStream stdin = process.getOutputStream()) {
        if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      // pg_ctl start leaves the server holding no pipe of ours (its output goes to server.log), so reading to the end returns
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new DbException(String.join(" ", command) + " did not finish within " + seconds + " s");
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip().replace('\n', ' '));
    } catch (IOException e) {
      throw new DbException("cannot run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbException("interrupted while running " + command[0], e);
    }
  }
}
