package dev.ordo.app;

import com.typesafe.config.Config;
import dev.ordo.app.http.ApiScope;
import dev.ordo.app.http.ApiTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where the API's tokens come from, in this order, all of them accepted together:
 * <ol>
 *   <li>{@code ORDO_API_TOKEN} in the environment: one {@code admin} token, subject {@code ORDO_API_TOKEN};</li>
 *   <li>{@code ordo.http.tokens-file} (or {@code ORDO_API_TOKENS_FILE}): one token per line,
 *       {@code SUBJECT SCOPE TOKEN}, the scope {@code admin}, {@code read} or {@code account:<id>}, the
 *       token as text (16 characters or more) or as {@code sha256:<64 hex digits>}; {@code #} starts a
 *       comment;</li>
 *   <li>when neither gives a token: one {@code admin} token generated at the first start into
 *       {@code <data-dir>/api-token}, readable by its owner only, and read again at later starts.</li>
 * </ol>
 * A token never reaches a log line: the start prints the file's path, never its content.
 */
public final class ApiTokenSource {

  /** The generated token's file in the data directory. */
  public static final String GENERATED_FILE = "api-token";

  private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-fA-F]{64})");
  private static final int MIN_TOKEN_LENGTH = 16;

  /**
   * The tokens, and the generated token's file when that is the only one.
   *
   * @param generatedFile {@code <data-dir>/api-token}, or null when tokens were configured
   */
  public record Loaded(ApiTokens tokens, Path generatedFile) {}

  private ApiTokenSource() {}

  /**
   * Loads the tokens of {@code config} and {@code environment}, or generates (or reads back) the
   * data directory's own.
   *
   * @throws StartFailure {@link StartFailure#USAGE} for a tokens file that is missing or has a bad line
   *     (naming file, line and what is wrong, never the token), a short token, or a generated token
   *     file others can read; {@link StartFailure#ENVIRONMENT} when the file cannot be read or written
   */
  public static Loaded load(Config config, Path dataDir, Map<String, String> environment) throws StartFailure {
    List<ApiTokens.Token> tokens = new ArrayList<>();
    String fromEnvironment = environment.get("ORDO_API_TOKEN");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      if (fromEnvironment.strip().length() < MIN_TOKEN_LENGTH)
        throw StartFailure.usage("ORDO_API_TOKEN is shorter than " + MIN_TOKEN_LENGTH + " characters; use a long random token (e.g. openssl rand -hex 32)");
      tokens.add(ApiTokens.Token.of("ORDO_API_TOKEN", new ApiScope.Admin(), fromEnvironment.strip()));
    }
    String file = config.getString("ordo.http.tokens-file");
    if (!file.isBlank()) tokens.addAll(readTokensFile(Path.of(file)));
    if (!tokens.isEmpty()) return new Loaded(new ApiTokens(tokens, false), null);
    Path generated = dataDir.resolve(GENERATED_FILE);
    return new Loaded(new ApiTokens(List.of(ApiTokens.Token.of("generated", new ApiScope.Admin(), generatedToken(generated))), true), generated);
  }

  private static List<ApiTokens.Token> readTokensFile(Path file) throws StartFailure {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw StartFailure.usage("tokens file " + file + " (ordo.http.tokens-file) does not exist");
    } catch (IOException e) {
      throw StartFailure.environment("tokens file " + file + " cannot be read: " + StartChecks.reason(e), e);
    }
    List<ApiTokens.Token> tokens = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).replaceFirst("#.*$", "").strip();
      if (line.isEmpty()) continue;
      String where = "tokens file " + file + " line " + (i + 1) + ": ";
      String[] fields = line.split("\\s+");
      if (fields.length != 3) throw StartFailure.usage(where + "expected SUBJECT SCOPE TOKEN, found " + fields.length + " field(s)");
      ApiScope scope;
      try {
        scope = ApiScope.parse(fields[1]);
      } catch (IllegalArgumentException e) {
        throw StartFailure.usage(where + e.getMessage());
      }
      java.util.regex.Matcher digest = DIGEST.matcher(fields[2]);
      if (digest.matches()) tokens.add(ApiTokens.Token.ofDigest(fields[0], scope, digest.group(1)));
      else if (fields[2].startsWith("sha256:")) throw StartFailure.usage(where + "a sha256: token is 64 hex digits");
      else if (fields[2].length() < MIN_TOKEN_LENGTH)
        throw StartFailure.usage(where + "the token of " + fields[0] + " is shorter than " + MIN_TOKEN_LENGTH + " characters");
      else tokens.add(ApiTokens.Token.of(fields[0], scope, fields[2]));
    }
    if (tokens.isEmpty()) throw StartFailure.usage("tokens file " + file + " holds no token");
    return tokens;
  }

  /** The token in {@code file}, written there first (32 random bytes, URL-safe Base64, owner-only) when the file is missing. */
  private static String generatedToken(Path file) throws StartFailure {
    try {
      if (Files.exists(file)) {
        checkOwnerOnly(file);
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < MIN_TOKEN_LENGTH)
          throw StartFailure.usage(file + " does not hold a token (delete it and a new one is generated at the next start)");
        return token;
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException raced) {
        return generatedToken(file);
      }
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      return token;
    } catch (IOException e) {
      throw StartFailure.environment("the API token file " + file + " cannot be written or read: " + StartChecks.reason(e), e);
    }
  }

  private static void checkOwnerOnly(Path file) throws IOException, StartFailure {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return;
    }
    Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE);
    if (permissions.stream().anyMatch(others::contains))
      throw StartFailure.usage("the API token file " + file + " can be read by others (" + PosixFilePermissions.toString(permissions)
          + "); make it owner-only (chmod 600 " + file + ") or delete it for a new token");
  }
}
