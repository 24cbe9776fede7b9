package dev.ordo.app.api;

import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A transaction of an expert as {@code GET /experts/{expertId}/transactions} shows it.
 *
 * @param status       WAITING, OPENED, CLOSING, CLOSED or FAILED
 * @param quantity     the entry's quantity (instrument units)
 * @param held         bought and not sold yet
 * @param entryPrice   average entry price, null before the entry filled
 * @param exitPrice    average exit price, null before a sale
 * @param pnl          realized P&amp;L of what was sold, no fees
 * @param orders       its orders, oldest first (entry, stop-loss, take-profit, exit)
 * @param reason       why it closed or failed, else null
 */
public record TransactionView(String transactionId, InstrumentId instrument, String currency, Expert.TransactionStatus status,
    Quantity quantity, Quantity held, Price stopLoss, Price takeProfit, BigDecimal confidence, Price entryPrice, Price exitPrice, Money pnl,
    List<OrderRef> orders, OffsetDateTime openedAt, OffsetDateTime closedAt, String reason) {

  /**
   * One order of a transaction.
   *
   * @param role   ENTRY, STOP_LOSS, TAKE_PROFIT or EXIT
   * @param status its status at the broker as the expert knows it
   */
  public record OrderRef(ClientOrderId clientOrderId, String role, String status, String venueOrderId, Quantity filled, String lastError) {}

  /** {@code t} of {@code state}, its prices in {@code currency}, its times in its venue's offset. */
  public static TransactionView of(Expert.State state, Expert.Transaction t, String currency) {
    List<OrderRef> orders = t.orders().stream().map(id -> {
      Expert.ExpertOrder o = state.orders().get(id);
      return o == null ? new OrderRef(id, null, null, null, null, null)
          : new OrderRef(id, o.role().name(), o.status().name(), o.venueOrderId() == null ? null : o.venueOrderId().value(), o.filled(),
              o.lastError());
    }).toList();
    return new TransactionView(t.id(), t.instrument(), currency, t.status(), t.quantity(), t.held(), t.stopLoss(), t.takeProfit(),
        t.confidence(), t.entryPrice(), t.exitPrice(), Money.of(t.realizedPnl(), currency), orders, ApiTimes.of(t.openedAt(), t.instrument()),
        ApiTimes.of(t.closedAt(), t.instrument()), t.reason());
  }
}
