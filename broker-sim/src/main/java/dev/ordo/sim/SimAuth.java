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
 * step), each valid until {@code tokenTtl} has passed (wall clock); and the user's lock-out:
 * {@code lockout.wrongTotps()} wrong TOTPs in a row lock the user for {@code lockout.duration()}, during
 * which every login is refused, a right TOTP too (attempts during the lock-out do not extend it). Thread-safe.
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
  private final BrokerSimulator.LoginLockout lockout;
  private final SimStats stats;
  /** Wrong TOTPs since the last right one or the last lock-out. */
  private int wrongInARow;
  /** End of the current lock-out, null when none was ever set. */
  private Instant lockedUntil;

  SimAuth(Clock clock, Duration tokenTtl, BrokerSimulator.LoginLockout lockout, SimStats stats) {
    this.clock = clock;
    this.tokenTtl = tokenTtl;
    this.lockout = lockout;
    this.stats = stats;
  }

  /** When the user's lock-out ends, or null when the user is not locked out now; counts the refused attempt. */
  synchronized Instant lockedOutUntil() {
    if (lockedUntil == null || !clock.instant().isBefore(lockedUntil)) return null;
    stats.lockedOutLogins.incrementAndGet();
    return lockedUntil;
  }

  /**
   * Records the outcome of a TOTP check of the right user; a wrong one that completes a row of
   * {@code lockout.wrongTotps()} locks the user.
   *
   * @return when the lock-out it started ends, or null when it started none
   */
  synchronized Instant totpChecked(boolean right) {
    if (right) {
      wrongInARow = 0;
      return null;
    }
    stats.wrongTotps.incrementAndGet();
    if (++wrongInARow < lockout.wrongTotps()) return null;
    wrongInARow = 0;
    lockedUntil = clock.instant().plus(lockout.duration());
    stats.lockedOutLogins.incrementAndGet();
    return lockedUntil;
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
