package dev.ordo.app.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The bearer tokens the API accepts, each with the subject it stands for and its {@link ApiScope}.
 * Only SHA-256 digests of the tokens are held; a presented token is hashed and compared with every
 * digest in constant time ({@link MessageDigest#isEqual}), so neither a match's position nor a
 * common prefix shows in the answer's timing.
 */
public final class ApiTokens {

  /**
   * A token the API accepts.
   *
   * @param subject who holds it, for the journal and the logs (never the token itself)
   * @param scope   what it may do
   * @param sha256  the SHA-256 digest of the token's UTF-8 bytes
   */
  public record Token(String subject, ApiScope scope, byte[] sha256) {
    public Token {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(scope, "scope");
      if (sha256 == null || sha256.length != 32) throw new IllegalArgumentException("a token digest is 32 bytes of SHA-256");
    }

    /** A token given as its text. */
    public static Token of(String subject, ApiScope scope, String token) {
      return new Token(subject, scope, ApiTokens.sha256(token));
    }

    /** A token given as the hex of its SHA-256 digest. */
    public static Token ofDigest(String subject, ApiScope scope, String hex) {
      return new Token(subject, scope, HexFormat.of().parseHex(hex));
    }

    @Override
    public String toString() {
      return subject + " (" + scope + ")";
    }
  }

  /**
   * Who made a request, as its token says.
   *
   * @param subject the token's subject
   * @param scope   what it may do
   */
  public record Principal(String subject, ApiScope scope) {}

  private final List<Token> tokens;
  private final boolean generatedOnly;

  /**
   * @param tokens        the accepted tokens, at least one
   * @param generatedOnly true when the only token is the one Ordo generated into the data directory
   */
  public ApiTokens(List<Token> tokens, boolean generatedOnly) {
    if (tokens.isEmpty()) throw new IllegalArgumentException("the API needs at least one token");
    this.tokens = List.copyOf(tokens);
    this.generatedOnly = generatedOnly;
  }

  /** True when no token was configured and the API accepts only the generated one. */
  public boolean generatedOnly() {
    return generatedOnly;
  }

  /** The accepted tokens (digests only). */
  public List<Token> tokens() {
    return tokens;
  }

  /** The principal of {@code presented} (the text after {@code Bearer }), empty when no token matches. */
  public Optional<Principal> authenticate(String presented) {
    byte[] digest = sha256(presented);
    Token found = null;
    for (Token token : tokens) {
      boolean equal = MessageDigest.isEqual(digest, token.sha256());
      if (equal && found == null) found = token; // every digest is compared, match or not
    }
    return found == null ? Optional.empty() : Optional.of(new Principal(found.subject(), found.scope()));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
