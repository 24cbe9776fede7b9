package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.http.ApiScope;
import dev.ordo.app.http.ApiTokens;
import dev.ordo.engine.model.AccountId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the API's tokens come from: the environment, a tokens file, or the data directory's generated one. */
class ApiTokenSourceTest {

  @TempDir
  Path dir;

  static Config config(String tokensFile) {
    return ConfigFactory.parseMap(Map.of("ordo.http.tokens-file", tokensFile));
  }

  @Test
  void withoutConfiguredTokensOneAdminTokenIsGeneratedOwnerOnlyAndKeptAcrossStarts() throws Exception {
    ApiTokenSource.Loaded first = ApiTokenSource.load(config(""), dir, Map.of());
    Path file = dir.resolve("api-token");
    assertEquals(file, first.generatedFile());
    assertTrue(first.tokens().generatedOnly());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String token = Files.readString(file).strip();
    assertTrue(token.length() >= 43, "32 random bytes: " + token.length());
    assertEquals(new ApiTokens.Principal("generated", new ApiScope.Admin()), first.tokens().authenticate(token).orElseThrow());

    ApiTokenSource.Loaded second = ApiTokenSource.load(config(""), dir, Map.of());
    assertTrue(second.tokens().authenticate(token).isPresent(), "a restart keeps the token");
    assertFalse(second.tokens().authenticate(token + "x").isPresent());
    assertFalse(second.tokens().authenticate("").isPresent());
  }

  @Test
  void aGeneratedTokenFileOthersCanReadIsRefused() throws Exception {
    ApiTokenSource.load(config(""), dir, Map.of());
    Path file = dir.resolve("api-token");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    StartFailure refusal = assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(""), dir, Map.of()));
    assertEquals(StartFailure.USAGE, refusal.exitCode());
    assertTrue(refusal.getMessage().contains("can be read by others (rw-r--r--)") && refusal.getMessage().contains("chmod 600 " + file),
        refusal.getMessage());
  }

  @Test
  void theEnvironmentsTokenIsAnAdminAndNothingIsGenerated() throws Exception {
    ApiTokenSource.Loaded loaded = ApiTokenSource.load(config(""), dir, Map.of("ORDO_API_TOKEN", "an-operators-long-token-1234"));
    assertNull(loaded.generatedFile());
    assertFalse(loaded.tokens().generatedOnly());
    assertFalse(Files.exists(dir.resolve("api-token")));
    assertEquals(new ApiTokens.Principal("ORDO_API_TOKEN", new ApiScope.Admin()),
        loaded.tokens().authenticate("an-operators-long-token-1234").orElseThrow());
    StartFailure refusal = assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(""), dir, Map.of("ORDO_API_TOKEN", "short")));
    assertTrue(refusal.getMessage().startsWith("ORDO_API_TOKEN is shorter than 16 characters"), refusal.getMessage());
  }

  @Test
  void aTokensFileGivesEachTokenItsSubjectAndScopeAsTextOrDigest() throws Exception {
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("reader-token-abcdefgh".getBytes(StandardCharsets.UTF_8)));
    Path file = Files.writeString(dir.resolve("tokens"), """
        # subject scope token
        ops      admin          ops-token-0123456789
        grafana  read           sha256:%s
        desk     account:paper  desk-token-0123456789   # the paper desk
        """.formatted(digest));
    ApiTokens tokens = ApiTokenSource.load(config(file.toString()), dir, Map.of()).tokens();
    assertEquals(new ApiTokens.Principal("ops", new ApiScope.Admin()), tokens.authenticate("ops-token-0123456789").orElseThrow());
    assertEquals(new ApiTokens.Principal("grafana", new ApiScope.Read()), tokens.authenticate("reader-token-abcdefgh").orElseThrow());
    assertEquals(new ApiTokens.Principal("desk", new ApiScope.Account(AccountId.of("paper"))),
        tokens.authenticate("desk-token-0123456789").orElseThrow());
    assertFalse(tokens.authenticate("sha256:" + digest).isPresent(), "the digest itself is not a token");
  }

  @Test
  void aBadTokensFileIsRefusedNamingFileAndLineButNeverTheToken() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "ops admin ops-token-0123456789\nbob superuser bob-token-0123456789\n");
    StartFailure scope = assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(file.toString()), dir, Map.of()));
    assertEquals("tokens file " + file + " line 2: scope 'superuser' is not admin, read or account:<id>", scope.getMessage());

    Files.writeString(file, "\n\nbob read s3cret\n");
    StartFailure tooShort = assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(file.toString()), dir, Map.of()));
    assertEquals("tokens file " + file + " line 3: the token of bob is shorter than 16 characters", tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains("s3cret"));

    Files.writeString(file, "bob read\n");
    assertEquals("tokens file " + file + " line 1: expected SUBJECT SCOPE TOKEN, found 2 field(s)",
        assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(file.toString()), dir, Map.of())).getMessage());

    StartFailure missing = assertThrows(StartFailure.class, () -> ApiTokenSource.load(config(dir.resolve("nope").toString()), dir, Map.of()));
    assertEquals("tokens file " + dir.resolve("nope") + " (ordo.http.tokens-file) does not exist", missing.getMessage());
  }
}
