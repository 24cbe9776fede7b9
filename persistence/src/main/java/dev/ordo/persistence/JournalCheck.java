package dev.ordo.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.h2.api.ErrorCode;

/**
 * Opens the configured journal database once, before the actor system starts, so that a journal
 * that cannot be used is refused at once with one line saying what is wrong, where, and what to
 * do. Without it the connection pool retries in the background and the start ends in a bare
 * timeout a minute later, the cause only in H2's trace file.
 */
public final class JournalCheck {

  private JournalCheck() {}

  /** Why the journal cannot be used: a one-line message for the operator; the database's own error is the cause. */
  public static final class JournalUnavailableException extends Exception {
    JournalUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Opens and closes one connection to the journal database of {@code config}, waiting at most
   * {@code ordo.persistence.connect-timeout}. An H2 journal file that does not exist yet is not
   * opened (the journal creates it with its tables); one that exists must hold the journal table,
   * since H2 opens a file cut short as an empty database rather than failing.
   *
   * @param config  configuration completed by {@link JournalSettings#withJournal}
   * @param dataDir the data directory the H2 journal lives in (when no {@code ordo.persistence.url} is set)
   * @throws JournalUnavailableException when the journal cannot be opened: a file that is not an H2
   *     database, corrupt or truncated, without the journal table, read-only, a full disk, a database open in another program, a
   *     PostgreSQL server that cannot be reached, refuses the login or does not answer in time
   */
  public static void verify(Config config, Path dataDir) throws JournalUnavailableException {
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    String url = db.getString("url");
    Duration timeout = config.getDuration("ordo.persistence.connect-timeout");
    boolean h2 = url.startsWith("jdbc:h2:");
    boolean defaultH2 = url.equals(JournalSettings.h2Url(dataDir));
    String where = defaultH2 ? "journal " + JournalSettings.h2File(dataDir) : (h2 ? "H2 journal " : "PostgreSQL journal ") + withoutSecrets(url);
    if (defaultH2) {
      checkFile(where, JournalSettings.h2File(dataDir));
      if (!Files.exists(JournalSettings.h2File(dataDir))) return;
    }
    String table = config.getString("jdbc-journal.tables.event_journal.tableName");

    Properties properties = new Properties();
    properties.setProperty("user", db.getString("user"));
    properties.setProperty("password", db.getString("password"));
    if (url.startsWith("jdbc:postgresql:")) {
      // The driver's own bounds, a second after this check's, so that the probe's thread does not outlive a refusal long.
      String seconds = Long.toString(timeout.toSeconds() + 1);
      properties.setProperty("connectTimeout", seconds);
      properties.setProperty("loginTimeout", seconds);
    }
    CompletableFuture<Boolean> opened = new CompletableFuture<>();
    Thread probe = new Thread(() -> {
      try (Connection connection = DriverManager.getConnection(url, properties)) {
        opened.complete(!defaultH2 || hasTable(connection, table));
      } catch (SQLException | RuntimeException e) {
        opened.completeExceptionally(e);
      }
    }, "ordo-journal-check");
    probe.setDaemon(true);
    probe.start();
    boolean journalFound;
    try {
      journalFound = opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      probe.interrupt();
      throw new JournalUnavailableException(where + " did not " + (h2 ? "open" : "answer") + " within " + seconds(timeout)
          + "; check that " + (h2 ? "its disk responds" : "the server is up and reachable") + " (ordo.persistence.connect-timeout sets the wait)", e);
    } catch (ExecutionException e) {
      throw new JournalUnavailableException(describe(where, h2, db.getString("user"), e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JournalUnavailableException(where + ": the start was interrupted while opening it", e);
    }
    if (!journalFound) {
      throw new JournalUnavailableException(where + " holds no " + table + " table (truncated, or another H2 database); restore it from a "
          + "backup, or move it away to start with an empty journal", null);
    }
  }

  private static boolean hasTable(Connection connection, String table) throws SQLException {
    try (var tables = connection.getMetaData().getTables(null, null, table, null)) {
      return tables.next();
    }
  }

  private static void checkFile(String where, Path file) throws JournalUnavailableException {
    if (Files.isDirectory(file))
      throw new JournalUnavailableException(where + " is a folder, not an H2 database; move it away and start again", null);
    if (Files.exists(file) && !(Files.isReadable(file) && Files.isWritable(file)))
      throw new JournalUnavailableException(where + " cannot be written (read-only for this user); give this user read and write access to it "
          + "(chmod u+rw, or chown) and start again", null);
  }

  private static String describe(String where, boolean h2, String user, Throwable error) {
    Throwable root = rootCause(error);
    if (String.valueOf(root.getMessage()).contains("No space left on device"))
      return where + ": the disk is full (no space left on device); free some space and start again";
    if (root instanceof AccessDeniedException)
      return where + " cannot be written (permission denied); give this user read and write access to it and start again";
    if (!(error instanceof SQLException sql)) return where + " cannot be opened: " + firstLine(error);
    if (h2) {
      return switch (sql.getErrorCode()) {
        case ErrorCode.DATABASE_ALREADY_OPEN_1 -> where + " is open in another program (an H2 shell, or an engine with another --data-dir "
            + "and the same ordo.persistence.url); close that program and start again";
        case ErrorCode.FILE_CORRUPTED_1, ErrorCode.FILE_VERSION_ERROR_1, ErrorCode.FILE_ENCRYPTION_ERROR_1, ErrorCode.IO_EXCEPTION_1,
            ErrorCode.IO_EXCEPTION_2 -> where + " is not a readable H2 database (truncated, corrupt or another kind of file; H2 error "
            + sql.getErrorCode() + "); restore it from a backup, or move it away to start with an empty journal";
        case ErrorCode.DATABASE_IS_READ_ONLY -> where + " cannot be written (read-only); give this user write access to it and start again";
        case ErrorCode.WRONG_USER_OR_PASSWORD -> where + " refused user '" + user
            + "' (wrong user or password); check ordo.persistence.user and ORDO_DB_PASSWORD";
        default -> where + " cannot be opened: " + firstLine(sql);
      };
    }
    String state = String.valueOf(sql.getSQLState());
    if (state.startsWith("28") || state.equals("08004") && String.valueOf(sql.getMessage()).contains("password"))
      return where + " refused the login of user '" + user + "'; check the user (--journal or ordo.persistence.user) and the password (--journal-password-file or ORDO_DB_PASSWORD)";
    if (state.equals("3D000")) return where + ": the database does not exist; create it (createdb) or fix ordo.persistence.url";
    if (state.startsWith("08")) return "cannot reach the " + where + " (" + networkReason(root) + "); check ordo.persistence.url and that the server is up";
    return where + " cannot be opened: " + firstLine(sql);
  }

  private static String networkReason(Throwable root) {
    if (root instanceof UnknownHostException) return "unknown host " + root.getMessage();
    if (root instanceof ConnectException) return "connection refused";
    if (root instanceof SocketTimeoutException) return "no answer";
    return root instanceof IOException ? String.valueOf(root.getMessage()) : firstLine(root);
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    return cause;
  }

  /** The first line of an error's message, without H2's {@code [90030-252]} suffix. */
  private static String firstLine(Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return message.lines().findFirst().orElse("").replaceFirst("\\s*\\[\\d+-\\d+]$", "");
  }

  /** The URL without its query string or user info, where a password could be. */
  static String withoutSecrets(String url) {
    return url.replaceFirst("\\?.*$", "").replaceFirst(";.*$", "").replaceFirst("//[^/@]*@", "//");
  }

  private static String seconds(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
  }
}
