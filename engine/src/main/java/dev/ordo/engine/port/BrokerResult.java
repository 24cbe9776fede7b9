package dev.ordo.engine.port;

import java.util.function.Function;

/** The outcome of a broker call: a value or a typed {@link BrokerError}. */
public sealed interface BrokerResult<T> {

  record Ok<T>(T value) implements BrokerResult<T> {}

  record Err<T>(BrokerError error) implements BrokerResult<T> {}

  static <T> BrokerResult<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> BrokerResult<T> error(BrokerError error) {
    return new Err<>(error);
  }

  /** Maps the value of an {@link Ok}; an {@link Err} passes through. */
  default <U> BrokerResult<U> map(Function<T, U> f) {
    if (this instanceof Ok<T> ok) return new Ok<>(f.apply(ok.value()));
    return new Err<>(((Err<T>) this).error());
  }
}
