package dev.ordo.engine.trading;

import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who owns an order, read from its ClientOrderId, the one place that says how the ids of each source
 * are formed. ClientOrderIds are unique per account across every source, also after restarts (each
 * source numbers its own from its journaled sequence), and short enough for a broker's order tag
 * (Kotak Neo's {@code tag}: at most 20 characters here):
 *
 * <ul>
 *   <li>a symbol trader (the 80-20 strategy): {@code SYMBOL-n}, e.g. {@code TCS-EQ-12};
 *   <li>an expert: {@code EXPERT.n}, e.g. {@code breakout.7}: a trading symbol never holds a dot.
 * </ul>
 */
public final class OrderSources {

  /** An expert id: 1 to 12 lower-case letters, digits or dashes, starting with a letter. */
  public static final Pattern EXPERT_ID = Pattern.compile("[a-z][a-z0-9-]{0,11}");

  private OrderSources() {}

  /** The {@code n}-th order of the symbol trader of {@code instrument}. */
  public static ClientOrderId strategyOrder(InstrumentId instrument, long n) {
    return ClientOrderId.of(instrument.symbol() + "-" + n);
  }

  /**
   * The {@code n}-th order of expert {@code expertId}.
   *
   * @throws IllegalArgumentException when {@code expertId} is not an expert id ({@link #EXPERT_ID})
   */
  public static ClientOrderId expertOrder(String expertId, long n) {
    requireExpertId(expertId);
    return ClientOrderId.of(expertId + "." + n);
  }

  /** The expert that owns {@code id}, empty for a symbol trader's order. */
  public static Optional<String> expertOf(ClientOrderId id) {
    if (id == null) return Optional.empty();
    int dot = id.value().indexOf('.');
    if (dot <= 0) return Optional.empty();
    String expert = id.value().substring(0, dot);
    return EXPERT_ID.matcher(expert).matches() ? Optional.of(expert) : Optional.empty();
  }

  /**
   * {@code expertId} when it is an expert id.
   *
   * @throws IllegalArgumentException saying the form otherwise
   */
  public static String requireExpertId(String expertId) {
    if (expertId == null || !EXPERT_ID.matcher(expertId).matches())
      throw new IllegalArgumentException("an expert id is 1 to 12 lower-case letters, digits or dashes starting with a letter, got '"
          + expertId + "'");
    return expertId;
  }
}
