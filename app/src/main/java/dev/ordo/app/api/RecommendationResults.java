package dev.ordo.app.api;

import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.InstrumentId;
import java.util.List;

/**
 * The answer of {@code POST /experts/{expertId}/recommendations}: one result per recommendation, in
 * the order they were sent.
 */
public record RecommendationResults(String expertId, List<Result> results) {

  /**
   * What became of one recommendation.
   *
   * @param status        {@code accepted} or {@code skipped}
   * @param transactionId the transaction opened (BUY) or closed (SELL); for {@code OPEN_TRANSACTION}, the open one; else null
   * @param reason        the skip reason code (OPEN_TRANSACTION, EXPERT_DISABLED, ...), null when accepted
   * @param detail        the risk check's or the broker's words, else null
   */
  public record Result(InstrumentId instrument, Expert.Action action, String status, String transactionId, String reason, String detail) {}

  /** {@code outcomes} as the API shows them: the risk checks' codes as {@code RISK_<CHECK>}. */
  public static RecommendationResults of(Expert.Outcomes outcomes) {
    return new RecommendationResults(outcomes.expertId(), outcomes.outcomes().stream().map(o -> new Result(o.instrument(), o.action(),
        o.accepted() ? "accepted" : "skipped", o.transactionId(), o.accepted() ? null : code(o), o.detail())).toList());
  }

  private static String code(Expert.Outcome o) {
    if (o.skipped() == Expert.SkipReason.RISK && o.detail() != null) {
      int colon = o.detail().indexOf(':');
      return colon > 0 ? o.detail().substring(0, colon) : o.detail();
    }
    return o.skipped().name();
  }
}
