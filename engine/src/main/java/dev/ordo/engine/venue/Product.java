package dev.ordo.engine.venue;

import dev.ordo.engine.model.Instrument;
import java.util.Set;

/**
 * The product of an order at an Indian broker (Kotak Neo {@code pc}): what the position it opens is
 * for. A venue keeps the positions of different products apart (a delivery buy and an intraday sell
 * of one stock are two positions, not a flat one). The engine places {@link #MIS} orders.
 */
public enum Product {
  /** Cash and carry: delivery of cash equities; a sell needs shares held for delivery. */
  CNC,
  /** Margin intraday square-off: intraday, any segment; may be short. */
  MIS,
  /** Normal: carried-forward derivatives; not for cash equities. */
  NRML;

  /** The venues whose instruments are cash equities (CNC and MIS; no NRML). */
  private static final Set<String> CASH_VENUES = Set.of("NSE", "BSE");

  /** Whether orders of this product may be placed for {@code instrument}: CNC only for cash equities, NRML only for the others. */
  public boolean allowedFor(Instrument instrument) {
    boolean cash = CASH_VENUES.contains(instrument.id().venue());
    return switch (this) {
      case MIS -> true;
      case CNC -> cash;
      case NRML -> !cash;
    };
  }
}
