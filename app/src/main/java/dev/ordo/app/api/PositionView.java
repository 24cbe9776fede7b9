package dev.ordo.app.api;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.NetPosition;
import dev.ordo.engine.model.PositionSide;
import dev.ordo.engine.model.Price;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A position as {@code GET /accounts/{account}/positions} shows it.
 *
 * @param currency     the currency of {@code averagePrice} and {@code realizedPnl}
 * @param status       LONG, SHORT or FLAT
 * @param quantity     signed instrument units (negative when short), decimal string
 * @param averagePrice average price of the open quantity in {@code currency}, null when flat
 * @param realizedPnl  P&amp;L realized by closing fills, no fees
 * @param openedAt     when the current (or, flat, the last) position opened, venue's offset
 * @param closedAt     when it last went flat, null while open
 * @param fills        fills applied (each TradeId once)
 */
public record PositionView(AccountId account, InstrumentId instrument, String currency, PositionSide status, BigDecimal quantity,
    Price averagePrice, Money realizedPnl, OffsetDateTime openedAt, OffsetDateTime closedAt, long fills) {

  /** The position {@code position} of {@code account} in {@code instrument}, after {@code fills} fills. */
  public static PositionView of(AccountId account, InstrumentId instrument, String currency, NetPosition position, long fills) {
    return new PositionView(account, instrument, currency, position.side(), position.quantity(), position.averagePrice(),
        Money.of(position.realizedPnl(), currency), ApiTimes.of(position.openedAt(), instrument), ApiTimes.of(position.closedAt(), instrument),
        fills);
  }
}
