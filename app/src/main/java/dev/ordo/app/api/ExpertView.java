package dev.ordo.app.api;

import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.math.BigDecimal;
import java.util.List;

/**
 * An expert as {@code GET /experts} and {@code GET /experts/{expertId}} show it.
 *
 * @param allocationPerTrade  what a BUY without a quantity spends, in {@code currency}
 * @param minConfidence       recommendations below it are skipped (0..1)
 * @param instruments         the instruments it may trade; empty: all its account trades
 * @param openTransactions    its WAITING, OPENED and CLOSING transactions
 * @param transactions        transactions opened so far
 */
public record ExpertView(String expertId, AccountId account, boolean enabled, int maxOpenTransactions, BigDecimal allocationPerTrade,
    String currency, BigDecimal minConfidence, List<InstrumentId> instruments, long openTransactions, long transactions) {

  /** {@code state} of a configured expert whose account trades in {@code currency}. */
  public static ExpertView of(Expert.State state, String currency) {
    Expert.Settings s = state.settings();
    return new ExpertView(state.expertId(), s.account(), s.enabled(), s.maxOpenTransactions(), s.allocationPerTrade(), currency,
        s.minConfidence(), List.copyOf(s.instruments()), state.openTransactions(), state.transactionSequence());
  }
}
