package dev.ordo.app.api;

import dev.ordo.engine.model.ExitReason;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.RoundTrip;
import java.time.OffsetDateTime;

/**
 * A closed round trip as {@code GET /accounts/{account}/trades} and the report file show it.
 *
 * @param instrument  {@code SYMBOL.VENUE}
 * @param currency    the currency of the prices and of {@code pnl}
 * @param side        BUY for a long round trip
 * @param quantity    instrument units (shares, contracts, coins), decimal string
 * @param entryTime   the entry fill's time, with the venue's offset
 * @param entryPrice  average entry price, decimal string in {@code currency}
 * @param exitTime    the closing fill's time, with the venue's offset
 * @param exitPrice   exit price, decimal string in {@code currency}
 * @param exitReason  STOP, TRAIL, SESSION_END or STOP_REJECTED
 * @param pnl         realized P&amp;L without fees: {@code (exitPrice - entryPrice) * quantity} for a long
 */
public record TradeView(InstrumentId instrument, String currency, OrderSide side, Quantity quantity, OffsetDateTime entryTime,
    Price entryPrice, OffsetDateTime exitTime, Price exitPrice, ExitReason exitReason, Money pnl) {

  /** {@code trip} of an instrument quoted in {@code currency}. */
  public static TradeView of(RoundTrip trip, String currency) {
    InstrumentId id = trip.instrument();
    return new TradeView(id, currency, trip.side(), trip.quantity(), ApiTimes.of(trip.entryTime(), id), trip.entryPrice(),
        ApiTimes.of(trip.exitTime(), id), trip.exitPrice(), trip.exitReason(), Money.of(trip.pnl(), currency));
  }
}
