package dev.ordo.app.audit;

import dev.ordo.app.Engine;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.Strategy;
import com.typesafe.config.Config;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/** What the audit's commands and URLs take: instants, and the strategies to fold symbol traders with. */
public final class AuditInput {

  private AuditInput() {}

  /** The expected form of an instant, for error messages. */
  public static final String INSTANT_FORM = "an ISO-8601 time with its offset, e.g. 2024-01-15T10:00:00+05:30 or 2024-01-15T04:30:00Z";

  /**
   * Parses an ISO-8601 time with its offset ({@code 2024-01-15T10:00:00+05:30}, {@code ...Z}).
   *
   * @throws IllegalArgumentException when {@code text} is not of that form
   */
  public static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("must be " + INSTANT_FORM + ", got '" + text + "'", e);
    }
  }

  /**
   * The strategy of each instrument for folding symbol traders: the 80-20 strategy with the
   * parameters of {@code ordo.strategy} (the spec's tick size). Only journals of v0.1, whose events
   * carry no strategy state, are folded by running it.
   */
  public static Function<InstrumentId, Strategy> strategies(Config config) {
    EightyTwentyStrategy strategy = new EightyTwentyStrategy(Engine.strategyParameters(config.getConfig("ordo.strategy")));
    return instrument -> strategy;
  }
}
