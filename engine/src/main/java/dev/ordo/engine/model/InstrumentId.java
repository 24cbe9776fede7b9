package dev.ordo.engine.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * Identifies a tradable instrument by its full trading symbol and venue, e.g.
 * {@code DALBHARAT-EQ} on {@code NSE} or {@code BTCUSDT} on {@code BYBIT}. Never keyed by
 * a base symbol: {@code DALBHARAT} and {@code DALBHARAT-EQ} are different instruments.
 * Its text form is {@code SYMBOL.VENUE} (the venue never contains a dot).
 *
 * @param symbol the venue's full trading symbol
 * @param venue  the venue (exchange) code, upper case
 */
public record InstrumentId(String symbol, String venue) implements Comparable<InstrumentId> {

  public InstrumentId {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(venue, "venue");
    if (symbol.isBlank()) throw new IllegalArgumentException("instrument symbol is blank");
    if (venue.isBlank() || venue.contains(".") || venue.contains("|"))
      throw new IllegalArgumentException("invalid venue '" + venue + "'");
    if (symbol.contains("|")) throw new IllegalArgumentException("symbol must not contain '|': " + symbol);
  }

  /**
   * Parses {@code SYMBOL.VENUE} (the last dot separates the venue).
   *
   * @throws IllegalArgumentException when the text has no venue part
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static InstrumentId parse(String text) {
    int dot = text == null ? -1 : text.lastIndexOf('.');
    if (dot <= 0 || dot == text.length() - 1)
      throw new IllegalArgumentException("instrument id must look like SYMBOL.VENUE, got '" + text + "'");
    return new InstrumentId(text.substring(0, dot), text.substring(dot + 1));
  }

  @JsonValue
  @Override
  public String toString() {
    return symbol + "." + venue;
  }

  @Override
  public int compareTo(InstrumentId other) {
    int c = venue.compareTo(other.venue);
    return c != 0 ? c : symbol.compareTo(other.symbol);
  }
}
