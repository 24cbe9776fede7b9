package dev.ordo.broker.neo;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * Time-based one-time passwords as authenticator apps make them (RFC 6238: HMAC-SHA1, 30 s
 * steps, 6 digits) from a Base32 seed, as Kotak Neo's TOTP login expects. The seed is a secret.
 */
public final class Totp {

  private static final long STEP_SECONDS = 30;

  private Totp() {}

  /**
   * The code for {@code at}.
   *
   * @throws IllegalArgumentException when the seed is not Base32
   */
  public static String code(String base32Seed, Instant at) {
    return code(decode(base32Seed), Math.floorDiv(at.getEpochSecond(), STEP_SECONDS));
  }

  /** True when {@code code} is the code of {@code at} or of the step before or after (clock drift). */
  public static boolean verify(String base32Seed, String code, Instant at) {
    if (code == null || !code.matches("\\d{6}")) return false;
    byte[] key = decode(base32Seed);
    long step = Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
    for (long s = step - 1; s <= step + 1; s++) if (code(key, s).equals(code)) return true;
    return false;
  }

  private static byte[] decode(String base32Seed) {
    if (base32Seed == null || base32Seed.isBlank() || !new Base32().isInAlphabet(base32Seed.replace(" ", "").toUpperCase()))
      throw new IllegalArgumentException("TOTP seed is not Base32");
    return new Base32().decode(base32Seed.replace(" ", "").toUpperCase());
  }

  private static String code(byte[] key, long step) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = hash[hash.length - 1] & 0x0f;
      int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
      return String.format("%06d", binary % 1_000_000);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }
}
