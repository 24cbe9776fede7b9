package dev.ordo.engine.port;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ordo.engine.OrdoSerializable;

/**
 * Why a broker call did not succeed, as a typed value (never a boolean or a bare exception).
 * Only {@link Timeout} leaves the outcome unknown: the request may have reached the broker.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BrokerError.AuthExpired.class, name = "AUTH_EXPIRED"),
  @JsonSubTypes.Type(value = BrokerError.Rejected.class, name = "REJECTED"),
  @JsonSubTypes.Type(value = BrokerError.RateLimited.class, name = "RATE_LIMITED"),
  @JsonSubTypes.Type(value = BrokerError.Unavailable.class, name = "UNAVAILABLE"),
  @JsonSubTypes.Type(value = BrokerError.Timeout.class, name = "TIMEOUT")
})
public sealed interface BrokerError extends OrdoSerializable {

  /** A short description for logs and HTTP answers (never holds a secret). */
  String detail();

  /** The session token was expired or invalid (Kotak Neo: HTTP 401, code 900901). */
  record AuthExpired(String detail) implements BrokerError {}

  /** The broker refused the request (bad order, insufficient funds, order not open). */
  record Rejected(String detail) implements BrokerError {}

  /** Too many requests (HTTP 429). Safe to retry later. */
  record RateLimited(String detail) implements BrokerError {}

  /** The broker answered that it could not serve the request (HTTP 5xx, connection refused before sending). */
  record Unavailable(String detail) implements BrokerError {}

  /** No answer in time after the request was sent: its outcome is unknown. */
  record Timeout(String detail) implements BrokerError {}
}
