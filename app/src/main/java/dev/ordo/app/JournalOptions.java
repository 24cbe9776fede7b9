package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.persistence.JournalSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The journal options shared by {@code run}, {@code audit} and {@code verify}: without {@code --journal} the H2 journal in the
 * data directory (or {@code ordo.persistence.*} as configured), with it a PostgreSQL database. The password comes from
 * {@code --journal-password-file} when given, else from {@code ORDO_DB_PASSWORD}; never from the command line.
 */
final class JournalOptions {

  @Option(names = "--journal", paramLabel = "URL",
      description = "PostgreSQL journal: postgres://USER@HOST:PORT/DATABASE (bin/ordo db start prints it); password from "
          + "--journal-password-file, else ORDO_DB_PASSWORD. Default: the H2 journal in --data-dir.")
  String journal;

  @Option(names = "--journal-password-file", paramLabel = "FILE",
      description = "File holding the --journal user's password, owner-only (bin/ordo db start writes DIR/password).")
  Path passwordFile;

  /**
   * {@code config} with the journal of these options over it (unchanged without {@code --journal}).
   *
   * @throws StartFailure {@link StartFailure#USAGE} for a bad URL, a password file without {@code --journal}, a password file
   *     others can read; {@link StartFailure#ENVIRONMENT} when it cannot be read
   */
  Config over(Config config, Map<String, String> environment) throws StartFailure {
    if (journal == null) {
      if (passwordFile != null) throw StartFailure.usage("--journal-password-file needs --journal (the H2 journal has no password)");
      return config;
    }
    String password = passwordFile != null ? password(passwordFile) : environment.getOrDefault("ORDO_DB_PASSWORD", "");
    try {
      return JournalSettings.postgres(journal, password).withFallback(config);
    } catch (IllegalArgumentException e) {
      throw StartFailure.usage(e.getMessage());
    }
  }

  /** The first line of {@code file}, which must be owner-only. */
  static String password(Path file) throws StartFailure {
    if (!Files.isRegularFile(file))
      throw StartFailure.usage("--journal-password-file " + file + (Files.exists(file) ? " is not a file" : " does not exist")
          + "; give the password file of bin/ordo db start (DIR/password)");
    try {
      try {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")))
          throw StartFailure.usage("--journal-password-file " + file + " can be read by others (" + PosixFilePermissions.toString(permissions)
              + "); make it owner-only: chmod 600 " + file);
      } catch (UnsupportedOperationException notPosix) {
        // no permissions to check
      }
      String password = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      if (password.isEmpty()) throw StartFailure.usage("--journal-password-file " + file + " is empty");
      return password;
    } catch (IOException e) {
      throw StartFailure.environment("--journal-password-file " + file + " cannot be read: " + StartChecks.reason(e), e);
    }
  }
}
