package dev.ordo.engine.port;

import java.util.Map;

/**
 * Login secrets of one account (API key, user id, password or MPIN, TOTP seed), by name.
 * Never logged: {@link #toString()} shows only the names.
 */
public record Credentials(Map<String, String> values) {

  public Credentials {
    values = Map.copyOf(values);
  }

  public static Credentials none() {
    return new Credentials(Map.of());
  }

  /** The value of {@code name}, or null. */
  public String get(String name) {
    return values.get(name);
  }

  @Override
  public String toString() {
    return "Credentials" + values.keySet();
  }
}
