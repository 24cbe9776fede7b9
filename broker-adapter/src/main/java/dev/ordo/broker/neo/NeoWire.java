package dev.ordo.broker.neo;

import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.venue.Product;
import java.util.Locale;

/**
 * Kotak Neo's field values and the engine's types, both ways ({@code shared/specs/kotak-neo-api.md}):
 * order types {@code MKT, L, SL-M, SL}; sides {@code B, S}; products {@code CNC, MIS, NRML};
 * statuses {@code open, complete, traded, cancelled, rejected}; exchange segments {@code nse_cm}
 * (NSE cash), others by venue.
 */
public final class NeoWire {

  /** The error code of an expired, invalid or inactive token (HTTP 401). */
  public static final String INVALID_CREDENTIALS = "900901";

  private NeoWire() {}

  public static String orderType(OrderType type) {
    return switch (type) {
      case MARKET -> "MKT";
      case LIMIT -> "L";
      case STOP_MARKET -> "SL-M";
      case STOP_LIMIT -> "SL";
    };
  }

  /** @throws IllegalArgumentException for an unknown code */
  public static OrderType orderType(String code) {
    return switch (code) {
      case "MKT" -> OrderType.MARKET;
      case "L" -> OrderType.LIMIT;
      case "SL-M" -> OrderType.STOP_MARKET;
      case "SL" -> OrderType.STOP_LIMIT;
      default -> throw new IllegalArgumentException("unknown order type pt='" + code + "' (MKT, L, SL-M, SL)");
    };
  }

  public static String side(OrderSide side) {
    return side == OrderSide.BUY ? "B" : "S";
  }

  /** @throws IllegalArgumentException for anything but B or S */
  public static OrderSide side(String code) {
    return switch (code) {
      case "B" -> OrderSide.BUY;
      case "S" -> OrderSide.SELL;
      default -> throw new IllegalArgumentException("unknown transaction type tt='" + code + "' (B, S)");
    };
  }

  /** The product code {@code pc} of a product (the enum's names are Kotak Neo's codes). */
  public static String product(Product product) {
    return product.name();
  }

  /** @throws IllegalArgumentException for anything but CNC, MIS or NRML */
  public static Product product(String code) {
    return switch (code) {
      case "CNC" -> Product.CNC;
      case "MIS" -> Product.MIS;
      case "NRML" -> Product.NRML;
      default -> throw new IllegalArgumentException("unknown product pc='" + code + "' (CNC, MIS, NRML)");
    };
  }

  public static String validity(TimeInForce tif) {
    return tif == TimeInForce.IOC ? "IOC" : tif == TimeInForce.GTC ? "GTC" : "DAY";
  }

  /** The order-book status of an order status. */
  public static String status(OrderStatus status) {
    return switch (status) {
      case FILLED -> "complete";
      case CANCELED, EXPIRED -> "cancelled";
      case REJECTED -> "rejected";
      default -> "open";
    };
  }

  /** The order status of an order-book row's {@code ordSt} and filled quantity. */
  public static OrderStatus status(String ordSt, boolean partlyFilled) {
    return switch (ordSt.toLowerCase(Locale.ROOT)) {
      case "complete", "traded" -> OrderStatus.FILLED;
      case "cancelled" -> OrderStatus.CANCELED;
      case "rejected" -> OrderStatus.REJECTED;
      default -> partlyFilled ? OrderStatus.PARTIALLY_FILLED : OrderStatus.ACCEPTED;
    };
  }

  /** The exchange segment of an instrument: {@code nse_cm} for NSE cash, else the venue in lower case. */
  public static String segment(InstrumentId id) {
    return id.venue().equals("NSE") ? "nse_cm" : id.venue().toLowerCase(Locale.ROOT);
  }

  /** The venue of an exchange segment. */
  public static String venue(String segment) {
    return segment.equals("nse_cm") ? "NSE" : segment.toUpperCase(Locale.ROOT);
  }
}
