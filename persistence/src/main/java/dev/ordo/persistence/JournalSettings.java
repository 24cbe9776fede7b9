package dev.ordo.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the journal lives. By default an H2 file database {@code <data-dir>/journal.mv.db};
 * with {@code ordo.persistence.kind = postgres} the PostgreSQL database at
 * {@code ordo.persistence.url}. Produces the configuration overrides for
 * pekko-persistence-jdbc's shared Slick database.
 */
public final class JournalSettings {

  private JournalSettings() {}

  /**
   * Completes {@code config} (which must include {@code ordo-persistence.conf}) with the journal
   * database of {@code dataDir}.
   *
   * @throws IllegalArgumentException when the kind is unknown or PostgreSQL has no URL
   */
  public static Config withJournal(Config config, Path dataDir) {
    String kind = config.getString("ordo.persistence.kind").toLowerCase(Locale.ROOT);
    String url = config.getString("ordo.persistence.url");
    Config overrides;
    switch (kind) {
      case "h2" -> {
        if (url.isBlank()) url = h2Url(dataDir);
        overrides = ConfigFactory.empty()
            .withValue("pekko-persistence-jdbc.shared-databases.slick.profile", ConfigValueFactory.fromAnyRef("slick.jdbc.H2Profile$"))
            .withValue("pekko-persistence-jdbc.shared-databases.slick.db.driver", ConfigValueFactory.fromAnyRef("org.h2.Driver"))
            .withValue("pekko-persistence-jdbc.shared-databases.slick.db.url", ConfigValueFactory.fromAnyRef(url));
      }
      case "postgres", "postgresql" -> {
        if (url.isBlank())
          throw new IllegalArgumentException("ordo.persistence.kind = postgres needs ordo.persistence.url (jdbc:postgresql://host:5432/db)");
        overrides = ConfigFactory.empty()
            .withValue("pekko-persistence-jdbc.shared-databases.slick.profile", ConfigValueFactory.fromAnyRef("slick.jdbc.PostgresProfile$"))
            .withValue("pekko-persistence-jdbc.shared-databases.slick.db.driver", ConfigValueFactory.fromAnyRef("org.postgresql.Driver"))
            .withValue("pekko-persistence-jdbc.shared-databases.slick.db.url", ConfigValueFactory.fromAnyRef(url));
      }
      default -> throw new IllegalArgumentException("ordo.persistence.kind must be h2 or postgres, got '" + kind + "'");
    }
    // the user and password too: a config resolved before ordo.persistence.* was overridden (--journal) holds the old ones there
    overrides = overrides
        .withValue("pekko-persistence-jdbc.shared-databases.slick.db.user", ConfigValueFactory.fromAnyRef(config.getString("ordo.persistence.user")))
        .withValue("pekko-persistence-jdbc.shared-databases.slick.db.password",
            ConfigValueFactory.fromAnyRef(config.getString("ordo.persistence.password")));
    return overrides.withFallback(config);
  }

  /**
   * The {@code ordo.persistence.*} settings of a PostgreSQL journal given as {@code postgres://USER@HOST[:PORT]/DATABASE}
   * ({@code postgresql://} too; the port defaults to 5432; a query string such as {@code ?sslmode=require} is handed to the
   * driver), with its password. Put the result over the loaded configuration, then complete it with {@link #withJournal}.
   *
   * @param journal  the URL, without a password
   * @param password the role's password (from ORDO_DB_PASSWORD or a password file; may be empty)
   * @throws IllegalArgumentException saying what is wrong with {@code journal}: another scheme, no user, a password in it, no
   *     host or no database
   */
  public static Config postgres(String journal, String password) {
    String form = "give --journal as postgres://USER@HOST:PORT/DATABASE, e.g. postgres://ordo@127.0.0.1:5433/ordo";
    java.net.URI uri;
    try {
      uri = new java.net.URI(journal);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("--journal '" + JournalCheck.withoutSecrets(journal) + "' is not a URL (" + e.getReason() + "); " + form, e);
    }
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgres") && !scheme.equals("postgresql"))
      throw new IllegalArgumentException("--journal " + JournalCheck.withoutSecrets(journal) + ": only PostgreSQL is supported "
          + "(the default journal is H2 in --data-dir, without --journal); " + form);
    String user = uri.getRawUserInfo();
    if (user != null && user.contains(":"))
      throw new IllegalArgumentException("--journal holds a password: never put it in the URL (it would show in the process list); "
          + "give it in ORDO_DB_PASSWORD or --journal-password-file");
    if (user == null || user.isBlank()) throw new IllegalArgumentException("--journal " + journal + " names no user; " + form);
    if (uri.getHost() == null) throw new IllegalArgumentException("--journal " + JournalCheck.withoutSecrets(journal) + " names no host; " + form);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!path.matches("/[^/]+")) throw new IllegalArgumentException("--journal " + JournalCheck.withoutSecrets(journal) + " names no database; " + form);
    String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
    String url = "jdbc:postgresql://" + host + ":" + (uri.getPort() == -1 ? 5432 : uri.getPort()) + path
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return ConfigFactory.empty()
        .withValue("ordo.persistence.kind", ConfigValueFactory.fromAnyRef("postgres"))
        .withValue("ordo.persistence.url", ConfigValueFactory.fromAnyRef(url))
        .withValue("ordo.persistence.user", ConfigValueFactory.fromAnyRef(uri.getUserInfo()))
        .withValue("ordo.persistence.password", ConfigValueFactory.fromAnyRef(password));
  }

  /**
   * The H2 URL of the journal under {@code dataDir}. {@code DB_CLOSE_ON_EXIT=FALSE} keeps H2
   * from closing the database in its own shutdown hook while Pekko's coordinated shutdown still
   * writes (SIGTERM); the connection pool closes it when the actor system terminates.
   * {@code WRITE_DELAY=0} writes each commit to the file before the commit returns: by default H2
   * keeps committed changes in memory for up to half a second, so a process killed with SIGKILL
   * lost events that Pekko had already confirmed as persisted (an order intent the engine then sent
   * would be forgotten, and sent again after the restart). The file is written, not fsynced: a
   * killed process loses nothing, a power cut may still lose the last moments. Writing each commit
   * leaves many small chunks, so {@code MAX_COMPACT_TIME=10000} lets H2 compact the file for up to
   * 10 s when it closes (the full NSE replay's journal: 31 MB after a clean stop, several hundred
   * MB between a SIGKILL and the next clean stop). {@link #H2_STORAGE} keeps events in their rows.
   */
  public static String h2Url(Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;MAX_COMPACT_TIME=10000;"
        + H2_STORAGE;
  }

  /**
   * How the H2 journal stores its payloads: {@code MAX_LENGTH_INPLACE_LOB=4096} keeps a BLOB of up to 4 kB (every event the
   * engine writes: 423 bytes on average, 2.3 kB at most over the full NSE replay) in its table row. At H2's default of 256
   * bytes, three events in four went to H2's separate LOB store, whose maps every commit then wrote too: a commit of 1, 20
   * or 200 such events took 0.56-0.60 of the time in the row (measured, interleaved, H2 2.5). Larger payloads (snapshots)
   * still go to the LOB store. A persistent database setting: a journal written before keeps its LOBs readable. The
   * bench's lock-based baseline journals to H2 with it too.
   */
  public static final String H2_STORAGE = "MAX_LENGTH_INPLACE_LOB=4096";

  /** The file of the H2 journal under {@code dataDir} (the one {@link #h2Url} opens): {@code <data-dir>/journal.mv.db}. */
  public static Path h2File(Path dataDir) {
    return dataDir.toAbsolutePath().normalize().resolve("journal.mv.db");
  }
}
