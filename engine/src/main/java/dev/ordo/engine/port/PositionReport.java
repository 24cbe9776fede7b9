package dev.ordo.engine.port;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.InstrumentId;
import java.math.BigDecimal;

/**
 * One row of a broker's positions (Kotak Neo: {@code flBuyQty}, {@code flSellQty},
 * {@code buyAmt}, {@code sellAmt}). Quantities in instrument units, amounts in instrument currency;
 * {@code netQuantity} is signed (negative when short).
 */
public record PositionReport(
    InstrumentId instrumentId,
    BigDecimal buyQuantity,
    BigDecimal sellQuantity,
    BigDecimal buyAmount,
    BigDecimal sellAmount,
    BigDecimal netQuantity)
    implements OrdoSerializable {}
