package dev.ordo.sim;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's sessions: view tokens (after the TOTP step) and trade tokens (after the MPIN
 * step), each valid until {@code tokenTtl} has passed (wall clock). Thread-safe.
 */
final class SimAuth {

  enum Validity {
    VALID,
    EXPIRED,
    UNKNOWN
  }

  private record Session(String sid, boolean trade, Instant issuedAt, boolean[] expiryCounted) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration tokenTtl;
  private final SimStats stats;

  SimAuth(Clock clock, Duration tokenTtl, SimStats stats) {
    this.clock = clock;
    this.tokenTtl = tokenTtl;
    this.stats = stats;
  }

  /** A new view token and sid. */
  String[] issueView() {
    String sid = newSecret(8);
    String token = newSecret(24);
    sessions.put(token, new Session(sid, false, clock.instant(), new boolean[1]));
    return new String[] {token, sid};
  }

  /** A new trade token for the session {@code sid}. */
  String issueTrade(String sid) {
    String token = newSecret(24);
    sessions.put(token, new Session(sid, true, clock.instant(), new boolean[1]));
    return token;
  }

  /** The sid of a valid view token, or null. */
  String viewSession(String token) {
    Session s = token == null ? null : sessions.get(token);
    return s != null && !s.trade() && check(token) == Validity.VALID ? s.sid() : null;
  }

  /** Whether {@code token} is a trade token still valid; counts the first rejection of each expired token. */
  Validity check(String token) {
    Session s = token == null ? null : sessions.get(token);
    if (s == null) return Validity.UNKNOWN;
    if (tokenTtl != null && !clock.instant().isBefore(s.issuedAt().plus(tokenTtl))) {
      synchronized (s.expiryCounted()) {
        if (!s.expiryCounted()[0]) {
          s.expiryCounted()[0] = true;
          stats.tokenExpiries.incrementAndGet();
        }
      }
      return Validity.EXPIRED;
    }
    return Validity.VALID;
  }

  /** True for a valid trade token. */
  boolean isTradeToken(String token) {
    Session s = token == null ? null : sessions.get(token);
    return s != null && s.trade() && check(token) == Validity.VALID;
  }

  private String newSecret(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
