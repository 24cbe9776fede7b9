package dev.ordo.engine.port;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.ordo.engine.OrdoSerializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A broker session token (Kotak Neo: the trade token and its {@code sid}). A secret: its
 * {@link #toString()} shows only {@link #fingerprint()}, and it is never journaled, logged or
 * returned over HTTP. It crosses actor messages only inside one account's trading service.
 *
 * @param value    the token text sent to the broker
 * @param sid      the broker's session id (may be empty)
 * @param issuedAt when the login that produced it completed
 */
public record SessionToken(String value, String sid, Instant issuedAt) implements OrdoSerializable {

  public SessionToken {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(sid, "sid");
    Objects.requireNonNull(issuedAt, "issuedAt");
  }

  /** A short non-secret identifier of the token (hash based) for logs and comparisons. */
  @JsonIgnore
  public String fingerprint() {
    return Integer.toHexString(value.hashCode());
  }

  @Override
  public String toString() {
    return "SessionToken[" + fingerprint() + ", issuedAt=" + issuedAt + "]";
  }
}
